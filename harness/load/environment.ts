import { monitorEventLoopDelay } from 'node:perf_hooks';
import { readFile, readdir } from 'node:fs/promises';

/**
 * Measures whether the environment, rather than the candidate, limited a load run: the kit's own
 * event-loop delay (perf_hooks), whether the candidate was blocked writing its log to the kit (a pipe or
 * the kit's stdio socketpair: `/proc/<pid>/task/<tid>/wchan`, see {@link LOG_WRITE_WAIT}), and whether it got a CPU when it was runnable
 * (`/proc/<pid>/task/<tid>/schedstat`: time running vs time waiting on a run queue). The candidate's
 * child processes are included (a wrapper script is common). Linux /proc only; elsewhere the process
 * figures stay at zero and only the kit's event-loop delay is measured.
 */
export interface EnvironmentOptions {
  /** The candidate's process id. */
  pid: number;
  /** Sampling interval for wchan and schedstat, ms. Default 50. */
  intervalMs?: number;
}

export interface EnvironmentThresholds {
  /** Kit event-loop delay p99 above which the kit itself was starved, ms. Default 100. */
  loopDelayP99Ms?: number;
  /** Share of samples with a candidate thread in pipe_write above which its log pipe limited it. Default 0.05. */
  pipeBlockedShare?: number;
  /** Run-queue wait as a share of (wait + run) above which the candidate was denied CPU. Default 0.33. */
  runQueueWaitShare?: number;
  /** ...and the absolute run-queue wait it takes, ms. Default 250. */
  runQueueWaitMs?: number;
}

export interface EnvironmentReport {
  durationMs: number;
  samples: number;
  /** The kit's event-loop delay, ms. */
  loopDelayP99Ms: number;
  loopDelayMaxMs: number;
  /** Samples in which some candidate thread was blocked in pipe_write. */
  pipeBlockedSamples: number;
  pipeBlockedShare: number;
  /** Candidate threads' time on a CPU and waiting for one while runnable, ms (over the run). */
  runMs: number;
  runQueueWaitMs: number;
  runQueueWaitShare: number;
  /** The longest run-queue wait of any one candidate thread, ms: the delay a single thread's critical path can have suffered. */
  runQueueWaitMaxThreadMs: number;
  /** Whether /proc showed the candidate at all. */
  procVisible: boolean;
}

export interface EnvironmentMonitor {
  /** The figures so far; sampling goes on. */
  peek(): Promise<EnvironmentReport>;
  /** Stops sampling and returns the figures over the whole run (idempotent). */
  stop(): Promise<EnvironmentReport>;
}

/**
 * How much delay the environment can explain over a run, ms: the longest run-queue wait of one candidate
 * thread, the kit's longest event-loop stall, and the time the candidate sat blocked on its log pipe.
 * A shortfall larger than this is the candidate's own.
 */
export function explainableDelayMs(report: EnvironmentReport): number {
  return Math.round(report.runQueueWaitMaxThreadMs + report.loopDelayMaxMs + report.pipeBlockedShare * report.durationMs);
}

async function descendants(pid: number): Promise<number[]> {
  const out = [pid];
  for (let i = 0; i < out.length && out.length < 64; i++) {
    const p = out[i] as number;
    let tasks: string[];
    try {
      tasks = await readdir(`/proc/${p}/task`);
    } catch {
      continue;
    }
    for (const tid of tasks) {
      try {
        const children = (await readFile(`/proc/${p}/task/${tid}/children`, 'utf8')).trim();
        for (const c of children.split(/\s+/)) if (c !== '') out.push(Number(c));
      } catch {
        // gone
      }
    }
  }
  return out;
}

/**
 * Kernel wait channels of a thread blocked writing its stdout to the kit: a pipe (`pipe_write`,
 * `anon_pipe_write` on newer kernels) or the socketpair Node's child_process uses for stdio
 * (`sock_alloc_send_pskb`: a unix stream socket waiting for send-buffer room).
 */
export const LOG_WRITE_WAIT = /^(anon_)?pipe_write$|^sock_alloc_send_pskb$|^unix_stream_sendmsg$/;

interface ProcSample {
  visible: boolean;
  pipeBlocked: boolean;
  /** tid → [run ns, wait ns] */
  sched: Map<string, [number, number]>;
}

async function sampleProcs(pid: number): Promise<ProcSample> {
  const sample: ProcSample = { visible: false, pipeBlocked: false, sched: new Map() };
  for (const p of await descendants(pid)) {
    let tasks: string[];
    try {
      tasks = await readdir(`/proc/${p}/task`);
    } catch {
      continue;
    }
    sample.visible = true;
    for (const tid of tasks) {
      try {
        const wchan = (await readFile(`/proc/${p}/task/${tid}/wchan`, 'utf8')).trim();
        if (LOG_WRITE_WAIT.test(wchan)) sample.pipeBlocked = true;
        const [run, wait] = (await readFile(`/proc/${p}/task/${tid}/schedstat`, 'utf8')).trim().split(/\s+/).map(Number);
        if (run !== undefined && wait !== undefined) sample.sched.set(`${p}/${tid}`, [run, wait]);
      } catch {
        // thread gone between readdir and read
      }
    }
  }
  return sample;
}

/** Starts sampling; `stop()` returns the figures over the whole run. */
export function startEnvironmentMonitor(options: EnvironmentOptions): EnvironmentMonitor {
  const intervalMs = options.intervalMs ?? 50;
  const histogram = monitorEventLoopDelay({ resolution: 10 });
  histogram.enable();
  const startedAt = performance.now();
  let samples = 0;
  let pipeBlockedSamples = 0;
  let visible = false;
  const first = new Map<string, [number, number]>();
  const last = new Map<string, [number, number]>();
  let busy = false;
  const tick = async (): Promise<void> => {
    if (busy) return;
    busy = true;
    try {
      const s = await sampleProcs(options.pid);
      if (!s.visible) return;
      visible = true;
      samples++;
      if (s.pipeBlocked) pipeBlockedSamples++;
      for (const [tid, v] of s.sched) {
        if (!first.has(tid)) first.set(tid, v);
        last.set(tid, v);
      }
    } finally {
      busy = false;
    }
  };
  void tick();
  const timer = setInterval(() => void tick(), intervalMs);
  let stopped: EnvironmentReport | undefined;
  const report = (): EnvironmentReport => {
    let runNs = 0;
    let waitNs = 0;
    let maxWaitNs = 0;
    for (const [tid, [run, wait]] of last) {
      const [run0, wait0] = first.get(tid) ?? [0, 0];
      runNs += run - run0;
      waitNs += wait - wait0;
      maxWaitNs = Math.max(maxWaitNs, wait - wait0);
    }
    const ms = (ns: number): number => Math.round(ns / 1e6);
    return {
      durationMs: Math.round(performance.now() - startedAt),
      samples,
      loopDelayP99Ms: Math.round(histogram.percentile(99) / 1e6),
      loopDelayMaxMs: Math.round(histogram.max / 1e6),
      pipeBlockedSamples,
      pipeBlockedShare: samples === 0 ? 0 : +(pipeBlockedSamples / samples).toFixed(3),
      runMs: ms(runNs),
      runQueueWaitMs: ms(waitNs),
      runQueueWaitShare: runNs + waitNs === 0 ? 0 : +(waitNs / (runNs + waitNs)).toFixed(3),
      runQueueWaitMaxThreadMs: ms(maxWaitNs),
      procVisible: visible,
    };
  };
  return {
    async peek() {
      if (stopped) return stopped;
      await tick();
      return report();
    },
    async stop() {
      if (stopped) return stopped;
      clearInterval(timer);
      await tick();
      histogram.disable();
      stopped = report();
      return stopped;
    },
  };
}

/** What limited a run: the kit's own event loop, the kit's reading of the candidate's log, the candidate's CPU. */
export type EnvironmentLimitKind = 'kit-loop' | 'log-pipe' | 'cpu';

/**
 * The ways the environment limited the run, in words (empty: the environment was fine, so a shortfall
 * is the candidate's). A check answers UNKNOWN with these as evidence instead of a FAIL.
 */
export function environmentLimits(
  report: EnvironmentReport,
  thresholds: EnvironmentThresholds = {},
  kinds: readonly EnvironmentLimitKind[] = ['kit-loop', 'log-pipe', 'cpu'],
): string[] {
  const out: string[] = [];
  const loop = thresholds.loopDelayP99Ms ?? 100;
  if (kinds.includes('kit-loop') && report.loopDelayP99Ms > loop)
    out.push(
      `the kit's event loop was delayed (p99 ${report.loopDelayP99Ms} ms, max ${report.loopDelayMaxMs} ms, over ${loop} ms): the kit itself was starved`,
    );
  const pipe = thresholds.pipeBlockedShare ?? 0.05;
  if (kinds.includes('log-pipe') && report.pipeBlockedShare > pipe) {
    out.push(
      `the candidate was blocked writing its log to the kit (wchan pipe_write / sock_alloc_send_pskb) in ${report.pipeBlockedSamples} of ${report.samples} samples: the kit's log intake limited it`,
    );
  }
  const share = thresholds.runQueueWaitShare ?? 0.33;
  const waitMs = thresholds.runQueueWaitMs ?? 250;
  if (kinds.includes('cpu') && report.runQueueWaitShare > share && report.runQueueWaitMs > waitMs) {
    out.push(
      `the candidate waited ${report.runQueueWaitMs} ms for a CPU while runnable against ${report.runMs} ms running (${Math.round(report.runQueueWaitShare * 100)}% of its runnable time): the machine did not give it CPU`,
    );
  }
  return out;
}

/** Figures for a report's metrics. */
export function environmentMetrics(report: EnvironmentReport): Record<string, number> {
  return {
    kitLoopDelayP99Ms: report.loopDelayP99Ms,
    kitLoopDelayMaxMs: report.loopDelayMaxMs,
    candidatePipeBlockedShare: report.pipeBlockedShare,
    candidateRunMs: report.runMs,
    candidateRunQueueWaitMs: report.runQueueWaitMs,
    candidateRunQueueWaitMaxThreadMs: report.runQueueWaitMaxThreadMs,
  };
}
