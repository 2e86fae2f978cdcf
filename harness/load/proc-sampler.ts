/**
 * Periodic CPU and memory sampling of a candidate process (Linux `/proc`), as time series plus maxima.
 * CPU is reported as % of one core (200% = two cores busy) over each interval; memory as resident bytes.
 * Stops by itself when the process exits (or becomes a zombie).
 *
 * Scope `tree` sums the process and all its descendants, `group` every process of its process group:
 * use one of them when the candidate is a wrapper script (`sh -c`, `cargo run`, `npm start`). CPU of a
 * descendant that exits between two samples is lost for that last interval (it is not re-read).
 *
 * @module
 */
import { KitError } from '../common/errors.ts';
import { nowUs } from './clock.ts';
import { clockTicksPerSecond, descendantsOf, readAllProcStats, readProcMemory, readProcStat } from './proc-stat.ts';
import type { ProcStat } from './proc-stat.ts';

/** Which processes a sample covers. */
export type ProcScope = 'process' | 'tree' | 'group';

/** Options of {@link startProcSampler}. */
export interface ProcSamplerOptions {
  /** The process to watch. */
  readonly pid: number;
  /** Sampling period, ms. Default 250. */
  readonly intervalMs?: number;
  /** `process` (default): the pid alone; `tree`: it and its descendants; `group`: its process group. */
  readonly scope?: ProcScope;
  /** Called with every sample as it is taken. */
  readonly onSample?: (sample: ProcSample) => void;
}

/** One sample. */
export interface ProcSample {
  /** When it was taken, µs on the `nowUs` clock. */
  readonly atUs: number;
  /** CPU use over the interval since the previous sample, % of one core. */
  readonly cpuPercent: number;
  /** Resident memory now (summed over the scope), bytes. */
  readonly rssBytes: number;
  /** Processes covered. */
  readonly processes: number;
}

/** Everything a sampler saw. */
export interface ProcSummary {
  readonly pid: number;
  readonly scope: ProcScope;
  readonly samples: readonly ProcSample[];
  readonly maxCpuPercent: number;
  /** CPU time over wall time for the whole sampling period, % of one core. */
  readonly meanCpuPercent: number;
  /** CPU seconds consumed while sampled. */
  readonly cpuSeconds: number;
  readonly maxRssBytes: number;
  /** Peak resident memory of the pid itself as the kernel tracks it (VmHWM), last value read. */
  readonly hwmBytes: number;
  /** True when sampling ended because the process exited. */
  readonly exited: boolean;
  /** Wall time covered, ms. */
  readonly durationMs: number;
}

/** A running sampler. */
export interface ProcSampler {
  /** Samples so far. */
  readonly samples: readonly ProcSample[];
  /** Resolves when the process exits or `stop()` is called. */
  readonly done: Promise<ProcSummary>;
  /** Stop sampling (takes one last sample first if the process is alive). */
  stop(): Promise<ProcSummary>;
}

interface Reading {
  readonly atUs: number;
  readonly ticks: ReadonlyMap<number, number>;
  readonly rssBytes: number;
  readonly hwmBytes: number;
}

/** Start sampling `options.pid` (a pid that does not exist ends at once with `exited: true`). */
export function startProcSampler(options: ProcSamplerOptions): ProcSampler {
  const { pid } = options;
  const intervalMs = options.intervalMs ?? 250;
  const scope = options.scope ?? 'process';
  const hz = clockTicksPerSecond();
  const samples: ProcSample[] = [];
  let timer: NodeJS.Timeout | undefined;
  let stopping = false;
  let ended = false;
  let group: number | undefined;
  let previous: Reading | undefined;
  let first: Reading | undefined;
  let cpuTicksTotal = 0;
  let hwmBytes = 0;
  let inFlight: Promise<boolean> = Promise.resolve(true);

  let resolveDone!: (summary: ProcSummary) => void;
  const done = new Promise<ProcSummary>((resolve) => (resolveDone = resolve));

  const alive = (stat: ProcStat | undefined): stat is ProcStat => stat !== undefined && stat.state !== 'Z' && stat.state !== 'X';

  /** Read the scope now; `undefined` when the watched pid is gone. */
  const read = async (): Promise<Reading | undefined> => {
    let members: ProcStat[];
    if (scope === 'process') {
      const stat = await readProcStat(pid);
      if (!alive(stat)) return undefined;
      members = [stat];
    } else {
      const all = await readAllProcStats();
      const root = all.get(pid);
      if (!alive(root)) return undefined;
      group ??= root.pgrp;
      members =
        scope === 'tree' ? descendantsOf(pid, all).flatMap((p) => all.get(p) ?? []) : [...all.values()].filter((s) => s.pgrp === group);
    }
    const memories = await Promise.all(members.map((s) => readProcMemory(s.pid)));
    const rootMemory = memories[members.findIndex((s) => s.pid === pid)];
    if (rootMemory !== undefined) hwmBytes = Math.max(hwmBytes, rootMemory.hwmBytes);
    return {
      atUs: nowUs(),
      ticks: new Map(members.map((s) => [s.pid, s.cpuTicks])),
      rssBytes: memories.reduce((sum, m) => sum + (m?.rssBytes ?? 0), 0),
      hwmBytes,
    };
  };

  /** Take one sample; false when the process is gone. */
  const sampleOnce = async (): Promise<boolean> => {
    const reading = await read();
    if (reading === undefined) return false;
    if (previous === undefined) {
      first = reading;
    } else {
      let ticks = 0;
      for (const [p, t] of reading.ticks) ticks += Math.max(0, t - (previous.ticks.get(p) ?? 0)); // new pid: all its ticks are recent
      cpuTicksTotal += ticks;
      const wallS = (reading.atUs - previous.atUs) / 1e6;
      const sample: ProcSample = {
        atUs: reading.atUs,
        cpuPercent: wallS > 0 ? (ticks / hz / wallS) * 100 : 0,
        rssBytes: reading.rssBytes,
        processes: reading.ticks.size,
      };
      samples.push(sample);
      options.onSample?.(sample);
    }
    previous = reading;
    return true;
  };

  const end = (exited: boolean): void => {
    if (ended) return;
    ended = true;
    if (timer !== undefined) clearTimeout(timer);
    const wallUs = first !== undefined && previous !== undefined ? previous.atUs - first.atUs : 0;
    resolveDone({
      pid,
      scope,
      samples,
      maxCpuPercent: Math.max(0, ...samples.map((s) => s.cpuPercent)),
      meanCpuPercent: wallUs > 0 ? (cpuTicksTotal / hz / (wallUs / 1e6)) * 100 : 0,
      cpuSeconds: cpuTicksTotal / hz,
      maxRssBytes: Math.max(first?.rssBytes ?? 0, ...samples.map((s) => s.rssBytes)),
      hwmBytes,
      exited,
      durationMs: wallUs / 1000,
    });
  };

  const loop = (): void => {
    timer = undefined;
    if (stopping || ended) return;
    inFlight = sampleOnce();
    inFlight.then(
      (ok) => {
        if (!ok) end(true);
        else if (!stopping) timer = setTimeout(loop, intervalMs);
      },
      () => end(true),
    );
  };

  const stop = async (): Promise<ProcSummary> => {
    if (!stopping && !ended) {
      stopping = true;
      if (timer !== undefined) clearTimeout(timer);
      await inFlight.catch(() => false);
      if (!ended) {
        const ok = await sampleOnce().catch(() => false);
        end(!ok);
      }
    }
    return done;
  };

  if (!Number.isInteger(pid) || pid <= 0) throw new KitError('LOAD_INVALID_OPTION', `not a pid: ${pid}`);
  inFlight = sampleOnce().then((ok) => {
    if (!ok) end(true);
    else if (!stopping) timer = setTimeout(loop, intervalMs);
    return ok;
  });
  return { samples, done, stop };
}
