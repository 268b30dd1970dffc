import { describe, expect, it } from 'vitest';
import { rowRange, runSteps, runStepsInTurns, type Steps } from './steps.js';

function* sumInBlocks(values: number[], block: number): Steps<number> {
  let sum = 0;
  for (let i = 0; i < values.length; i++) {
    sum += values[i]!;
    if ((i + 1) % block === 0) yield;
  }
  return sum;
}

describe('steps', () => {
  it('gives the same result straight through and in turns', async () => {
    const values = Array.from({ length: 10 }, (_, i) => i + 1);
    expect(runSteps(sumInBlocks(values, 3))).toBe(55);
    expect(await runStepsInTurns(sumInBlocks(values, 3))).toBe(55);
  });

  it('lets other work run at each yield when run in turns, and none when run straight through', async () => {
    let ticks = 0;
    const timer = setInterval(() => ticks++, 0);
    const slow = function* (): Steps<void> {
      for (let k = 0; k < 5; k++) {
        const until = Date.now() + 5;
        while (Date.now() < until); // 5 ms of work per step
        yield;
      }
    };
    runSteps(slow());
    expect(ticks).toBe(0);
    await runStepsInTurns(slow());
    clearInterval(timer);
    expect(ticks).toBeGreaterThan(0);
  });

  it('lists a row range', () => {
    expect([...rowRange(3, 6)]).toEqual([3, 4, 5]);
    expect(rowRange(4, 4).length).toBe(0);
  });
});
