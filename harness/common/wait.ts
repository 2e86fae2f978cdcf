/**
 * The kit's one way to wait, on the monotonic clock (`performance.now()`): `delay` paces a scenario;
 * `waitFor` polls a probe until it yields a value or the deadline passes (→ undefined, for checks that turn
 * a deadline into a verdict); `waitUntil` polls a predicate and throws {@link WaitTimeoutError} at the
 * deadline (for tests, benches and drivers where a missed condition is an error). Never a fixed sleep to
 * wait for a condition.
 *
 * @module
 */
import { KitError } from './errors.ts';

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

/** Options of {@link waitFor}. */
export interface WaitForOptions {
  /** Give up after this long. */
  readonly timeoutMs: number;
  /** Polling interval. Default 20 ms. */
  readonly intervalMs?: number;
  /** Stops the wait early (→ undefined). */
  readonly signal?: AbortSignal;
}

/**
 * Polls `probe` until it returns something other than undefined, or the deadline passes (→ undefined).
 * The way to wait for a condition: never a fixed sleep.
 */
export async function waitFor<T>(probe: () => T | undefined | Promise<T | undefined>, options: WaitForOptions): Promise<T | undefined> {
  const deadline = performance.now() + options.timeoutMs;
  const interval = options.intervalMs ?? 20;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (performance.now() >= deadline || options.signal?.aborted) return undefined;
    await delay(Math.min(interval, Math.max(1, deadline - performance.now())), options.signal);
  }
}

/** A condition awaited with {@link waitUntil} did not hold by its deadline. Code `WAIT_TIMEOUT`. */
export class WaitTimeoutError extends KitError {}

/** Options of {@link waitUntil}. */
export interface WaitUntilOptions {
  /** Give up after this long. Default 5000 ms. */
  readonly timeoutMs?: number;
  /** Polling interval. Default 5 ms. */
  readonly intervalMs?: number;
  /** What is awaited, for the timeout error. */
  readonly what?: string;
}

/** Polls `predicate` until it returns true; rejects with {@link WaitTimeoutError} (`WAIT_TIMEOUT`) at the deadline. */
export async function waitUntil(predicate: () => boolean, options: WaitUntilOptions = {}): Promise<void> {
  const timeoutMs = options.timeoutMs ?? 5000;
  const held = await waitFor(() => (predicate() ? true : undefined), { timeoutMs, intervalMs: options.intervalMs ?? 5 });
  if (held === undefined) {
    throw new WaitTimeoutError('WAIT_TIMEOUT', `timed out after ${timeoutMs} ms waiting for ${options.what ?? 'a condition'}`, {
      timeoutMs,
    });
  }
}
