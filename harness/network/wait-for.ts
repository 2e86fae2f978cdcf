import { KitError } from '../common/errors.ts';

/** Options of {@link waitFor}. */
export interface WaitForOptions {
  /** Give up after this long. Default 5000 ms. */
  readonly timeoutMs?: number;
  /** Polling interval. Default 5 ms. */
  readonly intervalMs?: number;
  /** Included in the timeout error. */
  readonly what?: string;
}

/**
 * Polls `predicate` until it returns true; rejects with `WAIT_TIMEOUT` at the deadline. For tests
 * that wait on a condition observed through sockets (no event to hook).
 */
export async function waitFor(predicate: () => boolean, options: WaitForOptions = {}): Promise<void> {
  const timeoutMs = options.timeoutMs ?? 5000;
  const intervalMs = options.intervalMs ?? 5;
  const deadline = performance.now() + timeoutMs;
  while (!predicate()) {
    if (performance.now() >= deadline) {
      throw new KitError('WAIT_TIMEOUT', `timed out after ${timeoutMs} ms waiting for ${options.what ?? 'a condition'}`, {
        timeoutMs,
      });
    }
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}
