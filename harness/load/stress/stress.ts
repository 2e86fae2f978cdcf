/**
 * `meridian-kit stress` for a broker candidate: launch it with the load's knobs, sample its CPU and
 * resident memory from /proc, run {@link runBrokerLoad}, stop it. Bounded in time: startup (the
 * manifest's startup timeout) + duration + stop grace (≤ 10 s) + drain window; everything is released
 * whatever happens (the process is SIGKILLed: stress does not grade shutdown).
 *
 * @module
 */
import type { Candidate } from '../../candidate/candidate.ts';
import { Scope } from '../../checks/scope.ts';
import { defaultSampling } from '../probe-sample.ts';
import { startProcSampler } from '../proc-sampler.ts';
import type { ProcSample, ProcSummary } from '../proc-sampler.ts';
import { runBrokerLoad } from './broker-load.ts';
import type { BrokerLoadResult, LoadProgress } from './broker-load.ts';
import { AUTO_FRAME_EVENTS_LIMIT, STRESS_DEFAULTS } from './options.ts';
import type { BrokerLoadSpec, EventSource } from './options.ts';
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
  /** Event source asked for, and what the kit configured. */
  readonly events: { readonly requested: EventSource; readonly mode: EventMode };
  readonly knobs: { readonly applied: Record<string, number>; readonly missing: readonly string[] };
  readonly load: BrokerLoadResult;
  readonly proc: ProcSummary | undefined;
  /** The seed's memory limit (512 MiB) against the largest resident set sampled. */
  readonly memory: { readonly maxRssBytes: number; readonly limitBytes: number; readonly withinLimit: boolean };
  readonly logs: readonly string[];
  readonly notes: readonly string[];
}

/** Run a broker stress test; see the module doc. */
export async function runStress(options: StressOptions): Promise<StressResult> {
  const { candidate } = options;
  const handlers = options.handlers ?? STRESS_DEFAULTS.handlers;
  const slowHandlerMs = options.slowHandlerMs ?? 0;
  const requested = options.events ?? 'auto';
  const notes: string[] = [];
  const canSwitch = candidate.manifest.knobs.logFrames !== undefined;
  const canProbe = canSwitch && candidate.manifest.knobs.logProbes !== undefined;
  let mode: EventMode = requested === 'stats' ? 'stats' : requested === 'probes' && canProbe ? 'probes' : 'frames';
  if (requested === 'auto' && options.rate * handlers > AUTO_FRAME_EVENTS_LIMIT && canSwitch) mode = canProbe ? 'probes' : 'stats';
  if (requested === 'probes' && !canProbe) notes.push('probe events asked for, but the manifest has no logProbes (and logFrames) knob: frame events instead');
  if (mode === 'stats' && !canSwitch) notes.push('stats events asked for, but the manifest has no logFrames knob: the candidate logs as it always does');
  if (requested === 'auto' && mode === 'frames' && options.rate * handlers > AUTO_FRAME_EVENTS_LIMIT) {
    notes.push(`${(options.rate * handlers).toLocaleString('en')} frame events/s expected and no logFrames knob to turn them off: the log may limit the candidate`);
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
