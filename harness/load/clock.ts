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
