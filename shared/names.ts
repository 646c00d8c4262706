/**
 * Names on a shared cluster. With HARNESS_USER=alice (or --user alice) every topic, group,
 * transactional id and client id a command creates is `alice.<name>`, so twenty learners on one
 * cluster never read each other's messages or join each other's groups. Without a user, names are
 * left as they are.
 */

/** `name` as `user` sees it: `alice.orders`; unchanged when there is no user or it already carries the prefix. */
export function userScoped(user: string | undefined, name: string): string {
  if (user === undefined) return name;
  const prefix = `${user}.`;
  return name.startsWith(prefix) ? name : `${prefix}${name}`;
}
