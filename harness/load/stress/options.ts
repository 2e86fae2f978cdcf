/**
 * Options of a broker stress run, their defaults (the seeds' load) and the parsers the CLI uses for
 * durations (`30s`, `500ms`, `2m`) and size distributions (`1024`, `fixed:1024`, `uniform:64..4096`,
 * `realistic`).
 *
 * @module
 */
import { KitError } from '../../common/errors.ts';
import type { PayloadKind } from '../payload-factory.ts';
import { checkSizeDistribution } from '../sizes.ts';
import type { SizeDistribution } from '../sizes.ts';

/**
 * Where the candidate's per-handler counts come from.
 * - `frames`: one `frame` event per handler per frame (per-frame latency, k-th event ↔ k-th frame).
 * - `stats`: periodic `stats` running totals only (the kit turns frame events off when the manifest has a
 *   `logFrames` knob); latency is then an upper bound at the resolution of the stats period.
 * - `probes`: `frame` events for a seeded sample of frames only (the manifest's `logProbes` knob; see
 *   `probe-sample.ts`) plus `stats` totals for the counts: exact latency of the sample at any rate.
 * - `auto`: `frames` while rate × handlers ≤ {@link AUTO_FRAME_EVENTS_LIMIT} lines/s; above, `probes` when
 *   the manifest has `logProbes` and `logFrames`, else `stats` when it can switch frame events off.
 */
export type EventSource = 'frames' | 'stats' | 'probes' | 'auto';

/** Above this many frame-event lines per second, `auto` switches to stats events (when it can). */
export const AUTO_FRAME_EVENTS_LIMIT = 60_000;

/** Everything a broker stress run needs besides the candidate. */
export interface BrokerLoadSpec {
  /** Station connections. Default 48 (seed). */
  readonly connections: number;
  /** Total target rate across all connections, frames/s. Default 10,000 (seed). */
  readonly rate: number;
  /** Payload sizes (bytes, excluding the 4-byte header). Default fixed 1024 (seed). */
  readonly sizes: SizeDistribution;
  /** Payload bytes. Default `cbor` (telemetry records carrying the probe header). */
  readonly payload: PayloadKind;
  /** Length of the paced phase, ms. Default 30,000. */
  readonly durationMs: number;
  /** Seed for payloads and sizes. */
  readonly seed: number;
}

/** Defaults: the seeds' load (48 stations, 10,000 frames/s of 1 KiB CBOR, 30 s, 3 handlers). */
export const STRESS_DEFAULTS = {
  connections: 48,
  rate: 10_000,
  size: 1024,
  payload: 'cbor' as PayloadKind,
  durationMs: 30_000,
  handlers: 3,
  /** After the paced phase: how long the kit waits for the candidate to catch up, ms. */
  drainMs: 5_000,
  /** Stats period asked of the candidate in `stats` mode (through its `statsMs` knob), ms. */
  statsMs: 100,
  /** Seed limit on the candidate's resident memory, bytes (512 MiB). */
  rssLimitBytes: 512 * 1024 * 1024,
} as const;

/** `30s`, `1.5s`, `500ms`, `2m`, or a bare number of seconds → ms. Throws `BAD_ARGUMENT`. */
export function parseDuration(text: string): number {
  const match = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m)?\s*$/.exec(text);
  if (!match) throw new KitError('BAD_ARGUMENT', `not a duration: "${text}" (use 30s, 500ms, 2m)`);
  const value = Number(match[1]);
  const unit = match[2] ?? 's';
  const ms = unit === 'ms' ? value : unit === 's' ? value * 1000 : value * 60_000;
  if (!(ms > 0)) throw new KitError('BAD_ARGUMENT', `duration must be > 0, got "${text}"`);
  return Math.round(ms);
}

/**
 * A size distribution from its CLI spelling: `1024` or `fixed:1024`, `uniform:MIN..MAX` (or `MIN-MAX`),
 * `realistic` (the ground-segment mix of `sizes.ts`, up to 64 KiB). Throws `BAD_ARGUMENT`.
 */
export function parseSizes(text: string): SizeDistribution {
  const t = text.trim().toLowerCase();
  let d: SizeDistribution | undefined;
  if (t === 'realistic') d = { kind: 'realistic' };
  else if (/^(fixed:)?\d+$/.test(t)) d = { kind: 'fixed', size: Number(t.replace('fixed:', '')) };
  else {
    const m = /^uniform:(\d+)(?:\.\.|-)(\d+)$/.exec(t);
    if (m) d = { kind: 'uniform', min: Number(m[1]), max: Number(m[2]) };
  }
  if (d === undefined)
    throw new KitError('BAD_ARGUMENT', `not a size distribution: "${text}" (use 1024, fixed:1024, uniform:64..4096, realistic)`);
  try {
    checkSizeDistribution(d);
  } catch (error) {
    throw new KitError('BAD_ARGUMENT', `${(error as Error).message} ("${text}")`);
  }
  return d;
}

/** A positive number from the CLI (integer unless `fraction`). Throws `BAD_ARGUMENT` naming the flag. */
export function parsePositive(
  text: string | undefined,
  fallback: number,
  flag: string,
  options: { max?: number; integer?: boolean; zero?: boolean } = {},
): number {
  if (text === undefined) return fallback;
  const n = Number(text);
  const integer = options.integer ?? true;
  const ok =
    Number.isFinite(n) &&
    (options.zero ? n >= 0 : n > 0) &&
    (!integer || Number.isInteger(n)) &&
    n <= (options.max ?? Number.MAX_SAFE_INTEGER);
  if (!ok)
    throw new KitError(
      'BAD_ARGUMENT',
      `--${flag} must be ${integer ? 'an integer' : 'a number'} ${options.zero ? '≥ 0' : '> 0'}${options.max !== undefined ? ` and ≤ ${options.max}` : ''}, got "${text}"`,
    );
  return n;
}

/** `5ms`, `500us` (or `500µs`), `0.5ms`, `2s`, or a bare number of ms → µs. Throws `BAD_ARGUMENT`. */
export function parseLatencyLimit(text: string, flag = 'max-p99'): number {
  const match = /^\s*(\d+(?:\.\d+)?)\s*(us|µs|ms|s)?\s*$/.exec(text);
  const value = Number(match?.[1]);
  if (!match || !(value > 0)) throw new KitError('BAD_ARGUMENT', `--${flag} must be a latency > 0 such as 5ms or 500us, got "${text}"`);
  const unit = match[2] ?? 'ms';
  return Math.round(unit === 's' ? value * 1e6 : unit === 'ms' ? value * 1e3 : value);
}

/** `99.9%` or `0.999` → a fraction in (0, 1]. Throws `BAD_ARGUMENT`. */
export function parseFraction(text: string, flag = 'min-delivered'): number {
  const match = /^\s*(\d+(?:\.\d+)?)\s*(%)?\s*$/.exec(text);
  const value = match ? Number(match[1]) / (match[2] === '%' ? 100 : 1) : NaN;
  if (!(value > 0 && value <= 1))
    throw new KitError('BAD_ARGUMENT', `--${flag} must be a fraction in (0, 1] or a percentage such as 99.9%, got "${text}"`);
  return value;
}

/** The CLI spellings of the stress options added for CI and comparisons (strings as parsed). */
export interface StressExtraValues {
  readonly target?: string;
  readonly 'max-p99'?: string;
  readonly 'min-delivered'?: string;
  readonly floor?: string;
  readonly rounds?: string;
}

/** Parsed {@link StressExtraValues}. */
export interface StressExtras {
  /** `host:port` of a running broker, when given. */
  readonly target: string | undefined;
  readonly thresholds: { readonly maxP99Us?: number; readonly minDelivered?: number };
  /** Floor run length, ms (0: none; undefined: the default). */
  readonly floorMs: number | undefined;
  /** Interleaved rounds of a comparison. */
  readonly rounds: number;
}

/** Parse the CI/comparison options; throws `BAD_ARGUMENT` naming the flag. */
export function parseStressExtras(values: StressExtraValues): StressExtras {
  return {
    target: values.target,
    thresholds: {
      ...(values['max-p99'] !== undefined ? { maxP99Us: parseLatencyLimit(values['max-p99']) } : {}),
      ...(values['min-delivered'] !== undefined ? { minDelivered: parseFraction(values['min-delivered']) } : {}),
    },
    floorMs:
      values.floor === undefined
        ? undefined
        : values.floor.trim() === '0' || values.floor.trim() === 'off'
          ? 0
          : parseDuration(values.floor),
    rounds: parsePositive(values.rounds, 2, 'rounds', { max: 100 }),
  };
}
