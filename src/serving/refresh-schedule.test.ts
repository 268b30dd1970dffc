import { afterEach, describe, expect, it, vi } from 'vitest';
import { scheduleRefresh } from './refresh-schedule.js';

afterEach(() => {
  vi.useRealTimers();
});

describe('scheduleRefresh', () => {
  it('rescores every period, never two runs at once, and keeps going after a failed run', async () => {
    vi.useFakeTimers();
    const log = { info: vi.fn(), error: vi.fn() };
    const finishes: Array<(ok: boolean) => void> = [];
    const refresh = vi.fn(
      () => new Promise<void>((resolve, reject) => finishes.push((ok) => (ok ? resolve() : reject(new Error('store busy'))))),
    );
    const stop = scheduleRefresh(refresh, 5, log);
    await vi.advanceTimersByTimeAsync(5 * 60_000 - 1);
    expect(refresh).not.toHaveBeenCalled();
    await vi.advanceTimersByTimeAsync(1);
    expect(refresh).toHaveBeenCalledTimes(1);
    // Still running when the next one is due: skipped.
    await vi.advanceTimersByTimeAsync(5 * 60_000);
    expect(refresh).toHaveBeenCalledTimes(1);
    finishes[0]!(false);
    await vi.advanceTimersByTimeAsync(0);
    expect(log.error).toHaveBeenCalledWith(expect.stringMatching(/failed, the previous scores keep serving: store busy/));
    await vi.advanceTimersByTimeAsync(5 * 60_000);
    expect(refresh).toHaveBeenCalledTimes(2);
    finishes[1]!(true);
    await vi.advanceTimersByTimeAsync(0);
    expect(log.info).toHaveBeenCalledWith(expect.stringMatching(/^rescored the base in \d+\.\d s$/));
    stop();
    await vi.advanceTimersByTimeAsync(60 * 60_000);
    expect(refresh).toHaveBeenCalledTimes(2);
  });
});
