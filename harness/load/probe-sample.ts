/**
 * Sampled probe frames: exact per-frame latency at any rate.
 *
 * At high rates a candidate cannot log one line per frame per handler (its log pipe becomes the
 * bottleneck), and latency from periodic `stats` totals is only an upper bound at the stats period. So
 * a small, **seeded** fraction of frames is marked as a *sampled probe*: its probe header carries
 * {@link SAMPLED_PROBE_MAGIC} (`a8 61 71 54`: a CBOR map whose first key is `"q"` instead of `"p"`, still
 * one well-formed record) instead of the ordinary magic. A candidate that declares the `logProbes` knob
 * logs a `frame` event only for payloads starting with those 4 bytes (and keeps `stats` totals for the
 * counts), so the log carries `fraction × rate × handlers` lines/s whatever the rate.
 *
 * Matching: which frames are sampled is a pure function of (seed, station, sequence) — {@link isSampled} —
 * so the kit knows the k-th sampled frame of every connection without remembering anything at send time.
 * The k-th probe event of (station, handler) is the k-th sampled frame sent on that station (a TCP
 * connection is ordered and a handler sees its frames in order): latency = observed − that frame's
 * scheduled time, exact to the µs (the HdrHistogram keeps 3 significant digits).
 *
 * @module
 */
import type { LatencyRecorder } from './latency.ts';
import { scheduledAtUs } from './schedule-plan.ts';
import type { ConnectionSchedule } from './schedule-plan.ts';

/** The 4 magic bytes of a sampled probe (CBOR map(8), key "q", byte-string(20)). */
export const SAMPLED_PROBE_MAGIC: readonly number[] = [0xa8, 0x61, 0x71, 0x54];
/** The same, as the big-endian u32 the pacer stamps. */
export const SAMPLED_PROBE_MAGIC_U32 = 0xa8617154;

/** How frames are sampled. */
export interface ProbeSampling {
  /** Seed of the selection (the run's seed). */
  readonly seed: number;
  /** Fraction of frames sampled, in (0, 1]. */
  readonly fraction: number;
}

/** Probe events per second (over all connections, per handler) the kit aims for by default. */
export const DEFAULT_PROBES_PER_SECOND = 2000;

/** The default sampling for a rate: about {@link DEFAULT_PROBES_PER_SECOND} sampled frames/s, never more than all. */
export function defaultSampling(seed: number, rate: number): ProbeSampling {
  return { seed, fraction: Math.min(1, DEFAULT_PROBES_PER_SECOND / Math.max(1, rate)) };
}

/** A 32-bit integer mix (murmur3's finaliser) of (seed, station, seq): uniform, cheap, deterministic. */
function mix(seed: number, station: number, seq: number): number {
  let h =
    (seed ^
      Math.imul(station + 1, 0x9e3779b1) ^
      Math.imul(seq >>> 0, 0x85ebca6b) ^
      Math.imul(Math.floor(seq / 0x1_0000_0000), 0xc2b2ae35)) >>>
    0;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** Whether frame `seq` of `station` is a sampled probe under `sampling`. */
export function isSampled(sampling: ProbeSampling, station: number, seq: number): boolean {
  if (sampling.fraction >= 1) return true;
  return mix(sampling.seed >>> 0, station, seq) < sampling.fraction * 0x1_0000_0000;
}

/** Counters of a {@link SampledProbeMatcher}. */
export interface SampledProbeStats {
  /** Probe events matched to a sampled frame. */
  readonly matched: number;
  /** Probe events beyond the sampled frames planned on their connection. */
  readonly surplus: number;
  /** Probe events for keys never passed to `expect`. */
  readonly unknown: number;
}

/**
 * Matches the k-th probe event of a connection to its k-th sampled frame and records the latency. `K`
 * identifies a connection in the candidate's events (the kit uses the station's local port).
 */
export class SampledProbeMatcher<K = number> {
  readonly #recorder: LatencyRecorder;
  readonly #sampling: ProbeSampling;
  readonly #connections = new Map<K, { schedule: ConnectionSchedule; cursor: number; seen: number }>();
  #matched = 0;
  #surplus = 0;
  #unknown = 0;

  constructor(recorder: LatencyRecorder, sampling: ProbeSampling) {
    this.#recorder = recorder;
    this.#sampling = sampling;
  }

  /** Declare that connection `key` sends by `schedule`. */
  expect(key: K, schedule: ConnectionSchedule): void {
    this.#connections.set(key, { schedule, cursor: 0, seen: 0 });
  }

  /**
   * One probe event of connection `key` observed at `observedUs`: returns the latency recorded (µs), or
   * undefined when no sampled frame is left to match it (surplus) or the key is unknown.
   */
  observe(key: K, observedUs: number): number | undefined {
    const entry = this.#connections.get(key);
    if (entry === undefined) {
      this.#unknown++;
      return undefined;
    }
    const { schedule } = entry;
    while (entry.cursor < schedule.frames && !isSampled(this.#sampling, schedule.station, entry.cursor)) entry.cursor++;
    if (entry.cursor >= schedule.frames) {
      this.#surplus++;
      return undefined;
    }
    const latency = this.#recorder.record(scheduledAtUs(schedule, entry.cursor), observedUs);
    entry.cursor++;
    entry.seen++;
    this.#matched++;
    return latency;
  }

  /** Probe events of `key` matched so far. */
  seen(key: K): number {
    return this.#connections.get(key)?.seen ?? 0;
  }

  stats(): SampledProbeStats {
    return { matched: this.#matched, surplus: this.#surplus, unknown: this.#unknown };
  }
}

/** The sampled frames of `schedule` among its first `sent` frames (what a complete candidate reports). */
export function sampledCount(sampling: ProbeSampling, schedule: ConnectionSchedule, sent = schedule.frames): number {
  let n = 0;
  for (let k = 0; k < Math.min(sent, schedule.frames); k++) if (isSampled(sampling, schedule.station, k)) n++;
  return n;
}
