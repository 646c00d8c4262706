/** Where each child of `npm run consume` stands, as the parent sees it. */

export const ChildStates = { starting: 'starting', running: 'running', restarting: 'restarting', done: 'done', gaveUp: 'gave-up' } as const;
export type ChildState = (typeof ChildStates)[keyof typeof ChildStates];
export const allowedChildStates: readonly ChildState[] = Object.values(ChildStates);

/** Whether the parent is done with the child: it will not run again. */
export function isSettled(state: ChildState): boolean {
  switch (state) {
    case ChildStates.done:
    case ChildStates.gaveUp:
      return true;
    case ChildStates.starting:
    case ChildStates.running:
    case ChildStates.restarting:
      return false;
  }
}

/** The STATE column: a restarting child says when it comes back. */
export function describeChildState(state: ChildState, restartDelayMs: number | undefined): string {
  switch (state) {
    case ChildStates.restarting:
      return restartDelayMs === undefined ? 'restarting' : `restarting in ${restartDelayMs / 1000} s`;
    case ChildStates.gaveUp:
      return 'gave up';
    case ChildStates.starting:
    case ChildStates.running:
    case ChildStates.done:
      return state;
  }
}
