/**
 * The open-loop schedule, as pure arithmetic (wrk2-style): frame k of connection c is *scheduled* at
 * `startUs_c + k · intervalUs`, whatever happens when it is actually sent. With N connections sharing a
 * total rate R, every connection runs at R/N (intervalUs = N·10⁶/R) and connection c is phase-shifted by
 * c/R, so the merged stream is exactly R frames/s: global slot g = k·N + c is due at origin + g/R.
 *
 * The pacer sends by this plan; the order matcher (`latency-match.ts`) recomputes scheduled times from it.
 *
 * @module
 */
import { KitError } from '../common/errors.ts';

/** The schedule of one connection. */
export interface ConnectionSchedule {
  /** Index of the connection (its sink) in the run, from 0. */
  readonly connection: number;
  /** Station index stamped in its probes (`stationBase + connection`). */
  readonly station: number;
  /** Scheduled time of frame 0, µs on the `nowUs` clock (fractional). */
  readonly startUs: number;
  /** Time between consecutive frames of this connection, µs (fractional). */
  readonly intervalUs: number;
  /** Frames planned on this connection. */
  readonly frames: number;
}

/** Scheduled send time of frame `k` of a connection (µs, fractional; probes carry it rounded). */
export function scheduledAtUs(schedule: ConnectionSchedule, k: number): number {
  return schedule.startUs + k * schedule.intervalUs;
}

/** Scheduled time rounded to whole µs, exactly as the probe header carries it. */
export function probeTimeUs(schedule: ConnectionSchedule, k: number): number {
  return Math.round(scheduledAtUs(schedule, k));
}

/** Frames of a connection due at `atUs` (scheduled at or before it), capped at the plan. */
export function framesDueBy(schedule: ConnectionSchedule, atUs: number): number {
  if (atUs < schedule.startUs) return 0;
  return Math.min(schedule.frames, Math.floor((atUs - schedule.startUs) / schedule.intervalUs) + 1);
}

/** Options of {@link planSchedules}. */
export interface PlanOptions {
  /** Number of connections (≥ 1). */
  readonly connections: number;
  /** Total rate across all connections, frames/s (> 0). */
  readonly rate: number;
  /** Scheduled time of the very first frame (connection 0, frame 0), µs on the `nowUs` clock. */
  readonly originUs: number;
  /** Run length: frames whose global slot is due before `originUs + durationMs` are planned. */
  readonly durationMs?: number;
  /** Alternatively, exactly this many frames on every connection (wins over `durationMs`). */
  readonly framesPerConnection?: number;
  /** Station index of connection 0 in probes. Default 0. */
  readonly stationBase?: number;
}

/** The per-connection schedules of a run. Throws `LOAD_INVALID_OPTION` on nonsense. */
export function planSchedules(options: PlanOptions): ConnectionSchedule[] {
  const { connections: n, rate, originUs } = options;
  const stationBase = options.stationBase ?? 0;
  if (!Number.isInteger(n) || n < 1) throw new KitError('LOAD_INVALID_OPTION', `connections must be ≥ 1, got ${n}`);
  if (!(rate > 0 && Number.isFinite(rate))) throw new KitError('LOAD_INVALID_OPTION', `rate must be > 0, got ${rate}`);
  const fixed = options.framesPerConnection;
  if (fixed === undefined && !(options.durationMs !== undefined && options.durationMs >= 0)) {
    throw new KitError('LOAD_INVALID_OPTION', 'give durationMs or framesPerConnection');
  }
  if (fixed !== undefined && !(Number.isInteger(fixed) && fixed >= 0)) {
    throw new KitError('LOAD_INVALID_OPTION', `framesPerConnection must be a non-negative integer, got ${fixed}`);
  }
  const slotUs = 1e6 / rate;
  const totalSlots = Math.ceil(((options.durationMs ?? 0) * 1000) / slotUs - 1e-9);
  return Array.from({ length: n }, (_, c) => ({
    connection: c,
    station: stationBase + c,
    startUs: originUs + c * slotUs,
    intervalUs: n * slotUs,
    frames: fixed ?? (c < totalSlots ? Math.floor((totalSlots - 1 - c) / n) + 1 : 0),
  }));
}
