/**
 * `meridian-kit stress` for a broker candidate: launch it with the load's knobs, sample its CPU and
 * resident memory from /proc, run {@link runBrokerLoad}, stop it. Bounded in time: startup (the
 * manifest's startup timeout) + duration + stop grace (≤ 10 s) + drain window; everything is released
 * whatever happens (the process is SIGKILLed: stress does not grade shutdown).
 *
 * @module
 */
import { join } from 'node:path';
import type { Candidate } from '../../candidate/candidate.ts';
import { ROOT } from '../../common/root.ts';
import { loadCandidate } from '../../candidate/candidate.ts';
import type { LatencySummary, SpectrumPoint } from '../latency.ts';
import { Scope } from '../../common/scope.ts';
import { defaultSampling } from '../probe-sample.ts';
import { startProcSampler } from '../proc-sampler.ts';
import type { ProcSample, ProcSummary } from '../proc-sampler.ts';
import { LATENCY_METHODS, runBrokerLoad } from './broker-load.ts';
import type { BrokerLoadResult, LoadProgress } from './broker-load.ts';
import { AUTO_FRAME_EVENTS_LIMIT, STRESS_DEFAULTS } from './options.ts';
import type { BrokerLoadSpec, EventSource } from './options.ts';
import { connectRemoteTarget, parseTarget } from './remote-target.ts';
import { launchBrokerTarget } from './target.ts';

/** The event source the kit configured: per-frame events, sampled probe events + stats, or stats only. */
export type EventMode = 'frames' | 'probes' | 'stats';

/** Options of {@link runStress}. */
export interface StressOptions extends BrokerLoadSpec {
  readonly candidate: Candidate;
  /** Handlers (knob `handlers`). Default 3. */
  readonly handlers?: number;
  /** Handler 0 sleeps this long per frame (knob `slowHandlerMs`). Default none. */
  readonly slowHandlerMs?: number;
  /** Default `auto`. */
  readonly events?: EventSource;
  /** Default 5000. */
  readonly drainMs?: number;
  readonly signal?: AbortSignal;
  readonly onProgress?: (progress: StressProgress) => void;
  readonly spinThresholdUs?: number;
  /** Extra knob values (e.g. `capacity`), applied when declared. */
  readonly knobs?: Record<string, number>;
  /**
   * After the candidate, the same load (same seed, event mode and handlers) on the null broker for this
   * long: the kit's own latency floor on this machine, now (see {@link LatencyFloor}). 0 turns it off.
   * Default the run's duration, at most {@link DEFAULT_FLOOR_MS}.
   */
  readonly floorMs?: number;
}

/** Longest default floor run, ms. */
export const DEFAULT_FLOOR_MS = 10_000;

/** The null broker's manifest (`harness/load/null-broker/`): the kit's floor. */
export const NULL_BROKER_MANIFEST = join(ROOT, 'harness/load/null-broker/manifest.json');

/**
 * The kit's own floor under a latency figure: the same load, measured the same way, on the null broker (a
 * process that only reads frames and logs them in the reference's format through the same pipe), right
 * after the candidate on the same machine. A candidate's p99 can never be better than this; its ratio to it
 * says how much of the figure is the candidate's.
 */
export interface LatencyFloor {
  readonly events: EventMode;
  readonly durationMs: number;
  /** The floor run itself sent ≥ 98% of the target (else the machine was too busy for a floor). */
  readonly valid: boolean;
  readonly latency: LatencySummary;
  readonly latencyMethod: string;
  /** The floor's percentile spectrum, for the plot next to the candidate's. */
  readonly spectrum?: readonly SpectrumPoint[];
  /** The kit's own send lag during the floor run. */
  readonly sendLag: LatencySummary;
  /** The candidate's p99 / the floor's p99 (0 when the floor has no figure). */
  readonly p99Ratio: number;
}

/** Progress with the candidate's latest CPU/memory sample. */
export interface StressProgress extends LoadProgress {
  readonly proc: ProcSample | undefined;
}

/** The outcome of a stress run: the load's figures plus the candidate's resources. */
export interface StressResult {
  readonly kind: 'broker-stress';
  readonly candidate: { readonly name: string; readonly manifest: string; readonly logFormat: string };
  readonly startedAt: string;
  readonly seed: number;
  readonly handlersRequested: number;
  readonly slowHandlerMs: number;
  /** Event source asked for, and what the kit configured (`none` for a `--target` that logs nothing to the kit). */
  readonly events: { readonly requested: EventSource; readonly mode: EventMode | 'none' };
  readonly knobs: { readonly applied: Record<string, number>; readonly missing: readonly string[] };
  readonly load: BrokerLoadResult;
  readonly proc: ProcSummary | undefined;
  /** The seed's memory limit (512 MiB) against the largest resident set sampled. */
  readonly memory: { readonly maxRssBytes: number; readonly limitBytes: number; readonly withinLimit: boolean };
  readonly logs: readonly string[];
  readonly notes: readonly string[];
  /** The kit's floor measured right after (absent when turned off or the run was stopped). */
  readonly floor?: LatencyFloor;
}

/** Run a broker stress test, then the kit's floor under the same load; see the module doc. */
export async function runStress(options: StressOptions): Promise<StressResult> {
  const result = await runStressOnce(options);
  const floorMs = options.floorMs ?? Math.min(options.durationMs, DEFAULT_FLOOR_MS);
  if (floorMs <= 0 || options.signal?.aborted === true || result.events.mode === 'none') return result;
  return withFloor(result, await measureFloor(options, result.events.mode, floorMs, result.load.latency.p99Us));
}

function withFloor(result: StressResult, floor: LatencyFloor): StressResult {
  const notes = [...result.notes];
  if (!floor.valid) notes.push('the floor run (null broker) fell short of the target rate: the machine was too busy for a floor');
  return { ...result, floor, notes };
}

/** The null broker under `options`' load for `floorMs`, events as `mode`. */
export async function measureFloor(
  options: Omit<StressOptions, 'candidate'>,
  mode: EventMode,
  floorMs: number,
  candidateP99Us: number,
): Promise<LatencyFloor> {
  const nullBroker = await loadCandidate(NULL_BROKER_MANIFEST);
  const { onProgress: _progress, knobs: _knobs, ...rest } = options;
  const run = await runStressOnce({ ...rest, candidate: nullBroker, durationMs: floorMs, events: mode, slowHandlerMs: 0 });
  const l = run.load;
  return {
    events: mode,
    durationMs: floorMs,
    valid: l.valid,
    latency: l.latency,
    latencyMethod: l.latencyMethod,
    ...(l.latencySpectrum !== undefined ? { spectrum: l.latencySpectrum } : {}),
    sendLag: l.load.sendLag,
    p99Ratio: l.latency.p99Us > 0 ? candidateP99Us / l.latency.p99Us : 0,
  };
}

/** Options of {@link runTargetStress}: a stress run against a broker that is already running. */
export interface TargetStressOptions extends Omit<StressOptions, 'candidate' | 'handlers' | 'slowHandlerMs' | 'events' | 'knobs'> {
  /** `host:port` of the running broker. */
  readonly target: string;
}

/**
 * `stress --target host:port`: the same paced load against a broker the kit did not start. It logs nothing
 * to the kit, so latency is the kit's own probe of acceptance (see `remote-target.ts`), delivered frames
 * are not observable, and resources are not sampled. The floor is the null broker's acceptance latency.
 */
export async function runTargetStress(options: TargetStressOptions): Promise<StressResult> {
  const { host, port } = parseTarget(options.target);
  const target = await connectRemoteTarget(host, port);
  const startedAt = new Date().toISOString();
  const load = await runBrokerLoad(target, {
    connections: options.connections,
    rate: options.rate,
    sizes: options.sizes,
    payload: options.payload,
    durationMs: options.durationMs,
    seed: options.seed,
    drainMs: 0,
    ...(options.signal !== undefined ? { signal: options.signal } : {}),
    ...(options.spinThresholdUs !== undefined ? { spinThresholdUs: options.spinThresholdUs } : {}),
    onProgress: (p) => options.onProgress?.({ ...p, proc: undefined }),
  });
  const notes = load.notes.filter((n) => !n.startsWith('no frame or stats events'));
  notes.push(`${host}:${port} logs nothing to the kit: latency is ${LATENCY_METHODS.acceptance}; delivered frames are not observable`);
  const result: StressResult = {
    kind: 'broker-stress',
    candidate: { name: `target ${host}:${port}`, manifest: '', logFormat: 'none' },
    startedAt,
    seed: options.seed,
    handlersRequested: 0,
    slowHandlerMs: 0,
    events: { requested: 'auto', mode: 'none' },
    knobs: { applied: {}, missing: [] },
    load: {
      ...load,
      latency: load.load.sendLag,
      latencySeries: [],
      latencySpectrum: [],
      latencySource: 'acceptance',
      latencyMethod: LATENCY_METHODS.acceptance,
    },
    proc: undefined,
    memory: { maxRssBytes: 0, limitBytes: STRESS_DEFAULTS.rssLimitBytes, withinLimit: true },
    logs: [],
    notes,
  };
  const floorMs = options.floorMs ?? Math.min(options.durationMs, DEFAULT_FLOOR_MS);
  if (floorMs <= 0 || options.signal?.aborted === true) return result;
  const floor = await measureFloor({ ...options, handlers: 1 }, 'frames', floorMs, 0);
  // Acceptance against acceptance: the floor is the kit's send lag into the null broker.
  const p99Ratio = floor.sendLag.p99Us > 0 ? result.load.latency.p99Us / floor.sendLag.p99Us : 0;
  return withFloor(result, { ...floor, latency: floor.sendLag, latencyMethod: LATENCY_METHODS.acceptance, p99Ratio });
}

async function runStressOnce(options: StressOptions): Promise<StressResult> {
  const { candidate } = options;
  const handlers = options.handlers ?? STRESS_DEFAULTS.handlers;
  const slowHandlerMs = options.slowHandlerMs ?? 0;
  const requested = options.events ?? 'auto';
  const notes: string[] = [];
  const canSwitch = candidate.manifest.knobs.logFrames !== undefined;
  const canProbe = canSwitch && candidate.manifest.knobs.logProbes !== undefined;
  let mode: EventMode = requested === 'stats' ? 'stats' : requested === 'probes' && canProbe ? 'probes' : 'frames';
  if (requested === 'auto' && options.rate * handlers > AUTO_FRAME_EVENTS_LIMIT && canSwitch) mode = canProbe ? 'probes' : 'stats';
  if (requested === 'probes' && !canProbe)
    notes.push('probe events asked for, but the manifest has no logProbes (and logFrames) knob: frame events instead');
  if (mode === 'stats' && !canSwitch)
    notes.push('stats events asked for, but the manifest has no logFrames knob: the candidate logs as it always does');
  if (requested === 'auto' && mode === 'frames' && options.rate * handlers > AUTO_FRAME_EVENTS_LIMIT) {
    notes.push(
      `${(options.rate * handlers).toLocaleString('en')} frame events/s expected and no logFrames knob to turn them off: the log may limit the candidate`,
    );
  }
  const knobs: Record<string, number> = { ...(options.knobs ?? {}), handlers };
  if (slowHandlerMs > 0) knobs.slowHandlerMs = slowHandlerMs;
  if (canSwitch) knobs.logFrames = mode === 'frames' ? 1 : 0;
  if (mode === 'probes') knobs.logProbes = 1;
  if (mode !== 'frames' && candidate.manifest.knobs.statsMs !== undefined) knobs.statsMs = STRESS_DEFAULTS.statsMs;
  const sampling = mode === 'probes' ? defaultSampling(options.seed, options.rate) : undefined;

  const scope = new Scope();
  const startedAt = new Date().toISOString();
  try {
    const target = await launchBrokerTarget(candidate, { knobs, seed: options.seed, scope });
    for (const knob of target.missing) {
      if (knob === 'logFrames' || knob === 'statsMs' || knob === 'logProbes') continue;
      notes.push(`the manifest declares no "${knob}" knob: --${knob === 'slowHandlerMs' ? 'slow-handler' : knob} was not applied`);
    }
    const pid = target.pid;
    const sampler = pid !== undefined ? startProcSampler({ pid, scope: 'group', intervalMs: 250 }) : undefined;
    scope.defer(() => sampler?.stop());
    const load = await runBrokerLoad(target, {
      connections: options.connections,
      rate: options.rate,
      sizes: options.sizes,
      payload: options.payload,
      durationMs: options.durationMs,
      seed: options.seed,
      drainMs: options.drainMs ?? STRESS_DEFAULTS.drainMs,
      ...(target.applied.handlers !== undefined ? { expectedHandlers: handlers } : {}),
      ...(slowHandlerMs > 0 && target.applied.slowHandlerMs !== undefined ? { slowHandler: 'lowest' as const } : {}),
      ...(options.signal !== undefined ? { signal: options.signal } : {}),
      ...(sampling !== undefined ? { sampling } : {}),
      ...(options.spinThresholdUs !== undefined ? { spinThresholdUs: options.spinThresholdUs } : {}),
      onProgress: (p) => options.onProgress?.({ ...p, proc: sampler?.samples[sampler.samples.length - 1] }),
    });
    const proc = sampler === undefined ? undefined : await sampler.stop();
    const logs = target.logs(15);
    const maxRssBytes = proc?.maxRssBytes ?? 0;
    return {
      kind: 'broker-stress',
      candidate: { name: candidate.manifest.name, manifest: candidate.manifestPath, logFormat: candidate.manifest.log.format },
      startedAt,
      seed: options.seed,
      handlersRequested: handlers,
      slowHandlerMs,
      events: { requested, mode },
      knobs: { applied: target.applied, missing: target.missing },
      load,
      proc,
      memory: { maxRssBytes, limitBytes: STRESS_DEFAULTS.rssLimitBytes, withinLimit: maxRssBytes <= STRESS_DEFAULTS.rssLimitBytes },
      logs,
      notes: [...notes, ...load.notes],
    };
  } finally {
    await scope.close();
  }
}
