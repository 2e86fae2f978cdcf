import { availableParallelism } from 'node:os';
import type { Candidate } from '../candidate/candidate.ts';
import { KitError } from '../common/errors.ts';
import { createRandom, deriveSeed } from '../common/random.ts';
import { CandidateError } from '../process/supervisor.ts';
import type { CheckDefinition, CheckOutcome, CheckResult } from './check.ts';
import { Scope } from '../common/scope.ts';

export interface RunOptions {
  candidate: Candidate;
  /** The run seed; each check derives its own from it and its id. */
  seed: number;
  /** Parallel slots. A light check takes one, a heavy check half of them (and a process-wide heavy lane). Default 4. */
  slots?: number;
  /** Builds the replay command for a check. */
  replay: (checkId: string) => string;
  /** Called as each check finishes (progress lines). */
  onResult?: (result: CheckResult) => void;
  onStart?: (check: CheckDefinition) => void;
}

/** Runs one check with its scope, deadline and error mapping. Never throws. */
export async function runCheck(check: CheckDefinition, options: Omit<RunOptions, 'slots' | 'onResult' | 'onStart'>): Promise<CheckResult> {
  const seed = deriveSeed(options.seed, check.id);
  const started = performance.now();
  const notes: string[] = [];
  const base = {
    id: check.id,
    system: check.system,
    level: check.level,
    title: check.title,
    criterion: check.criterion,
    seed: options.seed,
    replay: options.replay(check.id),
  };
  const missing = (check.needsKnobs ?? []).filter((knob) => options.candidate.manifest.knobs[knob] === undefined);
  if (missing.length > 0) {
    return {
      ...base,
      verdict: 'NOT_TESTABLE',
      evidence: {
        summary: `needs knob${missing.length > 1 ? 's' : ''} ${missing.join(', ')}: add ${missing.map((k) => `"knobs": {"${k}": {"env": "YOUR_VAR"}}`).join(' and ')} to the manifest`,
      },
      durationMs: 0,
    };
  }
  const scope = new Scope();
  let timer: NodeJS.Timeout | undefined;
  let outcome: CheckOutcome;
  try {
    const timeout = new Promise<CheckOutcome>((resolve) => {
      timer = setTimeout(
        () =>
          resolve({
            verdict: 'ERROR',
            evidence: {
              summary: `the check overran its own ${check.timeoutMs} ms deadline (a kit fault, or a machine far too loaded)`,
              notes,
            },
          }),
        check.timeoutMs,
      );
    });
    const ctx = { candidate: options.candidate, seed, random: createRandom(seed), scope, note: (m: string) => void notes.push(m) };
    outcome = await Promise.race([check.run(ctx), timeout]);
  } catch (error) {
    outcome = mapError(error);
  } finally {
    clearTimeout(timer);
    await scope.close();
  }
  if (notes.length > 0) outcome.evidence.notes = [...(outcome.evidence.notes ?? []), ...notes];
  return { ...base, verdict: outcome.verdict, evidence: outcome.evidence, durationMs: Math.round(performance.now() - started) };
}

/** A candidate that crashed, never listened or hung fails the check; anything else is the kit's fault. */
function mapError(error: unknown): CheckOutcome {
  if (error instanceof CandidateError) {
    const logs = Array.isArray(error.details.logs) ? (error.details.logs as string[]) : undefined;
    return { verdict: 'FAIL', evidence: { summary: `${error.code}: ${error.message}`, ...(logs ? { logs } : {}) } };
  }
  const message = error instanceof Error ? error.message : String(error);
  const code = error instanceof KitError ? `${error.code}: ` : '';
  return {
    verdict: 'ERROR',
    evidence: {
      summary: `kit error: ${code}${message}`,
      notes: error instanceof Error && error.stack ? error.stack.split('\n').slice(0, 8) : [],
    },
  };
}

/** One check to run with one run seed. */
export interface Job {
  check: CheckDefinition;
  seed: number;
}

/**
 * The process-wide lanes of heavy checks: every runJobs call of this process (a batch grades several
 * candidates at once, a flake run many seeds) shares them, so however many grades run side by side, no
 * more heavy checks load the machine at once than there are lanes.
 */
class ProcessGate {
  private heavy = 0;
  private checks = 0;
  private readonly waiters = new Set<() => void>();
  constructor(
    public heavyWidth: number,
    public maxChecks: number,
  ) {}
  /** Whether a check (heavy or not) may start now. */
  admits(heavy: boolean): boolean {
    return this.checks < this.maxChecks && (!heavy || this.heavy < this.heavyWidth);
  }
  take(heavy: boolean): void {
    this.checks++;
    if (heavy) this.heavy++;
  }
  release(heavy: boolean): void {
    this.checks--;
    if (heavy) this.heavy--;
    for (const wake of [...this.waiters]) wake();
  }
  /** Calls `wake` at every release until the returned function removes it. */
  onRelease(wake: () => void): () => void {
    this.waiters.add(wake);
    return () => this.waiters.delete(wake);
  }
}

const envInt = (name: string, fallback: number): number => {
  const n = Math.floor(Number(process.env[name]));
  return Number.isFinite(n) && n >= 1 ? n : fallback;
};

/**
 * What every runJobs call of this process shares (a batch grades several candidates at once, a flake run
 * many seeds):
 * - heavy lanes: heavy checks at once. Default 1 (or MERIDIAN_HEAVY_LANES): two load generators side by
 *   side disturb each other's figures. A flake or batch run may allow up to one per core, trading headroom
 *   for wall time: the heavy checks answer UNKNOWN, never FAIL, when the machine starves them.
 * - checks at once. Default 4 per core (or MERIDIAN_MAX_CHECKS): light checks mostly wait, but every one
 *   shares the kit's single event loop; `grade --jobs 8 --parallel 4` (32 at once) on 2 cores made a
 *   correct broker's 2,000-segment dribble overrun its 60 s deadline, 8 at once (flake --parallel 8) did not.
 */
const gate = new ProcessGate(envInt('MERIDIAN_HEAVY_LANES', 1), envInt('MERIDIAN_MAX_CHECKS', 4 * availableParallelism()));

/** Sets how many heavy checks may run at once in this process (1 to one per core). Returns the previous width. */
export function setHeavyLanes(width: number): number {
  const before = gate.heavyWidth;
  gate.heavyWidth = Math.min(Math.max(1, availableParallelism()), Math.max(1, Math.floor(width)));
  return before;
}

/** Sets how many checks may run at once in this process, over every grade (≥ 1). Returns the previous cap. */
export function setProcessChecks(max: number): number {
  const before = gate.maxChecks;
  gate.maxChecks = Math.max(1, Math.floor(max));
  return before;
}

/**
 * Runs jobs with bounded parallelism: each has its own processes and ports, so light checks overlap (they
 * mostly wait: 80–98% of their wall time idle, see scripts/profile-grade.ts). A heavy check (load) takes
 * half the slots and a process-wide heavy lane, so no more heavy checks run in the whole process (a batch
 * grading several candidates, a flake run of many seeds) than there are lanes (default one); and no more
 * checks in all than the process-wide cap (default 4 per core).
 * Results come back in job order.
 */
export async function runJobs(
  jobs: readonly Job[],
  options: Omit<RunOptions, 'seed' | 'replay'> & {
    replay: (checkId: string, seed: number) => string;
    onJobResult?: (job: Job, result: CheckResult) => void;
  },
): Promise<CheckResult[]> {
  const slots = Math.max(1, options.slots ?? 4);
  const results = new Map<Job, CheckResult>();
  // Heavy first: they are the longest, and starting them early lets light ones fill the spare slots.
  const queue = [...jobs].sort((a, b) => Number(b.check.heavy ?? false) - Number(a.check.heavy ?? false));
  let free = slots;
  let wake: (() => void) | undefined;
  const running = new Set<Promise<void>>();
  while (queue.length > 0) {
    const index = queue.findIndex((j) => cost(j.check, slots) <= free && gate.admits(j.check.heavy === true));
    if (index < 0) {
      // Wait for one of ours to finish, or for another grade of this process to free the gate.
      let unlisten = (): void => {};
      await new Promise<void>((resolve) => {
        wake = resolve;
        unlisten = gate.onRelease(resolve);
      });
      unlisten();
      continue;
    }
    const [job] = queue.splice(index, 1) as [Job];
    const need = cost(job.check, slots);
    const heavy = job.check.heavy === true;
    free -= need;
    gate.take(heavy);
    options.onStart?.(job.check);
    const task = runCheck(job.check, { candidate: options.candidate, seed: job.seed, replay: (id) => options.replay(id, job.seed) }).then(
      (result) => {
        results.set(job, result);
        options.onResult?.(result);
        options.onJobResult?.(job, result);
        free += need;
        running.delete(task);
        gate.release(heavy);
        wake?.();
      },
    );
    running.add(task);
  }
  await Promise.all(running);
  return jobs.map((j) => results.get(j) as CheckResult);
}

/** Runs each check once with the run seed. */
export function runChecks(checks: readonly CheckDefinition[], options: RunOptions): Promise<CheckResult[]> {
  return runJobs(
    checks.map((check) => ({ check, seed: options.seed })),
    { ...options, replay: (id) => options.replay(id) },
  );
}

/** A light check takes one slot; a heavy one half of them (at 3 slots: 2, as before, one light beside it). */
function cost(check: CheckDefinition, slots: number): number {
  return check.heavy ? Math.max(1, Math.ceil(slots / 2)) : 1;
}
