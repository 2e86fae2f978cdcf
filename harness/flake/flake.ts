import type { Candidate } from '../candidate/candidate.ts';
import type { CheckDefinition, CheckResult } from '../checks/check.ts';
import { runJobs, setHeavyLanes, type Job } from '../checks/runner.ts';
import type { Level, Verdict } from '../checks/verdict.ts';
import { KitError } from '../common/errors.ts';
import { deriveSeed } from '../common/random.ts';

export const FLAKE_SCHEMA_VERSION = 1;

/** One failing (or otherwise non-passing) run of a check, with the command that replays it. */
export interface FlakeFailure {
  run: number;
  seed: number;
  verdict: Verdict;
  summary: string;
  replay: string;
}

export interface FlakeCheckStats {
  id: string;
  level: Level;
  title: string;
  runs: number;
  pass: number;
  fail: number;
  /** Counts of every verdict seen. */
  verdicts: Partial<Record<Verdict, number>>;
  verdict: Verdict;
  failures: FlakeFailure[];
  /** Wall time of each run of this check, ms (median shown in reports). */
  durationsMs: number[];
}

export interface FlakeReport {
  schemaVersion: number;
  kind: 'flake';
  candidate: string;
  manifest: string;
  baseSeed: number;
  runs: number;
  shard: { index: number; count: number };
  /** Runs this report actually holds (a shard holds a share). */
  runIndexes: number[];
  wallMs: number;
  checks: FlakeCheckStats[];
}

/** `i/n` with 1 ≤ i ≤ n. */
export function parseShard(text: string | undefined): { index: number; count: number } {
  if (text === undefined) return { index: 1, count: 1 };
  const match = /^(\d+)\/(\d+)$/.exec(text);
  const index = Number(match?.[1]);
  const count = Number(match?.[2]);
  if (!match || count < 1 || index < 1 || index > count)
    throw new KitError('BAD_SHARD', `--shard must look like i/n with 1 ≤ i ≤ n, got "${text}"`);
  return { index, count };
}

/** The seed of run `run`: distinct per run, reproducible from the base seed. */
export function runSeed(baseSeed: number, run: number): number {
  return deriveSeed(baseSeed, `run-${run}`);
}

/**
 * A check's verdict over many runs. Passing every time is PASS; failing every time is FAIL; passing some
 * times and not others is FLAKY, never PASS. A kit fault in any run is ERROR.
 */
export function aggregateVerdict(counts: Partial<Record<Verdict, number>>): Verdict {
  const n = (v: Verdict): number => counts[v] ?? 0;
  const total = Object.values(counts).reduce((a, b) => a + (b ?? 0), 0);
  if (n('ERROR') > 0) return 'ERROR';
  if (n('PASS') === total) return 'PASS';
  if (n('PASS') > 0) return 'FLAKY';
  if (n('FAIL') > 0 && n('FAIL') + n('UNKNOWN') === total) return n('UNKNOWN') > 0 ? 'FLAKY' : 'FAIL';
  if (n('ADVISORY') === total) return 'ADVISORY';
  if (n('NOT_TESTABLE') === total) return 'NOT_TESTABLE';
  if (n('UNKNOWN') === total) return 'UNKNOWN';
  return 'FLAKY';
}

export interface FlakeOptions {
  candidate: Candidate;
  manifestLabel: string;
  checks: CheckDefinition[];
  runs: number;
  baseSeed: number;
  parallel: number;
  shard: { index: number; count: number };
  replay: (checkId: string, seed: number) => string;
  /**
   * Heavy checks at once during this run (1 to one per core). Default: the process's setting (1, or
   * MERIDIAN_HEAVY_LANES). Two lanes on 2 cores let the two load checks of different seeds overlap.
   */
  heavyLanes?: number;
  onProgress?: (done: number, total: number, failures: number) => void;
}

/** Runs every check `runs` times with distinct seeds, in parallel slots, and tallies verdicts per check. */
export async function flake(options: FlakeOptions): Promise<FlakeReport> {
  const started = performance.now();
  const runIndexes = Array.from({ length: options.runs }, (_, i) => i).filter((i) => i % options.shard.count === options.shard.index - 1);
  const jobs: Array<Job & { run: number }> = [];
  for (const run of runIndexes) for (const check of options.checks) jobs.push({ check, seed: runSeed(options.baseSeed, run), run });
  let done = 0;
  let failures = 0;
  const lanesBefore = options.heavyLanes !== undefined ? setHeavyLanes(options.heavyLanes) : undefined;
  const results = await runJobs(jobs, {
    candidate: options.candidate,
    slots: options.parallel,
    replay: options.replay,
    onResult: (r) => {
      done++;
      if (r.verdict !== 'PASS' && r.verdict !== 'ADVISORY' && r.verdict !== 'NOT_TESTABLE') failures++;
      options.onProgress?.(done, jobs.length, failures);
    },
  }).finally(() => {
    if (lanesBefore !== undefined) setHeavyLanes(lanesBefore);
  });
  const byCheck = new Map<string, FlakeCheckStats>();
  for (const check of options.checks) {
    byCheck.set(check.id, {
      id: check.id,
      level: check.level,
      title: check.title,
      runs: 0,
      pass: 0,
      fail: 0,
      verdicts: {},
      verdict: 'PASS',
      failures: [],
      durationsMs: [],
    });
  }
  results.forEach((result: CheckResult, i) => {
    const job = jobs[i] as Job & { run: number };
    const stats = byCheck.get(result.id) as FlakeCheckStats;
    stats.runs++;
    stats.durationsMs.push(result.durationMs);
    stats.verdicts[result.verdict] = (stats.verdicts[result.verdict] ?? 0) + 1;
    if (result.verdict === 'PASS') stats.pass++;
    if (result.verdict === 'FAIL') stats.fail++;
    if (result.verdict !== 'PASS' && result.verdict !== 'ADVISORY' && result.verdict !== 'NOT_TESTABLE') {
      stats.failures.push({
        run: job.run,
        seed: job.seed,
        verdict: result.verdict,
        summary: result.evidence.summary,
        replay: result.replay,
      });
    }
  });
  for (const stats of byCheck.values()) stats.verdict = aggregateVerdict(stats.verdicts);
  return {
    schemaVersion: FLAKE_SCHEMA_VERSION,
    kind: 'flake',
    candidate: options.candidate.manifest.name,
    manifest: options.manifestLabel,
    baseSeed: options.baseSeed,
    runs: options.runs,
    shard: options.shard,
    runIndexes,
    wallMs: Math.round(performance.now() - started),
    checks: [...byCheck.values()],
  };
}

/** Combines shard reports of the same flake run (same candidate, base seed and run count) into one. */
export function mergeFlakeReports(reports: readonly FlakeReport[]): FlakeReport {
  const [first] = reports;
  if (!first) throw new KitError('MERGE_EMPTY', 'nothing to merge');
  for (const r of reports) {
    if (r.kind !== 'flake' || r.schemaVersion !== FLAKE_SCHEMA_VERSION)
      throw new KitError('MERGE_MISMATCH', `not a flake report of schema ${FLAKE_SCHEMA_VERSION}: ${r.manifest}`);
    if (r.candidate !== first.candidate || r.baseSeed !== first.baseSeed || r.runs !== first.runs) {
      throw new KitError(
        'MERGE_MISMATCH',
        `shards disagree: ${r.candidate}/seed ${r.baseSeed}/${r.runs} runs vs ${first.candidate}/seed ${first.baseSeed}/${first.runs} runs`,
      );
    }
  }
  const runIndexes = [...new Set(reports.flatMap((r) => r.runIndexes))].sort((a, b) => a - b);
  if (runIndexes.length !== reports.reduce((n, r) => n + r.runIndexes.length, 0))
    throw new KitError('MERGE_OVERLAP', 'two shards hold the same run: merge each shard once');
  const checks = new Map<string, FlakeCheckStats>();
  for (const r of reports) {
    for (const c of r.checks) {
      const into = checks.get(c.id) ?? { ...c, runs: 0, pass: 0, fail: 0, verdicts: {}, failures: [], durationsMs: [] };
      into.runs += c.runs;
      into.pass += c.pass;
      into.fail += c.fail;
      for (const [v, n] of Object.entries(c.verdicts)) into.verdicts[v as Verdict] = (into.verdicts[v as Verdict] ?? 0) + (n ?? 0);
      into.failures.push(...c.failures);
      into.durationsMs.push(...c.durationsMs);
      checks.set(c.id, into);
    }
  }
  for (const c of checks.values()) {
    c.verdict = aggregateVerdict(c.verdicts);
    c.failures.sort((a, b) => a.run - b.run);
  }
  return {
    ...first,
    shard: { index: 1, count: 1 },
    runIndexes,
    wallMs: Math.max(...reports.map((r) => r.wallMs)),
    checks: [...checks.values()],
  };
}

/** Terminal summary: per check, passes out of runs, verdict, and the replay command of each failure. */
export function renderFlake(report: FlakeReport, paint: (v: Verdict, w?: number) => string): string {
  const width = Math.max(8, ...report.checks.map((c) => c.id.length));
  const lines = [
    `flake: ${report.candidate} — ${report.runIndexes.length} of ${report.runs} runs (base seed ${report.baseSeed}${report.shard.count > 1 ? `, shard ${report.shard.index}/${report.shard.count}` : ''}) in ${(report.wallMs / 1000).toFixed(1)} s`,
  ];
  for (const c of report.checks) {
    const median = [...c.durationsMs].sort((a, b) => a - b)[Math.floor(c.durationsMs.length / 2)] ?? 0;
    lines.push(
      `${c.id.padEnd(width)}  ${paint(c.verdict, 12)}  ${String(c.pass).padStart(3)}/${c.runs} pass  median ${(median / 1000).toFixed(1)} s`,
    );
    for (const f of c.failures.slice(0, 5))
      lines.push(
        `${' '.repeat(width)}    run ${f.run} ${f.verdict}: ${f.summary.slice(0, 100)}\n${' '.repeat(width)}      replay: ${f.replay}`,
      );
    if (c.failures.length > 5) lines.push(`${' '.repeat(width)}    … ${c.failures.length - 5} more failing runs in the JSON report`);
  }
  return lines.join('\n');
}
