/**
 * Latency recording: latency = observed time − *scheduled* send time (both µs on the `nowUs` clock), so a
 * stalled sender or a stalled candidate shows up in the numbers instead of being hidden (no coordinated
 * omission). An HdrHistogram (1 µs resolution, 3 significant digits, up to 60 s by default) gives the
 * percentiles; a per-second (by default) series of small histograms gives the plot data.
 *
 * Matching observations to frames lives in `latency-match.ts`.
 *
 * @module
 */
import { build } from 'hdr-histogram-js';
import type { Histogram } from 'hdr-histogram-js';
import { KitError } from '../common/errors.ts';

/** Options of {@link LatencyRecorder}. */
export interface LatencyRecorderOptions {
  /** Largest latency tracked, µs; larger ones are recorded as this value and counted in `saturated`. Default 60,000,000 (60 s). */
  readonly highestTrackableUs?: number;
  /** HdrHistogram precision in significant decimal digits. Default 3 (values within 0.1%). */
  readonly significantDigits?: 1 | 2 | 3 | 4 | 5;
  /** Width of a time-series bucket, µs. Default 1,000,000 (one point per second). */
  readonly seriesBucketUs?: number;
  /**
   * Series origin, µs on the `nowUs` clock: bucket i holds frames *scheduled* in
   * [origin + i·width, origin + (i+1)·width). Default 0; pass the run's start so buckets are run seconds.
   */
  readonly seriesOriginUs?: number;
  /** Keep the time series. Default true; false halves the cost of `record` (for hot paths). */
  readonly series?: boolean;
}

/** Percentiles of a set of latencies, all in µs (0 when empty). */
export interface LatencySummary {
  readonly count: number;
  readonly minUs: number;
  readonly meanUs: number;
  readonly p50Us: number;
  readonly p90Us: number;
  readonly p99Us: number;
  readonly p999Us: number;
  readonly maxUs: number;
  /** Latencies above `highestTrackableUs` (recorded as that value). */
  readonly saturated: number;
  /** Observations earlier than their scheduled time (recorded as 0; a clock or matching problem). */
  readonly negative: number;
}

/** One point of the latency time series (percentiles to 2 significant digits, i.e. within 1%). */
export interface LatencyPoint {
  /** Bucket index: seconds since the series origin with the default width. */
  readonly index: number;
  /** Start of the bucket relative to the origin, µs. */
  readonly offsetUs: number;
  readonly count: number;
  readonly p50Us: number;
  readonly p99Us: number;
  readonly maxUs: number;
}

/** One point of a percentile spectrum. */
export interface SpectrumPoint {
  /** Percentile, 0–100 (100 = max). */
  readonly percentile: number;
  readonly valueUs: number;
}

/** The percentiles of {@link LatencyRecorder.spectrum}. */
export const SPECTRUM_PERCENTILES: readonly number[] = [0, 25, 50, 75, 90, 95, 99, 99.5, 99.9, 99.95, 99.99, 99.999, 100];

type Digits = 1 | 2 | 3 | 4 | 5;

function newHistogram(highestTrackableUs: number, digits: Digits, packed: boolean): Histogram {
  return build({
    lowestDiscernibleValue: 1,
    highestTrackableValue: highestTrackableUs,
    numberOfSignificantValueDigits: digits,
    autoResize: false,
    ...(packed ? { bitBucketSize: 'packed' as const } : {}),
  });
}

/** Records latencies; see the module doc. */
export class LatencyRecorder {
  readonly highestTrackableUs: number;
  readonly significantDigits: Digits;
  readonly seriesBucketUs: number;
  readonly seriesOriginUs: number;
  readonly keepsSeries: boolean;
  readonly #all: Histogram;
  readonly #buckets = new Map<number, Histogram>();
  #min = Infinity;
  #saturated = 0;
  #negative = 0;

  constructor(options: LatencyRecorderOptions = {}) {
    this.highestTrackableUs = options.highestTrackableUs ?? 60_000_000;
    this.significantDigits = options.significantDigits ?? 3;
    this.seriesBucketUs = options.seriesBucketUs ?? 1_000_000;
    this.seriesOriginUs = options.seriesOriginUs ?? 0;
    this.keepsSeries = options.series ?? true;
    if (!(this.highestTrackableUs >= 2 && this.seriesBucketUs > 0)) {
      throw new KitError('LOAD_INVALID_OPTION', 'highestTrackableUs must be ≥ 2 and seriesBucketUs > 0', { ...options });
    }
    this.#all = newHistogram(this.highestTrackableUs, this.significantDigits, false);
  }

  /** Number of latencies recorded. */
  get count(): number {
    return this.#all.totalCount;
  }

  /**
   * Record the latency of one frame scheduled at `scheduledUs` and observed at `observedUs`
   * (µs, `nowUs` clock). Returns the latency recorded (µs, rounded, clamped to [0, highestTrackableUs]).
   */
  record(scheduledUs: number, observedUs: number, count = 1): number {
    let latency = Math.round(observedUs - scheduledUs);
    if (latency < 0) {
      this.#negative += count;
      latency = 0;
    } else if (latency > this.highestTrackableUs) {
      this.#saturated += count;
      latency = this.highestTrackableUs;
    }
    if (latency < this.#min) this.#min = latency;
    this.#all.recordValueWithCount(latency, count);
    if (!this.keepsSeries) return latency;
    const index = Math.floor((scheduledUs - this.seriesOriginUs) / this.seriesBucketUs);
    let bucket = this.#buckets.get(index);
    if (bucket === undefined) {
      bucket = newHistogram(this.highestTrackableUs, Math.min(this.significantDigits, 2) as Digits, true);
      this.#buckets.set(index, bucket);
    }
    bucket.recordValueWithCount(latency, count);
    return latency;
  }

  /** Percentiles over everything recorded. */
  summary(): LatencySummary {
    const h = this.#all;
    const empty = h.totalCount === 0;
    const at = (p: number): number => (empty ? 0 : h.getValueAtPercentile(p));
    return {
      count: h.totalCount,
      minUs: empty ? 0 : this.#min,
      meanUs: empty ? 0 : h.mean,
      p50Us: at(50),
      p90Us: at(90),
      p99Us: at(99),
      p999Us: at(99.9),
      maxUs: empty ? 0 : h.maxValue,
      saturated: this.#saturated,
      negative: this.#negative,
    };
  }

  /**
   * The percentile spectrum: the latency at each of {@link SPECTRUM_PERCENTILES} (empty when nothing was
   * recorded), for a plot of the whole distribution (its tail especially).
   */
  spectrum(): SpectrumPoint[] {
    const h = this.#all;
    if (h.totalCount === 0) return [];
    return SPECTRUM_PERCENTILES.map((percentile) => ({
      percentile,
      valueUs: percentile >= 100 ? h.maxValue : h.getValueAtPercentile(percentile),
    }));
  }

  /** The time series, one point per non-empty bucket, in time order (empty when `series: false`). */
  series(): LatencyPoint[] {
    return [...this.#buckets.entries()]
      .sort(([a], [b]) => a - b)
      .map(([index, h]) => ({
        index,
        offsetUs: index * this.seriesBucketUs,
        count: h.totalCount,
        p50Us: h.getValueAtPercentile(50),
        p99Us: h.getValueAtPercentile(99),
        maxUs: h.maxValue,
      }));
  }

  /** Add everything `other` recorded into this recorder (same range, precision and series buckets). */
  add(other: LatencyRecorder): void {
    if (
      other.highestTrackableUs !== this.highestTrackableUs ||
      other.significantDigits !== this.significantDigits ||
      other.seriesBucketUs !== this.seriesBucketUs ||
      other.seriesOriginUs !== this.seriesOriginUs ||
      other.keepsSeries !== this.keepsSeries
    ) {
      throw new KitError('LATENCY_INCOMPATIBLE', 'recorders differ in range, precision or series layout');
    }
    this.#all.add(other.#all);
    for (const [index, h] of other.#buckets) {
      let bucket = this.#buckets.get(index);
      if (bucket === undefined) {
        bucket = newHistogram(this.highestTrackableUs, Math.min(this.significantDigits, 2) as Digits, true);
        this.#buckets.set(index, bucket);
      }
      bucket.add(h);
    }
    this.#min = Math.min(this.#min, other.#min);
    this.#saturated += other.#saturated;
    this.#negative += other.#negative;
  }

  /** Free the histograms (only matters with WebAssembly histograms; harmless otherwise). */
  destroy(): void {
    this.#all.destroy();
    for (const h of this.#buckets.values()) h.destroy();
    this.#buckets.clear();
  }
}

/** A new recorder holding the union of `recorders` (which must share their options). */
export function mergeRecorders(recorders: readonly LatencyRecorder[]): LatencyRecorder {
  const first = recorders[0];
  const merged = new LatencyRecorder(
    first === undefined
      ? {}
      : {
          highestTrackableUs: first.highestTrackableUs,
          significantDigits: first.significantDigits,
          seriesBucketUs: first.seriesBucketUs,
          seriesOriginUs: first.seriesOriginUs,
          series: first.keepsSeries,
        },
  );
  for (const recorder of recorders) merged.add(recorder);
  return merged;
}
