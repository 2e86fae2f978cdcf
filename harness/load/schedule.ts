/**
 * Open-loop constant-rate pacing over many connections (wrk2-style). The plan (`schedule-plan.ts`) fixes
 * when every frame is due; the pacer wakes up, sends *every* frame that is due on every connection
 * (overdue ones batched into one write, never skipped), and sleeps until the next one is due.
 * If it falls behind (slow machine, a sink that stalls) it catches up later; each frame keeps its
 * scheduled time in its probe, so lateness lands in the latency numbers instead of vanishing.
 *
 * Wake-ups: `setTimeout` while the next frame is more than `spinThresholdUs` away, `setImmediate`
 * (which still lets I/O run) when it is closer. Timers only have ~1 ms granularity, so every wake-up
 * sends everything due by then; the default (no spinning) trades ~0.5 ms of median send lateness for
 * leaving the CPU to the candidate.
 *
 * The run is `valid` when the achieved rate is at least 98% of the target; otherwise the figures describe
 * the generator or machine, not the candidate. `limitedBy` says why a run fell short.
 *
 * @module
 */
import { KitError } from '../common/errors.ts';
import { nowUs } from './clock.ts';
import type { ClockUs } from './clock.ts';
import { FRAME_HEADER_SIZE } from '../wire/frame.ts';
import { LatencyRecorder } from './latency.ts';
import type { LatencySummary } from './latency.ts';
import type { PayloadSource } from './payload-factory.ts';
import { PROBE_SIZE, stampProbe } from './probe.ts';
import { SAMPLED_PROBE_MAGIC_U32, isSampled } from './probe-sample.ts';
import type { ProbeSampling } from './probe-sample.ts';
import { framesDueBy, planSchedules, probeTimeUs, scheduledAtUs } from './schedule-plan.ts';
import type { ConnectionSchedule } from './schedule-plan.ts';
import type { FrameSink } from './sink.ts';

export { framesDueBy, planSchedules, probeTimeUs, scheduledAtUs } from './schedule-plan.ts';
export type { ConnectionSchedule } from './schedule-plan.ts';

/** Options of {@link startPacedLoad}. */
export interface PacedLoadOptions {
  /** One sink per connection; connection i writes to `sinks[i]`. */
  readonly sinks: readonly FrameSink[];
  /** Target total rate across all connections, frames/s. */
  readonly rate: number;
  /** Run length in ms (frames due before the end are sent). Give this or `framesPerConnection`. */
  readonly durationMs?: number;
  /** Exactly this many frames per connection (wins over `durationMs`). */
  readonly framesPerConnection?: number;
  /** Payloads, e.g. a `createPayloadFactory(...)`. */
  readonly payloads: PayloadSource;
  /** Stamp a probe header on every payload of ≥ 24 bytes (overwriting its first 24 bytes). Default true. */
  readonly probe?: boolean;
  /** Station index of connection 0 in probes. Default 0. */
  readonly stationBase?: number;
  /**
   * Mark a seeded fraction of frames as sampled probes (`probe-sample.ts`): their probe carries the
   * sampled magic, which a candidate with the `logProbes` knob reports. Default none.
   */
  readonly sampling?: ProbeSampling;
  /** Delay before the first frame is due, ms (lets the caller finish setting up). Default 0. */
  readonly startDelayMs?: number;
  /**
   * Spin with `setImmediate` when the next frame is due within this many µs, else sleep with `setTimeout`.
   * Default 0: never spin. Frames then go out in batches every ~1 ms (timer granularity), a median
   * lateness of ~0.5 ms (reported in `sendLag`), at ~10% of a core for 5k frames/s. 1000 gives µs-level
   * lateness but keeps a whole core busy at any rate above ~1k frames/s, which on a small machine is
   * taken from the candidate.
   */
  readonly spinThresholdUs?: number;
  /** A write batch stops growing once it holds this many bytes (so it may exceed it by one frame; it always holds ≥ 1 frame). Default 262,144. */
  readonly maxBatchBytes?: number;
  /** The run is valid when achieved ≥ validRatio × target. Default 0.98. */
  readonly validRatio?: number;
  /** Aborting stops the run early (the report then says `limitedBy: 'stopped'`). */
  readonly signal?: AbortSignal;
  /** Called after every write with the frames it carried (seq `firstSeq` … `firstSeq + count − 1`). */
  readonly onWrite?: (connection: number, firstSeq: number, count: number, atUs: number) => void;
  /** Clock, µs. Default `nowUs`. */
  readonly clock?: ClockUs;
}

/** Per-connection outcome. */
export interface ConnectionReport {
  readonly connection: number;
  readonly station: number;
  readonly framesPlanned: number;
  readonly framesSent: number;
  /** Bytes written including the 4-byte frame headers. */
  readonly bytesSent: number;
  /** Times `write` returned false, and the total µs spent waiting for drain. */
  readonly backpressureWaits: number;
  readonly backpressureUs: number;
  /** Why the connection stopped early (sink closed or threw), if it did. */
  readonly error?: string;
}

/** What limited a run: nothing, the generator/machine, candidate backpressure, an early stop or a dead sink. */
export type LoadLimit = 'none' | 'generator' | 'backpressure' | 'stopped' | 'sink-error';

/** The outcome of a paced run. */
export interface PacedLoadReport {
  /** Target total rate, frames/s. */
  readonly targetRate: number;
  /**
   * Frames sent / elapsed, frames/s; elapsed runs from the first scheduled time to the later of the last write
   * and the last sent frame's scheduled time, plus one slot. A run that ended with planned frames unsent
   * (stopped, or blocked by a candidate that stopped reading) runs until it ended, capped at the planned end.
   */
  readonly achievedRate: number;
  /** achievedRate / targetRate. */
  readonly ratio: number;
  /** ratio ≥ validRatio. When false, the numbers describe the generator or machine, not the candidate. */
  readonly valid: boolean;
  /** Why the run fell short ('none' when it did not). 'backpressure' means the candidate did not read fast enough. */
  readonly limitedBy: LoadLimit;
  readonly framesPlanned: number;
  readonly framesSent: number;
  /** Bytes written including frame headers. */
  readonly bytesSent: number;
  /** Scheduled time of the first frame, µs (`nowUs` clock). */
  readonly originUs: number;
  /** Time of the last write, µs. */
  readonly lastWriteUs: number;
  /** The elapsed time used for `achievedRate`, µs. */
  readonly elapsedUs: number;
  /**
   * Generator lateness: write time − scheduled time over all frames (includes waits for drain). Batches
   * of more than 32 frames are recorded in 32 strata (error < 1/64 of the batch's span).
   */
  readonly sendLag: LatencySummary;
  readonly connections: readonly ConnectionReport[];
  /** The plan, for the order matcher. */
  readonly schedules: readonly ConnectionSchedule[];
}

/** A running paced load. */
export interface PacedLoad {
  /** The plan (known at start: set up latency matching before any event arrives). */
  readonly schedules: readonly ConnectionSchedule[];
  /** Resolves when every planned frame is written (and the sinks drained), or after `stop()`. Never rejects for sink errors. */
  readonly done: Promise<PacedLoadReport>;
  /** Stop early; frames not yet written are not sent. */
  stop(): void;
  /** Frames written so far on `connection`. */
  sent(connection: number): number;
}

interface ConnState {
  readonly schedule: ConnectionSchedule;
  readonly sink: FrameSink;
  sent: number;
  bytes: number;
  blocked: boolean;
  /** When the current wait for drain began (valid while `blocked`). */
  blockedSinceUs: number;
  waits: number;
  blockedUs: number;
  error: string | undefined;
}

const LAG_STRATA = 32;
const SLAB_BYTES = 4 * 1024 * 1024;

/**
 * Carves write buffers out of 4 MiB slabs: one allocation per slab instead of one per batch, which
 * matters at a million frames/s. A chunk is never reused; a slab is freed once no chunk of it is referenced.
 */
function createSlab(): { take(bytes: number): Buffer } {
  let slab = Buffer.allocUnsafeSlow(SLAB_BYTES);
  let used = 0;
  return {
    take(bytes) {
      if (bytes > SLAB_BYTES) return Buffer.allocUnsafeSlow(bytes);
      if (used + bytes > SLAB_BYTES) {
        slab = Buffer.allocUnsafeSlow(SLAB_BYTES);
        used = 0;
      }
      const chunk = slab.subarray(used, used + bytes);
      used += bytes;
      return chunk;
    },
  };
}

const finished = (s: ConnState): boolean => s.error !== undefined || s.sent >= s.schedule.frames;

/** Start sending by the plan; see the module doc. Throws `LOAD_INVALID_OPTION` on bad options. */
export function startPacedLoad(options: PacedLoadOptions): PacedLoad {
  const clock = options.clock ?? nowUs;
  const probe = options.probe ?? true;
  const sampling = options.sampling;
  const spinUs = options.spinThresholdUs ?? 0;
  const maxBatch = options.maxBatchBytes ?? 256 * 1024;
  const validRatio = options.validRatio ?? 0.98;
  const { payloads, rate, onWrite } = options;
  if (!(validRatio > 0 && validRatio <= 1)) throw new KitError('LOAD_INVALID_OPTION', `validRatio must be in (0, 1], got ${validRatio}`);
  if (!(maxBatch > 0)) throw new KitError('LOAD_INVALID_OPTION', `maxBatchBytes must be > 0, got ${maxBatch}`);
  const schedules = planSchedules({
    connections: options.sinks.length,
    rate,
    originUs: clock() + (options.startDelayMs ?? 0) * 1000,
    stationBase: options.stationBase ?? 0,
    ...(options.durationMs !== undefined ? { durationMs: options.durationMs } : {}),
    ...(options.framesPerConnection !== undefined ? { framesPerConnection: options.framesPerConnection } : {}),
  });
  const originUs = schedules[0]?.startUs ?? clock();
  const states: ConnState[] = schedules.map((schedule, i) => ({
    schedule,
    sink: options.sinks[i] as FrameSink,
    sent: 0,
    bytes: 0,
    blocked: false,
    blockedSinceUs: 0,
    waits: 0,
    blockedUs: 0,
    error: undefined,
  }));
  const lag = new LatencyRecorder({ series: false });
  let lastWriteUs = originUs;
  let stopped = false;
  let closed = false;
  let immediate: NodeJS.Immediate | undefined;
  let timeout: NodeJS.Timeout | undefined;
  const batch: Uint8Array[] = [];
  const slab = createSlab();

  let resolveDone!: (report: PacedLoadReport) => void;
  const done = new Promise<PacedLoadReport>((resolve) => (resolveDone = resolve));

  const wake = (): void => {
    if (closed || immediate !== undefined) return;
    if (timeout !== undefined) clearTimeout(timeout);
    timeout = undefined;
    immediate = setImmediate(tick);
  };

  const fail = (state: ConnState, error: unknown): void => {
    state.error = error instanceof Error ? error.message : String(error);
  };

  const block = (state: ConnState): void => {
    state.blocked = true;
    state.waits++;
    const since = clock();
    state.blockedSinceUs = since;
    state.sink.waitDrain().then(
      () => {
        state.blocked = false;
        state.blockedUs += clock() - since;
        wake();
      },
      (error: unknown) => {
        state.blocked = false;
        state.blockedUs += clock() - since;
        fail(state, error);
        wake();
      },
    );
  };

  /**
   * Lateness of frames [from, to) written at `at`. Exact per frame for small batches; large (catch-up)
   * batches are recorded as LAG_STRATA equal runs of frames at their middle frame's lateness, which keeps
   * the hot path cheap at the cost of an error under 1/(2·LAG_STRATA) of the batch's time span.
   */
  const recordLag = (schedule: ConnectionSchedule, from: number, to: number, at: number): void => {
    const count = to - from;
    if (count <= LAG_STRATA) {
      for (let k = from; k < to; k++) lag.record(scheduledAtUs(schedule, k), at);
      return;
    }
    for (let i = 0; i < LAG_STRATA; i++) {
      const lo = from + Math.floor((count * i) / LAG_STRATA);
      const hi = from + Math.floor((count * (i + 1)) / LAG_STRATA);
      lag.record(scheduledAtUs(schedule, (lo + hi - 1) / 2), at, hi - lo);
    }
  };

  /** Write frames [state.sent, due) in batches of ≤ maxBatch bytes; stops early when the sink fills up or fails. */
  const sendDue = (state: ConnState, due: number): void => {
    const { schedule, sink } = state;
    while (state.sent < due) {
      let bytes = 0;
      batch.length = 0;
      while (state.sent + batch.length < due && (batch.length === 0 || bytes < maxBatch)) {
        const payload = payloads.next();
        batch.push(payload);
        bytes += FRAME_HEADER_SIZE + payload.length;
      }
      const chunk = slab.take(bytes);
      const view = new DataView(chunk.buffer, chunk.byteOffset, bytes);
      let offset = 0;
      let seq = state.sent;
      for (const payload of batch) {
        view.setUint32(offset, payload.length);
        offset += FRAME_HEADER_SIZE;
        chunk.set(payload, offset);
        if (probe && payload.length >= PROBE_SIZE) {
          stampProbe(view, offset, schedule.station, seq, probeTimeUs(schedule, seq));
          if (sampling !== undefined && isSampled(sampling, schedule.station, seq)) view.setUint32(offset, SAMPLED_PROBE_MAGIC_U32);
        }
        offset += payload.length;
        seq++;
      }
      let ok: boolean;
      try {
        ok = sink.write(chunk);
      } catch (error) {
        fail(state, error);
        return;
      }
      const at = clock();
      const first = state.sent;
      recordLag(schedule, first, seq, at);
      state.sent = seq;
      state.bytes += bytes;
      lastWriteUs = at;
      onWrite?.(schedule.connection, first, seq - first, at);
      if (!ok) {
        block(state);
        return;
      }
    }
  };

  function tick(): void {
    immediate = undefined;
    timeout = undefined;
    if (closed) return;
    if (stopped) return finish();
    const now = clock();
    for (const state of states) {
      if (state.blocked || finished(state)) continue;
      sendDue(state, framesDueBy(state.schedule, now));
    }
    let next = Infinity;
    let anyBlocked = false;
    for (const state of states) {
      if (state.blocked) anyBlocked = true;
      else if (!finished(state)) next = Math.min(next, scheduledAtUs(state.schedule, state.sent));
    }
    if (next === Infinity) {
      if (!anyBlocked) finish(); // else a drain (or its failure) wakes us
      return;
    }
    const delay = next - clock();
    if (delay <= spinUs) immediate = setImmediate(tick);
    else timeout = setTimeout(tick, Math.max(1, Math.floor((delay - spinUs) / 1000)));
  }

  function finish(): void {
    if (closed) return;
    closed = true;
    if (immediate !== undefined) clearImmediate(immediate);
    if (timeout !== undefined) clearTimeout(timeout);
    options.signal?.removeEventListener('abort', stop);
    resolveDone(report());
  }

  function report(): PacedLoadReport {
    const framesSent = states.reduce((sum, s) => sum + s.sent, 0);
    const framesPlanned = states.reduce((sum, s) => sum + s.schedule.frames, 0);
    let lastScheduled = originUs;
    for (const s of states) if (s.sent > 0) lastScheduled = Math.max(lastScheduled, scheduledAtUs(s.schedule, s.sent - 1));
    // A run that ended with planned frames unsent (stopped, or a connection blocked until the stop) ran
    // until now: the frames it could not send count against the achieved rate.
    const runEndUs =
      framesSent < framesPlanned
        ? Math.max(lastWriteUs, lastScheduled, Math.min(clock(), originUs + (framesPlanned / rate) * 1e6))
        : Math.max(lastWriteUs, lastScheduled);
    const elapsedUs = runEndUs - originUs + 1e6 / rate;
    const achievedRate = framesSent === 0 ? 0 : (framesSent / elapsedUs) * 1e6;
    const ratio = achievedRate / rate;
    const valid = ratio >= validRatio;
    // A wait still pending (the run was stopped while the candidate was not reading) counts up to now.
    const endUs = clock();
    const blockedUs = (s: ConnState): number => s.blockedUs + (s.blocked ? endUs - s.blockedSinceUs : 0);
    const maxBlockedUs = Math.max(0, ...states.map(blockedUs));
    const limitedBy: LoadLimit = states.some((s) => s.error !== undefined)
      ? 'sink-error'
      : framesSent < framesPlanned
        ? 'stopped'
        : valid
          ? 'none'
          : maxBlockedUs >= 0.02 * elapsedUs
            ? 'backpressure'
            : 'generator';
    return {
      targetRate: rate,
      achievedRate,
      ratio,
      valid,
      limitedBy,
      framesPlanned,
      framesSent,
      bytesSent: states.reduce((sum, s) => sum + s.bytes, 0),
      originUs,
      lastWriteUs,
      elapsedUs,
      sendLag: lag.summary(),
      schedules,
      connections: states.map((s) => ({
        connection: s.schedule.connection,
        station: s.schedule.station,
        framesPlanned: s.schedule.frames,
        framesSent: s.sent,
        bytesSent: s.bytes,
        backpressureWaits: s.waits,
        backpressureUs: blockedUs(s),
        ...(s.error !== undefined ? { error: s.error } : {}),
      })),
    };
  }

  function stop(): void {
    stopped = true;
    wake();
  }

  if (options.signal?.aborted) stopped = true;
  options.signal?.addEventListener('abort', stop);
  wake();
  return { schedules, done, stop, sent: (connection) => states[connection]?.sent ?? 0 };
}

/** `startPacedLoad(options).done`: run a paced load to completion. */
export function runPacedLoad(options: PacedLoadOptions): Promise<PacedLoadReport> {
  return startPacedLoad(options).done;
}
