/**
 * One measured stress run against a broker target: N station connections paced open-loop at a constant
 * total rate (`startPacedLoad`), the candidate's events matched back to the frames sent, then a bounded
 * drain window, then the figures.
 *
 * Definitions (also in `harness/load/README.md`):
 * - **latency** of a frame at a handler = when the kit read that handler's event for it − when the frame
 *   was *scheduled* (wrk2: a late send counts against the candidate's latency, never hides it). With
 *   `frame` events the k-th event of (station, handler) is the k-th frame sent on that station
 *   (`OrderMatcher`, valid for any log format, tracing's byte-count-only lines included). With only
 *   `stats` running totals, the handler's total T at time t means the first T frames of the merged
 *   schedule were handled by t: an upper bound at the resolution of the stats period.
 * - **seen** by a handler = its frame events on this run's stations, or its last stats total minus the
 *   total at the start of the run.
 * - **loss** of a handler = frames sent − frames seen at the end of the drain window (lost, or still queued
 *   when the kit stopped waiting). `missedReported` is what the candidate itself admitted (stats
 *   `missed`, else the sum of `lagged` events).
 * - **delivered rate** of a handler = seen / (time of its last new frame − first scheduled time).
 *
 * Everything opened here (sockets, timers, listeners) is released before the promise settles.
 *
 * @module
 */
import net from 'node:net';
import { KitError } from '../../common/errors.ts';
import { delay } from '../../common/wait.ts';
import { stationPort } from '../../wire/broker-events.ts';
import type { BrokerEvent } from '../../wire/broker-events.ts';
import { nowUs } from '../clock.ts';
import { LatencyRecorder, mergeRecorders } from '../latency.ts';
import type { LatencyPoint, LatencySummary, SpectrumPoint } from '../latency.ts';
import { OrderMatcher } from '../latency-match.ts';
import { SampledProbeMatcher } from '../probe-sample.ts';
import type { ProbeSampling } from '../probe-sample.ts';
import { createPayloadFactory } from '../payload-factory.ts';
import type { PayloadSource } from '../payload-factory.ts';
import { scheduledAtUs, startPacedLoad } from '../schedule.ts';
import type { ConnectionSchedule, LoadLimit, PacedLoadReport } from '../schedule.ts';
import { socketSink } from '../sink.ts';
import { describeSizes } from '../sizes.ts';
import type { BrokerLoadSpec } from './options.ts';
import type { BrokerTarget, StatsTotals } from './target.ts';

/**
 * Where a handler's figures came from: `frames` (an event per frame), `probes` (events for the sampled
 * probe frames only: exact latency of a seeded sample, counts from stats), `stats` (running totals only:
 * latency an upper bound at the stats period), `none`.
 */
export type HandlerSource = 'frames' | 'probes' | 'stats' | 'none';

/** How each latency method is described in the output. */
export const LATENCY_METHODS: Readonly<Record<HandlerSource | 'mixed' | 'acceptance', string>> = {
  acceptance: "kit-side probes: scheduled send → the service's socket accepted the bytes (it logs nothing): a lower bound",
  frames: 'every frame matched (k-th event ↔ k-th frame): exact per frame',
  probes: 'sampled probe frames (a seeded fraction, each matched to its send time): exact per probe',
  stats: 'stats running totals: an upper bound at the resolution of the stats period',
  mixed: 'handlers reported by different methods (see the handler table)',
  none: 'no events',
};

/** Options of {@link runBrokerLoad}. */
export interface BrokerLoadOptions extends BrokerLoadSpec {
  /** The slow handler: an id, `'lowest'` (the lowest id seen: the knob's convention), or none. */
  readonly slowHandler?: number | 'lowest';
  /** Handlers the candidate should have (the drain waits for all of them to show up). */
  readonly expectedHandlers?: number;
  /** After the paced phase, wait at most this long for the fast handlers to see every frame, ms. Default 5000. */
  readonly drainMs?: number;
  /** The pacer is stopped this long after the planned end if it is still behind (blocked), ms. Default 10% of the duration, 1–10 s. */
  readonly stopGraceMs?: number;
  /** Aborting ends the run early (`limitedBy: 'stopped'`); the figures so far are still returned. */
  readonly signal?: AbortSignal;
  /** Called about every `progressEveryMs` while the load runs and drains. */
  readonly onProgress?: (progress: LoadProgress) => void;
  /** Default 1000. */
  readonly progressEveryMs?: number;
  /** Passed to the pacer. */
  readonly spinThresholdUs?: number;
  /** Payloads; default `createPayloadFactory({ kind: payload, seed, sizes })`. */
  readonly payloads?: PayloadSource;
  /**
   * Send sampled probe frames (`probe-sample.ts`): the candidate's `frame` events are then taken to be
   * those of the sampled frames only (it was started with `logProbes`), counts come from `stats`.
   * Default none.
   */
  readonly sampling?: ProbeSampling;
}

/** A progress snapshot. */
export interface LoadProgress {
  readonly phase: 'load' | 'drain';
  readonly elapsedMs: number;
  readonly durationMs: number;
  readonly sent: number;
  /** Frames sent per second over the last progress interval. */
  readonly sendRate: number;
  readonly targetRate: number;
  readonly handlers: readonly { readonly handler: number; readonly seen: number; readonly p99Us: number }[];
}

/** One handler's figures. */
export interface HandlerResult {
  readonly handler: number;
  readonly slow: boolean;
  readonly source: HandlerSource;
  readonly seen: number;
  /** sent − seen (≥ 0). */
  readonly loss: number;
  /** loss / sent. */
  readonly lossRatio: number;
  /** Frame events beyond what was sent (a candidate or matching problem). */
  readonly surplus: number;
  /** Loss the candidate reported itself. */
  readonly missedReported: number;
  readonly missedSource: 'stats' | 'lagged';
  readonly deliveredRate: number;
  readonly latency: LatencySummary;
  readonly latencySeries: readonly LatencyPoint[];
}

/** One point of the rate series: frames per second bucket since the first scheduled frame. */
export interface RatePoint {
  readonly second: number;
  readonly sent: number;
  /** Frames newly seen by each handler in that second, by handler id. */
  readonly delivered: Readonly<Record<number, number>>;
}

/** The generator's side, without the plan. */
export type LoadReportSummary = Omit<PacedLoadReport, 'schedules' | 'connections' | 'limitedBy'> & {
  readonly backpressureWaits: number;
  /** Longest total time one connection spent waiting for the candidate to read, µs. */
  readonly maxBackpressureUs: number;
  readonly connectionErrors: readonly string[];
};

/** What {@link runBrokerLoad} returns. */
export interface BrokerLoadResult {
  readonly connections: number;
  readonly sizes: string;
  readonly payload: string;
  readonly meanPayloadBytes: number;
  readonly durationMs: number;
  readonly targetRate: number;
  readonly achievedRate: number;
  /** achieved / target. */
  readonly ratio: number;
  /** At least 98% of the target rate was sent: the figures describe the candidate under the target load. */
  readonly valid: boolean;
  /**
   * Why the run fell short: `generator` (the kit or the machine), `backpressure` (the candidate stopped
   * reading: TCP pushed back), `stopped` (Ctrl-C), `sink-error` (a connection failed), or `none`.
   */
  readonly limitedBy: LoadLimit;
  readonly sent: number;
  readonly bytesSent: number;
  readonly load: LoadReportSummary;
  readonly handlers: readonly HandlerResult[];
  /** Fast handlers merged (every handler when none is slow). */
  readonly latency: LatencySummary;
  readonly latencySeries: readonly LatencyPoint[];
  /** The fast handlers' percentile spectrum (see `LatencyRecorder.spectrum`). */
  readonly latencySpectrum?: readonly SpectrumPoint[];
  /** `acceptance`: a target without events, latency from the kit's own send lag (see `remote-target.ts`). */
  readonly latencySource: HandlerSource | 'mixed' | 'acceptance';
  /** The latency method in words (see {@link LATENCY_METHODS}); with probes, the sampled fraction. */
  readonly latencyMethod: string;
  /** Lowest delivered rate among the fast handlers. */
  readonly deliveredRate: number;
  readonly rateSeries: readonly RatePoint[];
  readonly matching: { readonly matched: number; readonly surplus: number; readonly unknown: number };
  readonly drain: { readonly waitedMs: number; readonly complete: boolean };
  /** When the first frame was scheduled, µs (`nowUs`). */
  readonly originUs: number;
  readonly notes: readonly string[];
}

interface HandlerTally {
  readonly id: number;
  frameEvents: number;
  readonly frameRecorder: LatencyRecorder;
  readonly frameMatcher: OrderMatcher<number>;
  readonly statsRecorder: LatencyRecorder;
  readonly statsMatcher: OrderMatcher<number>;
  readonly probeRecorder: LatencyRecorder;
  readonly probeMatcher: SampledProbeMatcher<number> | undefined;
  probeEvents: number;
  readonly baseline: StatsTotals | undefined;
  stats: StatsTotals | undefined;
  statsEvents: number;
  lagged: number;
  lastFrameUs: number;
  lastStatsGainUs: number;
  readonly deliveredFrames: number[];
  readonly deliveredStats: number[];
  /** Latencies since the last progress report (2 significant digits: cheap percentiles for the live line). */
  interval: LatencyRecorder;
}

const intervalRecorder = (): LatencyRecorder => new LatencyRecorder({ significantDigits: 2, series: false });

async function connectAll(host: string, port: number, n: number): Promise<net.Socket[]> {
  const sockets: net.Socket[] = [];
  try {
    for (let start = 0; start < n; start += 16) {
      const batch = await Promise.all(
        Array.from(
          { length: Math.min(16, n - start) },
          () =>
            new Promise<net.Socket>((resolve, reject) => {
              const socket = net.connect({ host, port });
              socket.setNoDelay(true);
              const timer = setTimeout(() => {
                socket.destroy();
                reject(new KitError('STRESS_CONNECT', `connect to ${host}:${port} timed out`));
              }, 5000);
              socket.once('connect', () => {
                clearTimeout(timer);
                socket.on('error', () => undefined); // surfaces as a sink error in the pacer
                resolve(socket);
              });
              socket.once('error', (error) => {
                clearTimeout(timer);
                reject(new KitError('STRESS_CONNECT', `connect to ${host}:${port}: ${error.message}`));
              });
            }),
        ),
      );
      sockets.push(...batch);
    }
  } catch (error) {
    for (const socket of sockets) socket.destroy();
    throw error;
  }
  return sockets;
}

/** What a new handler's tally is matched against: the run's schedules, by connection and merged. */
interface TallyPlan {
  originUs: number;
  schedules: readonly ConnectionSchedule[];
  ports: readonly number[];
  merged: ConnectionSchedule;
  sampling: ProbeSampling | undefined;
  baseline: StatsTotals | undefined;
}

/** A handler's tally: frame, stats and probe matchers over every connection's schedule, empty counters. */
function newTally(id: number, run: TallyPlan): HandlerTally {
  const recorder = (): LatencyRecorder => new LatencyRecorder({ seriesOriginUs: run.originUs });
  const frameRecorder = recorder();
  const statsRecorder = recorder();
  const frameMatcher = new OrderMatcher<number>(frameRecorder);
  for (const [i, schedule] of run.schedules.entries()) frameMatcher.expect(run.ports[i] as number, schedule);
  const statsMatcher = new OrderMatcher<number>(statsRecorder);
  statsMatcher.expect(id, run.merged);
  const probeRecorder = recorder();
  const probeMatcher = run.sampling === undefined ? undefined : new SampledProbeMatcher<number>(probeRecorder, run.sampling);
  if (probeMatcher !== undefined)
    for (const [i, schedule] of run.schedules.entries()) probeMatcher.expect(run.ports[i] as number, schedule);
  return {
    id,
    frameEvents: 0,
    frameRecorder,
    frameMatcher,
    statsRecorder,
    statsMatcher,
    probeRecorder,
    probeMatcher,
    probeEvents: 0,
    baseline: run.baseline,
    stats: undefined,
    statsEvents: 0,
    lagged: 0,
    lastFrameUs: 0,
    lastStatsGainUs: 0,
    deliveredFrames: [],
    deliveredStats: [],
    interval: intervalRecorder(),
  };
}

/** Run one stress measurement against `target`; see the module doc. */
export async function runBrokerLoad(target: BrokerTarget, options: BrokerLoadOptions): Promise<BrokerLoadResult> {
  const drainMs = options.drainMs ?? 5000;
  const graceMs = options.stopGraceMs ?? Math.min(10_000, Math.max(1000, options.durationMs * 0.1));
  const progressEveryMs = options.progressEveryMs ?? 1000;
  const notes: string[] = [];
  const payloads = options.payloads ?? createPayloadFactory({ kind: options.payload, seed: options.seed, sizes: options.sizes });
  const meanPayloadBytes = 'meanSize' in payloads && typeof payloads.meanSize === 'number' ? payloads.meanSize : 0;

  const sockets = await connectAll(target.host, target.port, options.connections);
  const ports = sockets.map((s) => s.localPort ?? -1);
  const baseline = target.events.lastStats();
  const stop = new AbortController();
  let stoppedByUser = false;
  let stoppedByDeadline = false;
  const onAbort = (): void => {
    stoppedByUser = true;
    stop.abort();
  };
  if (options.signal?.aborted) stoppedByUser = true;
  options.signal?.addEventListener('abort', onAbort);

  const sentPerSecond: number[] = [];
  let originUs = 0;
  const load = startPacedLoad({
    sinks: sockets.map(socketSink),
    rate: options.rate,
    durationMs: options.durationMs,
    payloads,
    signal: stop.signal,
    ...(options.sampling !== undefined ? { sampling: options.sampling } : {}),
    ...(options.spinThresholdUs !== undefined ? { spinThresholdUs: options.spinThresholdUs } : {}),
    onWrite: (_connection, _first, count, atUs) => {
      const i = Math.max(0, Math.floor((atUs - originUs) / 1e6));
      sentPerSecond[i] = (sentPerSecond[i] ?? 0) + count;
    },
  });
  if (stoppedByUser) load.stop();
  const schedules = load.schedules;
  originUs = schedules[0]?.startUs ?? nowUs();
  const totalPlanned = schedules.reduce((sum, s) => sum + s.frames, 0);
  const merged: ConnectionSchedule = {
    connection: -1,
    station: -1,
    startUs: originUs,
    intervalUs: 1e6 / options.rate,
    frames: totalPlanned,
  };
  const connectionOf = new Map<number, number>(ports.map((p, i) => [p, i]));

  const tallies = new Map<number, HandlerTally>();
  let unknownEvents = 0;
  const tally = (id: number): HandlerTally => {
    let t = tallies.get(id);
    if (t === undefined) {
      t = newTally(id, { originUs, schedules, ports, merged, sampling: options.sampling, baseline: baseline.get(id) });
      tallies.set(id, t);
    }
    return t;
  };
  const bucket = (atUs: number): number => Math.max(0, Math.floor((atUs - originUs) / 1e6));

  const onEvent = (event: BrokerEvent, atUs: number): void => {
    const h = event.handler;
    if (h === undefined) return;
    if (event.event === 'frame') {
      const port = stationPort(event.station);
      if (port === undefined || !connectionOf.has(port)) {
        unknownEvents++;
        return;
      }
      const t = tally(h);
      if (t.probeMatcher !== undefined) {
        t.probeEvents++;
        const latency = t.probeMatcher.observe(port, atUs);
        if (latency !== undefined) t.interval.record(0, latency);
        return;
      }
      t.frameEvents++;
      const k = t.frameMatcher.seen(port);
      if (t.frameMatcher.observe(port, atUs) > 0) {
        t.interval.record(scheduledAtUs(schedules[connectionOf.get(port) as number] as ConnectionSchedule, k), atUs);
        t.lastFrameUs = atUs;
        const i = bucket(atUs);
        t.deliveredFrames[i] = (t.deliveredFrames[i] ?? 0) + 1;
      }
    } else if (event.event === 'stats' && event.frames !== undefined) {
      const t = tally(h);
      t.statsEvents++;
      t.stats = { frames: event.frames, bytes: event.bytes ?? 0, missed: event.missed, atUs };
      const total = event.frames - (t.baseline?.frames ?? 0);
      const gained = t.statsMatcher.observeTotal(h, total, atUs);
      if (gained > 0) {
        if (t.frameEvents === 0 && t.probeEvents === 0) t.interval.record(scheduledAtUs(merged, total - 1), atUs, gained);
        t.lastStatsGainUs = atUs;
        const i = bucket(atUs);
        t.deliveredStats[i] = (t.deliveredStats[i] ?? 0) + gained;
      }
    } else if (event.event === 'lagged') {
      tally(h).lagged += event.missed ?? 0;
    }
  };
  const unsubscribe = target.events.on(onEvent);

  const sourceOf = (t: HandlerTally): HandlerSource =>
    t.frameEvents > 0 ? 'frames' : t.probeEvents > 0 && t.statsEvents > 0 ? 'probes' : t.statsEvents > 0 ? 'stats' : 'none';
  /** Where a handler's latency comes from (probes without stats still give latency, not counts). */
  const latencyRecorderOf = (t: HandlerTally): LatencyRecorder =>
    t.probeEvents > 0 ? t.probeRecorder : sourceOf(t) === 'stats' ? t.statsRecorder : t.frameRecorder;
  const seenOf = (t: HandlerTally): number => {
    const source = sourceOf(t);
    if (source === 'frames') return t.frameMatcher.stats().matched;
    if (source === 'stats' || source === 'probes') return Math.max(0, (t.stats?.frames ?? 0) - (t.baseline?.frames ?? 0));
    return 0;
  };
  const slowId = (): number | undefined => {
    if (options.slowHandler === undefined) return undefined;
    if (options.slowHandler === 'lowest') return tallies.size === 0 ? undefined : Math.min(...tallies.keys());
    return options.slowHandler;
  };
  const sentOn = (c: number): number => load.sent(c);
  const sentTotal = (): number => schedules.reduce((sum, _s, c) => sum + sentOn(c), 0);
  /** Every fast handler (and the expected number of handlers) has seen every frame sent. */
  const complete = (): boolean => {
    if (tallies.size === 0 || (options.expectedHandlers !== undefined && tallies.size < options.expectedHandlers)) return false;
    const slow = slowId();
    for (const t of tallies.values()) {
      if (t.id === slow) continue;
      const source = sourceOf(t);
      if (source === 'frames') {
        for (let c = 0; c < ports.length; c++) if (t.frameMatcher.seen(ports[c] as number) < sentOn(c)) return false;
      } else if (seenOf(t) < sentTotal()) return false;
    }
    return true;
  };

  const startedMs = performance.now();
  let phase: LoadProgress['phase'] = 'load';
  let lastSent = 0;
  let lastProgressMs = startedMs;
  const progress = (): void => {
    if (options.onProgress === undefined) return;
    const now = performance.now();
    const sent = sentTotal();
    const rate = ((sent - lastSent) / Math.max(1, now - lastProgressMs)) * 1000;
    lastSent = sent;
    lastProgressMs = now;
    options.onProgress({
      phase,
      elapsedMs: now - startedMs,
      durationMs: options.durationMs,
      sent,
      sendRate: rate,
      targetRate: options.rate,
      handlers: [...tallies.values()]
        .sort((a, b) => a.id - b.id)
        .map((t) => {
          const p99Us = t.interval.summary().p99Us;
          t.interval = intervalRecorder();
          return { handler: t.id, seen: seenOf(t), p99Us };
        }),
    });
  };
  const progressTimer = setInterval(progress, progressEveryMs);
  const deadline = setTimeout(() => {
    stoppedByDeadline = true;
    stop.abort();
  }, options.durationMs + graceMs);

  let report: PacedLoadReport;
  let drainWaitedMs = 0;
  let drained = false;
  try {
    report = await load.done;
    clearTimeout(deadline);
    phase = 'drain';
    const drainStart = performance.now();
    while (!stoppedByUser && target.running !== false && performance.now() - drainStart < drainMs) {
      if (complete()) break;
      await delay(20);
    }
    drained = complete();
    drainWaitedMs = performance.now() - drainStart;
  } finally {
    clearInterval(progressTimer);
    clearTimeout(deadline);
    options.signal?.removeEventListener('abort', onAbort);
    unsubscribe();
    for (const socket of sockets) socket.destroy();
  }
  if (!target.running) notes.push('the candidate process exited during the run');

  // What limited the run, as the stress command sees it.
  const maxBackpressureUs = Math.max(0, ...report.connections.map((c) => c.backpressureUs));
  let limitedBy: LoadLimit = report.limitedBy;
  if (limitedBy === 'stopped' && !stoppedByUser) {
    limitedBy = maxBackpressureUs >= 0.02 * report.elapsedUs ? 'backpressure' : 'generator';
    if (stoppedByDeadline)
      notes.push(
        `the pacer was still ${report.framesPlanned - report.framesSent} frames behind ${Math.round(graceMs)} ms after the planned end and was stopped`,
      );
  }
  const valid = report.valid && limitedBy === 'none';

  const slow = slowId();
  const elapsedEndUs = originUs + report.elapsedUs;
  const handlers: HandlerResult[] = [...tallies.values()]
    .sort((a, b) => a.id - b.id)
    .map((t) => {
      const source = sourceOf(t);
      const seen = seenOf(t);
      const recorder = latencyRecorderOf(t);
      const statsMissed = t.stats?.missed !== undefined ? t.stats.missed - (t.baseline?.missed ?? 0) : undefined;
      const lastUs = source === 'stats' || source === 'probes' ? t.lastStatsGainUs : t.lastFrameUs;
      const spanUs = Math.max(lastUs, elapsedEndUs) - originUs;
      return {
        handler: t.id,
        slow: t.id === slow,
        source,
        seen,
        loss: Math.max(0, report.framesSent - seen),
        lossRatio: report.framesSent === 0 ? 0 : Math.max(0, report.framesSent - seen) / report.framesSent,
        surplus: t.frameMatcher.stats().surplus,
        missedReported: statsMissed ?? t.lagged,
        missedSource: statsMissed !== undefined ? 'stats' : 'lagged',
        deliveredRate: spanUs > 0 ? (seen / spanUs) * 1e6 : 0,
        latency: recorder.summary(),
        latencySeries: recorder.series(),
      } satisfies HandlerResult;
    });
  const fast = [...tallies.values()].filter((t) => t.id !== slow);
  const fastRecorders = fast.map(latencyRecorderOf);
  const mergedRecorder = mergeRecorders(fastRecorders);
  const sources = new Set(fast.map(sourceOf));
  const latencySource: BrokerLoadResult['latencySource'] =
    sources.size === 0 ? 'none' : sources.size === 1 ? ([...sources][0] as HandlerSource) : 'mixed';
  if (latencySource === 'stats') notes.push('latency from stats totals: an upper bound at the resolution of the stats period');
  if (handlers.some((h) => h.source === 'frames' && h.missedReported > 0)) {
    notes.push('a handler that dropped frames is matched by order (k-th event ↔ k-th frame): its latency is then a lower bound');
  }
  if (tallies.size === 0) notes.push('no frame or stats events were seen from the candidate');

  const seconds = Math.max(
    sentPerSecond.length,
    ...[...tallies.values()].map((t) => Math.max(t.deliveredFrames.length, t.deliveredStats.length)),
  );
  const rateSeries: RatePoint[] = Array.from({ length: seconds }, (_, i) => {
    const delivered: Record<number, number> = {};
    for (const t of tallies.values()) delivered[t.id] = (sourceOf(t) === 'frames' ? t.deliveredFrames[i] : t.deliveredStats[i]) ?? 0;
    return { second: i, sent: sentPerSecond[i] ?? 0, delivered };
  });
  const matchStats = [...tallies.values()].map((t) => t.frameMatcher.stats());
  const fastHandlers = handlers.filter((h) => !h.slow);
  const { schedules: _plan, connections, limitedBy: _limit, ...rest } = report;
  return {
    connections: options.connections,
    sizes: describeSizes(options.sizes),
    payload: options.payload,
    meanPayloadBytes,
    durationMs: options.durationMs,
    targetRate: options.rate,
    achievedRate: report.achievedRate,
    ratio: report.ratio,
    valid,
    limitedBy,
    sent: report.framesSent,
    bytesSent: report.bytesSent,
    load: {
      ...rest,
      backpressureWaits: connections.reduce((sum, c) => sum + c.backpressureWaits, 0),
      maxBackpressureUs,
      connectionErrors: connections.flatMap((c) => (c.error !== undefined ? [`connection ${c.connection}: ${c.error}`] : [])),
    },
    handlers,
    latency: mergedRecorder.summary(),
    latencySeries: mergedRecorder.series(),
    latencySpectrum: mergedRecorder.spectrum(),
    latencySource,
    latencyMethod:
      latencySource === 'probes' && options.sampling !== undefined
        ? `${LATENCY_METHODS.probes}; 1 in ${Math.round(1 / options.sampling.fraction).toLocaleString('en')} frames, seed ${options.sampling.seed}`
        : LATENCY_METHODS[latencySource],
    deliveredRate: fastHandlers.length === 0 ? 0 : Math.min(...fastHandlers.map((h) => h.deliveredRate)),
    rateSeries,
    matching: {
      matched: matchStats.reduce((sum, s) => sum + s.matched, 0),
      surplus: matchStats.reduce((sum, s) => sum + s.surplus, 0),
      unknown: unknownEvents,
    },
    drain: { waitedMs: Math.round(drainWaitedMs), complete: drained },
    originUs,
    notes,
  };
}
