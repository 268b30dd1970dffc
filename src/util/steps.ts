import { setImmediate as nextTurn } from 'node:timers/promises';

/**
 * Long computations are written once as generators that `yield` between steps (a sort, a block of
 * rows): a batch job runs them straight through with runSteps, and a running service with
 * runStepsInTurns, which gives the event loop a turn at each yield so requests keep being answered.
 */
export type Steps<T> = Generator<void, T, void>;

export function runSteps<T>(steps: Steps<T>): T {
  for (;;) {
    const next = steps.next();
    if (next.done) return next.value;
  }
}

export async function runStepsInTurns<T>(steps: Steps<T>): Promise<T> {
  for (;;) {
    const next = steps.next();
    if (next.done) return next.value;
    await nextTurn();
  }
}

/** The row indexes [start, end) as an array (for functions that take a row list). */
export function rowRange(start: number, end: number): Int32Array {
  const rows = new Int32Array(Math.max(0, end - start));
  for (let i = 0; i < rows.length; i++) rows[i] = start + i;
  return rows;
}
