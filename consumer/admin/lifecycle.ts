/**
 * The lifecycle actions of a managed consumer and the statuses each may be taken from. Anything else
 * is a 409 that names the current status, so a client can tell "already stopped" from "broken".
 */
import { conflict } from './problem.js';
import { ConsumerStatuses, type ConsumerStatus } from './schemas.js';

export const Actions = { start: 'start', stop: 'stop', pause: 'pause', resume: 'resume' } as const;
export type Action = (typeof Actions)[keyof typeof Actions];
export const allowedActions: readonly Action[] = Object.values(Actions);

/** From which statuses each action may be taken. */
export const allowedFrom: Readonly<Record<Action, readonly ConsumerStatus[]>> = {
  start: [ConsumerStatuses.inactive, ConsumerStatuses.error],
  stop: [ConsumerStatuses.active, ConsumerStatuses.paused],
  pause: [ConsumerStatuses.active],
  resume: [ConsumerStatuses.paused],
};

/** Throws the 409 when `action` is not possible from `status`. */
export function assertTransition(action: Action, status: ConsumerStatus): void {
  if (!allowedFrom[action].includes(status)) {
    throw conflict(`cannot ${action} a consumer that is ${status}`, { currentStatus: status });
  }
}
