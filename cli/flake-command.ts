import { readFile, writeFile, mkdir } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { loadCandidate } from '../harness/candidate/candidate.ts';
import { buildCandidate } from '../harness/candidate/build.ts';
import { KitError } from '../harness/common/errors.ts';
import { KIT_VERSION } from '../harness/common/version.ts';
import { flake, mergeFlakeReports, parseShard, renderFlake, type FlakeReport } from '../harness/flake/flake.ts';
import { manifestLabel, replayCommand } from '../harness/grading/replay.ts';
import { UsageError, selectChecks, validateOnly } from '../harness/grading/select-checks.ts';
import { buildWarningsCheck, manifestCommandChecks } from '../harness/checks/build-checks.ts';
import { killAll } from '../harness/process/supervisor.ts';
import { keyCandidates, renderBatch, renderBatchSummary } from '../harness/report/batch.ts';
import { renderHtml } from '../harness/report/html.ts';
import { renderJunit } from '../harness/report/junit.ts';
import { renderMarkdown } from '../harness/report/markdown.ts';
import type { GradeReport } from '../harness/report/report.ts';
import { paintVerdict } from '../harness/report/table.ts';
import { validateFolder, validateOutputs, type OutputPath } from './output-paths.ts';
import { DEFAULT_RUNS_DIR, saveRun } from './run-history.ts';
import { SUITES } from './suites.ts';

export interface FlakeCommandOptions {
  candidates: string[];
  /** Runs per check. Default 50. */
  runs: number;
  /** Parallel slots. Default 4. */
  parallel: number;
  only?: string[];
  seed: number;
  /** True when the user gave --seed (required with --shard, so every shard runs the same seeds). */
  seedGiven: boolean;
  shard?: string;
  json?: string;
  history?: string | false;
  quiet: boolean;
}

function flakeExitCode(report: FlakeReport): number {
  if (report.checks.some((c) => c.verdict === 'ERROR')) return 2;
  return report.checks.every((c) => c.level !== 'required' || c.verdict === 'PASS') ? 0 : 1;
}

async function writeOut(path: string, text: string): Promise<void> {
  await mkdir(dirname(resolve(path)), { recursive: true });
  await writeFile(path, text);
}

/** `meridian-kit flake`: exit 0 when every gated check passed every run, 1 on FAIL or FLAKY, 2 on bad input. */
export async function flakeCommand(options: FlakeCommandOptions): Promise<number> {
  const shard = parseShard(options.shard);
  if (shard.count > 1 && !options.seedGiven) {
    throw new UsageError(
      'SHARD_NEEDS_SEED',
      `--shard ${options.shard} needs --seed N, the same on every shard, so the shards run one set of seeds that merge can combine (e.g. --seed $GITHUB_RUN_ID)`,
    );
  }
  if (options.json && options.candidates.length > 1)
    throw new UsageError('BAD_ARGUMENT', '--json holds one flake report: give one --candidate with it');
  if (options.json) validateOutputs([{ flag: '--json', path: options.json }]);
  if (options.history !== false) validateFolder('--runs-dir', options.history ?? DEFAULT_RUNS_DIR);
  validateOnly(
    options.only,
    Object.values(SUITES).flatMap((suite) => suite.map((c) => c.id)),
  );
  let exitCode = 0;
  let flaked = 0;
  for (const path of options.candidates) {
    const candidate = await loadCandidate(path);
    const build = await buildCandidate(candidate);
    // The manifest's own checks (build.NAME) run only when --only asks for them, like any other id.
    const warnings = buildWarningsCheck(build);
    const all = options.only
      ? [...manifestCommandChecks(candidate), ...(warnings ? [warnings] : []), ...SUITES[candidate.manifest.system]]
      : [...SUITES[candidate.manifest.system]];
    const checks = selectChecks(all, options.only, { lenient: options.candidates.length > 1 });
    if (checks.length === 0) {
      if (options.candidates.length === 1) throw new UsageError('NO_CHECKS', `--only selects no check of ${candidate.manifest.name}`);
      if (!options.quiet) process.stderr.write(`[flake] skipped ${candidate.manifest.name}: --only selects none of its checks\n`);
      continue;
    }
    flaked++;
    const tty = process.stderr.isTTY === true;
    let lastPrinted = -1;
    const report = await flake({
      candidate,
      manifestLabel: manifestLabel(candidate),
      checks,
      runs: options.runs,
      baseSeed: options.seed,
      parallel: options.parallel,
      shard,
      replay: (id, seed) => replayCommand(candidate, id, seed),
      onProgress: (done, total, failures) => {
        if (options.quiet) return;
        const pct = Math.floor((done / total) * 100);
        if (tty)
          process.stderr.write(`\r[flake] ${candidate.manifest.name} ${done}/${total} check runs (${pct}%), ${failures} not passing `);
        else if (pct >= lastPrinted + 10 || done === total) {
          lastPrinted = pct;
          process.stderr.write(`[flake] ${candidate.manifest.name} ${done}/${total} check runs (${pct}%), ${failures} not passing\n`);
        }
      },
    });
    await killAll();
    if (tty && !options.quiet) process.stderr.write('\n');
    const rendered = renderFlake(report, paintVerdict);
    process.stdout.write(`${rendered}\n`);
    const json = `${JSON.stringify({ ...report, kitVersion: KIT_VERSION }, null, 2)}\n`;
    if (options.json) await writeOut(options.json, json);
    const code = flakeExitCode(report);
    if (options.history !== false) {
      const verdicts = report.checks.map((c) => c.verdict);
      await saveRun(
        options.history ?? DEFAULT_RUNS_DIR,
        {
          kind: 'flake',
          name: candidate.manifest.name,
          verdict: verdicts.includes('FLAKY') ? 'FLAKY' : code === 0 ? 'OK' : 'NOT OK',
          ok: code === 0,
          startedAt: new Date(Date.now() - report.wallMs).toISOString(),
          seed: report.baseSeed,
          kitVersion: KIT_VERSION,
          detail: `${report.manifest} · ${report.runIndexes.length} runs × ${report.checks.length} checks`,
        },
        {
          JSON: { file: 'flake.json', text: json },
          Text: { file: 'flake.txt', text: `${renderFlake(report, (v, w) => v.replace('_', ' ').padEnd(w ?? 0))}\n` },
        },
      );
    }
    exitCode = Math.max(exitCode, code);
  }
  if (flaked === 0) throw new UsageError('NO_CHECKS', '--only selects no check of any candidate');
  return exitCode;
}

/** Report files `merge` may write. */
export interface MergeOutputs {
  json?: string;
  junit?: string;
  html?: string;
  markdown?: string;
  csv?: string;
}

/**
 * `meridian-kit merge`: combines the shard reports of one flake run, or the JSON reports of a sharded batch
 * grade (`grade --shard i/n --json`) into one batch.
 */
export async function mergeCommand(paths: string[], outputs: MergeOutputs): Promise<number> {
  if (paths.length === 0) throw new UsageError('BAD_ARGUMENT', 'merge needs one or more JSON reports (flake or grade)');
  const list: OutputPath[] = Object.entries(outputs)
    .filter(([, p]) => p !== undefined)
    .map(([flag, path]) => ({ flag: `--${flag}`, path: path as string }));
  validateOutputs(list);
  const reports = await Promise.all(
    paths.map(async (p) => {
      try {
        return JSON.parse(await readFile(p, 'utf8')) as FlakeReport | GradeReport;
      } catch (error) {
        throw new KitError('MERGE_BAD_JSON', `${p}: ${(error as Error).message}`);
      }
    }),
  );
  const flakes = reports.filter((r): r is FlakeReport => (r as FlakeReport).kind === 'flake');
  if (flakes.length === reports.length) {
    let merged: FlakeReport;
    try {
      merged = mergeFlakeReports(flakes);
    } catch (error) {
      if (error instanceof KitError && error.code === 'MERGE_MISMATCH') {
        throw new KitError(
          'MERGE_MISMATCH',
          `${error.message}. Shards merge only when run with the same --seed and --runs: pass --seed N (the same N) to every flake --shard`,
        );
      }
      throw error;
    }
    process.stdout.write(`${renderFlake(merged, paintVerdict)}\n`);
    if (outputs.json) await writeOut(outputs.json, `${JSON.stringify(merged, null, 2)}\n`);
    return flakeExitCode(merged);
  }
  const grades = reports.filter((r): r is GradeReport => Array.isArray((r as GradeReport).candidates));
  if (grades.length !== reports.length)
    throw new UsageError('MERGE_MIXED', 'merge takes only flake reports or only grade --json reports, not a mix');
  const [first] = grades as [GradeReport];
  const mismatch = grades.find((g) => g.seed !== first.seed);
  if (mismatch)
    throw new KitError(
      'MERGE_MISMATCH',
      `grade shards ran with different seeds (${first.seed}, ${mismatch.seed}): give every shard the same --seed`,
    );
  const merged: GradeReport = { ...first, candidates: grades.flatMap((g) => g.candidates), ok: grades.every((g) => g.ok) };
  keyCandidates(merged.candidates);
  process.stdout.write(`${renderBatchSummary(merged)}\n`);
  const batch = renderBatch(merged);
  if (outputs.json) await writeOut(outputs.json, `${JSON.stringify(merged, null, 2)}\n`);
  if (outputs.junit) await writeOut(outputs.junit, renderJunit(merged));
  if (outputs.html) await writeOut(outputs.html, renderHtml(merged));
  if (outputs.markdown) await writeOut(outputs.markdown, `${renderMarkdown(merged)}\n## Batch\n\n${batch.markdown}`);
  if (outputs.csv) await writeOut(outputs.csv, batch.csv);
  const failed = merged.candidates.some((c) => c.failure || c.checks.some((x) => x.verdict === 'ERROR'));
  return failed ? 2 : merged.ok ? 0 : 1;
}
