/**
 * Matching what the kit observes back to the frames it sent, to record latency = observed − scheduled.
 *
 * - {@link ProbeMatcher}: the observation carries the payload (echoed, read back, embedded in an event);
 *   its probe header gives the scheduled time directly.
 * - {@link OrderMatcher}: the observation only says "one more frame from station X" (or a running total),
 *   as with the broker's `frame`/`stats` events: the k-th frame observed for a connection is taken to be
 *   the k-th frame sent on it, and its scheduled time comes from the plan. Valid because a TCP connection
 *   is ordered and the broker handles a connection's frames in order.
 *
 * @module
 */
import type { LatencyRecorder } from './latency.ts';
import { readProbe } from './probe.ts';
import type { Probe } from './probe.ts';
import { scheduledAtUs } from './schedule-plan.ts';
import type { ConnectionSchedule } from './schedule-plan.ts';

/** Records the latency of payloads that carry a probe header. */
export class ProbeMatcher {
  readonly #recorder: LatencyRecorder;
  #matched = 0;
  #unmatched = 0;

  constructor(recorder: LatencyRecorder) {
    this.#recorder = recorder;
  }

  /** Payloads matched (had a probe) so far. */
  get matched(): number {
    return this.#matched;
  }

  /** Payloads without a probe (too short or wrong magic). */
  get unmatched(): number {
    return this.#unmatched;
  }

  /** Record the latency of `payload` observed at `observedUs` (`nowUs` clock); returns its probe, if any. */
  observe(payload: Uint8Array, observedUs: number): Probe | undefined {
    const probe = readProbe(payload);
    if (probe === undefined) {
      this.#unmatched++;
      return undefined;
    }
    this.#matched++;
    this.#recorder.record(probe.scheduledUs, observedUs);
    return probe;
  }
}

/** Above this many frames in one `observe`, latencies are recorded in this many strata (see `observe`). */
const OBSERVE_STRATA = 64;

/** Counters of an {@link OrderMatcher}. */
export interface OrderMatchStats {
  /** Frames matched to a scheduled frame. */
  readonly matched: number;
  /** Frames observed beyond a connection's plan (more events than frames sent: a candidate or parsing bug). */
  readonly surplus: number;
  /** Observations for keys never passed to `expect`. */
  readonly unknown: number;
}

/**
 * Matches the k-th observed frame of a connection to the k-th frame sent on it. `K` is whatever
 * identifies a connection in the candidate's events (the kit uses the local port: the broker logs
 * `station` as `name@ip:port`).
 */
export class OrderMatcher<K = number> {
  readonly #recorder: LatencyRecorder;
  readonly #connections = new Map<K, { schedule: ConnectionSchedule; seen: number }>();
  #matched = 0;
  #surplus = 0;
  #unknown = 0;

  constructor(recorder: LatencyRecorder) {
    this.#recorder = recorder;
  }

  /** Declare the connection `key` sends by `schedule` (from `PacedLoad.schedules`). */
  expect(key: K, schedule: ConnectionSchedule): void {
    this.#connections.set(key, { schedule, seen: 0 });
  }

  /**
   * `frames` more frames of connection `key` were observed at `observedUs`: the next `frames` scheduled
   * frames are matched and their latencies recorded (more than 64 at once: in 64 equal strata, each at its
   * middle frame's scheduled time, so a stats total jumping by 10⁵ costs 64 records). Returns how many were matched.
   */
  observe(key: K, observedUs: number, frames = 1): number {
    const entry = this.#connections.get(key);
    if (entry === undefined) {
      this.#unknown += frames;
      return 0;
    }
    const take = Math.max(0, Math.min(frames, entry.schedule.frames - entry.seen));
    if (take <= OBSERVE_STRATA) {
      for (let k = entry.seen; k < entry.seen + take; k++) {
        this.#recorder.record(scheduledAtUs(entry.schedule, k), observedUs);
      }
    } else {
      // A running total that jumped by thousands (a stats event): OBSERVE_STRATA equal runs, each recorded
      // at its middle frame's scheduled time (error < 1/(2·OBSERVE_STRATA) of the span), not one call per frame.
      for (let i = 0; i < OBSERVE_STRATA; i++) {
        const lo = entry.seen + Math.floor((take * i) / OBSERVE_STRATA);
        const hi = entry.seen + Math.floor((take * (i + 1)) / OBSERVE_STRATA);
        if (hi > lo) this.#recorder.record(scheduledAtUs(entry.schedule, (lo + hi - 1) / 2), observedUs, hi - lo);
      }
    }
    entry.seen += take;
    this.#matched += take;
    this.#surplus += frames - take;
    return take;
  }

  /** A running total (`stats`-style event): `total` frames of `key` observed so far, as of `observedUs`. */
  observeTotal(key: K, total: number, observedUs: number): number {
    const seen = this.#connections.get(key)?.seen ?? 0;
    return total > seen ? this.observe(key, observedUs, total - seen) : 0;
  }

  /** Frames of `key` matched so far. */
  seen(key: K): number {
    return this.#connections.get(key)?.seen ?? 0;
  }

  stats(): OrderMatchStats {
    return { matched: this.#matched, surplus: this.#surplus, unknown: this.#unknown };
  }
}
