/** Resolves after `ms`, or early when the signal aborts. Only for pacing scenarios, never to wait for a condition. */
export function delay(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done(): void {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
}

/**
 * Polls `probe` until it returns something other than undefined, or the deadline passes (→ undefined).
 * The way to wait for a condition: never a fixed sleep.
 */
export async function waitFor<T>(probe: () => T | undefined | Promise<T | undefined>, options: { timeoutMs: number; intervalMs?: number; signal?: AbortSignal }): Promise<T | undefined> {
  const deadline = performance.now() + options.timeoutMs;
  const interval = options.intervalMs ?? 20;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (performance.now() >= deadline || options.signal?.aborted) return undefined;
    await delay(Math.min(interval, Math.max(1, deadline - performance.now())), options.signal);
  }
}
