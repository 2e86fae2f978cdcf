import { HarnessError } from '../common/errors.ts';

/**
 * The load harness's one clock: monotonic microseconds since this process's `performance.timeOrigin`.
 *
 * Every timestamp in `harness/load/` (scheduled send times, probe headers, observation times handed to
 * the latency matchers, sampler series) is on this clock, so latency is a plain subtraction. Anything
 * that timestamps candidate events (the log reader) must use `nowUs()` as well.
 */

/** A source of monotonic time in microseconds (fractional). Injected in tests; defaults to {@link nowUs}. */
export type ClockUs = () => number;

/** Monotonic µs since `performance.timeOrigin` (sub-µs resolution, never goes backwards). */
export function nowUs(): number {
  return performance.now() * 1000;
}

/**
 * Resolve once `predicate()` is true, polling every `everyMs`; reject with a `WAIT_TIMEOUT` error after `timeoutMs`.
 * Tests and the benchmark wait on conditions this way instead of sleeping a fixed time.
 */
export async function waitFor(
  predicate: () => boolean,
  { timeoutMs = 5_000, everyMs = 5, message = 'condition not met' }: { timeoutMs?: number; everyMs?: number; message?: string } = {},
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > deadline) throw new HarnessError('WAIT_TIMEOUT', `${message} within ${timeoutMs} ms`, { timeoutMs });
    await new Promise((resolve) => setTimeout(resolve, everyMs));
  }
}
