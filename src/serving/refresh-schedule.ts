/** Where the schedule reports what happened. */
export interface RefreshLog {
  info(message: string): void;
  error(message: string): void;
}

/**
 * Rescores the base every `minutes`, so customers without new events still move (recency grows,
 * a customer drifts from core to dozing) and audiences follow. A run that is still going when the
 * next is due is not doubled up; a failed run is logged and the previous base keeps serving.
 * Returns a function that stops the schedule.
 */
export function scheduleRefresh(refresh: () => Promise<unknown>, minutes: number, log: RefreshLog): () => void {
  let running = false;
  const timer = setInterval(() => {
    if (running) return;
    running = true;
    const start = performance.now();
    refresh()
      .then(
        () => log.info(`rescored the base in ${((performance.now() - start) / 1000).toFixed(1)} s`),
        (error: Error) => log.error(`rescoring the base failed, the previous scores keep serving: ${error.message}`),
      )
      .finally(() => {
        running = false;
      });
  }, minutes * 60_000);
  timer.unref();
  return () => clearInterval(timer);
}
