/**
 * Runs a learner's module in a process of its own, so a check can kill it mid-stream the way a crash
 * or a deploy would: `node --import tsx workshop/lib/learner-main.ts <file> '<json args>'`.
 * The module exports `main(args)`. main may return as soon as its consumer is running: the process
 * then lives as long as the learner's clients keep it alive, and exits 0 when they are gone. A main
 * that throws exits 1.
 */
import { pathToFileURL } from 'node:url';

const [file, argsJson = '{}'] = process.argv.slice(2);
if (file === undefined) {
  console.error('usage: node --import tsx workshop/lib/learner-main.ts <file> [json args]');
  process.exit(2);
}

const learner = (await import(pathToFileURL(file).href)) as { main?: unknown };
if (typeof learner.main !== 'function') {
  console.error(`${file} exports no main(args) function`);
  process.exit(2);
}
try {
  await (learner.main as (args: unknown) => unknown)(JSON.parse(argsJson));
} catch (error) {
  console.error(error instanceof Error ? (error.stack ?? error.message) : String(error));
  process.exit(1);
}
