import { readFileSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { basename, dirname, relative, resolve } from 'node:path';
import { KitError } from '../harness/common/errors.ts';
import { KIT_VERSION } from '../harness/common/version.ts';
import { gradeCandidate as gradeWithSuite } from '../harness/grading/grade-candidate.ts';
import { UsageError, validateOnly } from '../harness/grading/select-checks.ts';
import { sandboxStatus } from '../harness/process/sandbox-mode.ts';
import { killAll } from '../harness/process/supervisor.ts';
import { keyCandidates, renderBatch, renderBatchSummary, score } from '../harness/report/batch.ts';
import { renderHtml } from '../harness/report/html.ts';
import { renderJson } from '../harness/report/json.ts';
import { renderJunit } from '../harness/report/junit.ts';
import { renderMarkdown } from '../harness/report/markdown.ts';
import { REPORT_SCHEMA_VERSION, summarize, type CandidateReport, type GradeReport } from '../harness/report/report.ts';
import { formatMs, paintVerdict, renderFailures, renderTable } from '../harness/report/table.ts';
import { validateFolder, validateOutputs, type OutputPath } from './output-paths.ts';
import { DEFAULT_RUNS_DIR, saveRun } from './run-history.ts';
import { SUITES } from './suites.ts';

export { UsageError };

export interface GradeOptions {
  candidates: string[];
  seed: number;
  only?: string[];
  strict: boolean;
  /** Parallel check slots per candidate. Default 4. */
  parallel: number;
  /** Candidates graded at once. Default 1. */
  jobs?: number;
  /** Wall-time budget per candidate (build + checks), ms. Default: none. */
  timeLimitMs?: number;
  /** Grade only this share of the candidates (CI matrix; combine the JSON reports with `merge`). */
  shard?: { index: number; count: number };
  json?: string;
  junit?: string;
  html?: string;
  markdown?: string;
  /** Batch table (one row per candidate) as CSV; a Markdown twin is written next to it (X.csv → X.md) unless --markdown names that file. */
  csv?: string;
  /** Folder the run's reports are kept in (`.meridian/runs`); false keeps nothing. */
  history?: string | false;
  /** Print the per-check progress lines (stderr). */
  progress: boolean;
  out: (text: string) => void;
  err: (text: string) => void;
  /** Receives the finished report (watch mode reorders the next run by it). */
  onReport?: (report: GradeReport) => void;
}

/** Grades one candidate with the registered suites (the harness's engine, wired to this CLI's options). */
export function gradeCandidate(path: string, options: GradeOptions, prefix = ''): Promise<CandidateReport> {
  return gradeWithSuite(path, {
    suites: SUITES,
    seed: options.seed,
    ...(options.only ? { only: options.only, lenientOnly: options.candidates.length > 1 } : {}),
    ...(options.timeLimitMs !== undefined ? { timeLimitMs: options.timeLimitMs } : {}),
    strict: options.strict,
    parallel: options.parallel,
    progress: (event) => {
      if (!options.progress) return;
      if (event.kind === 'start') options.err(`${prefix}grading ${event.name} (${event.system}), seed ${event.seed}`);
      else if (event.kind === 'built') options.err(`${prefix}  built in ${formatMs(event.durationMs)}`);
      else
        options.err(
          `${prefix}  ${`${event.done}/${event.total}`.padStart(5)} ${paintVerdict(event.result.verdict, 12)} ${event.result.id} (${formatMs(event.result.durationMs)})`,
        );
    },
  });
}

/** The Markdown twin of `--csv X.csv`: X.md, unless another report already names that file. */
export function csvTwin(options: Pick<GradeOptions, 'csv' | 'markdown' | 'json' | 'junit' | 'html'>): string | undefined {
  if (!options.csv) return undefined;
  const twin = `${options.csv.replace(/\.csv$/i, '')}.md`;
  const taken = [options.markdown, options.json, options.junit, options.html, options.csv]
    .filter((p): p is string => p !== undefined)
    .map((p) => resolve(p));
  return taken.includes(resolve(twin)) ? undefined : twin;
}

/** The report paths of a grade, for validation before any check runs. */
export function gradeOutputs(options: GradeOptions): OutputPath[] {
  const outputs: OutputPath[] = [];
  for (const flag of ['json', 'junit', 'html', 'markdown', 'csv'] as const) {
    const path = options[flag];
    if (path !== undefined) outputs.push({ flag: `--${flag}`, path });
  }
  const twin = csvTwin(options);
  if (twin) outputs.push({ flag: '--csv (its Markdown twin)', path: twin });
  return outputs;
}

/** A candidate that could not be graded: a failed row with the reason and the tail of its output. */
export function failedCandidate(path: string, error: unknown, durationMs: number): CandidateReport {
  let raw: { name?: unknown; system?: unknown } = {};
  try {
    raw = JSON.parse(readFileSync(path, 'utf8')) as typeof raw;
  } catch {
    /* unreadable or not JSON: named after its folder */
  }
  const kit = error instanceof KitError;
  const output = kit && Array.isArray(error.details.output) ? error.details.output.map(String) : [];
  return {
    name: typeof raw.name === 'string' && raw.name ? raw.name : basename(dirname(resolve(path))),
    system: typeof raw.system === 'string' ? raw.system : 'unknown',
    manifest: relative(process.cwd(), resolve(path)) || path,
    checks: [],
    summary: summarize([]),
    ok: false,
    durationMs: Math.round(durationMs),
    failure: {
      code: kit ? error.code : 'KIT_FAULT',
      message: kit ? error.message : `the kit failed on this candidate: ${error instanceof Error ? error.message : String(error)}`,
      logTail: output.slice(-30),
    },
  };
}

/** Candidates of one shard (`i/n`): every n-th, starting at the i-th, in the order given. */
export function shardOf<T>(items: readonly T[], shard: { index: number; count: number } | undefined): T[] {
  if (!shard || shard.count === 1) return [...items];
  return items.filter((_, i) => i % shard.count === shard.index - 1);
}

/** Runs `task` over `items` with at most `limit` at once; results in input order. */
async function pool<T, R>(items: readonly T[], limit: number, task: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const i = next++;
      results[i] = await task(items[i] as T, i);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker));
  return results;
}

/** The exit code of one candidate: 2 when it could not be graded or the kit failed, 1 when it does not pass. */
function exitOf(c: CandidateReport): number {
  if (c.failure || c.checks.some((x) => x.verdict === 'ERROR')) return 2;
  return c.ok ? 0 : 1;
}

/**
 * Grades every candidate (`jobs` at once), prints each table and its evidence, then — once every candidate
 * process is gone — writes the requested reports and keeps the run under the history folder. Output paths
 * are validated before anything runs. Returns the exit code (0 all pass, 1 a check fails, 2 bad input/kit fault).
 */
export async function grade(options: GradeOptions): Promise<number> {
  validateOutputs(gradeOutputs(options));
  if (options.history !== false) validateFolder('--runs-dir', options.history ?? DEFAULT_RUNS_DIR);
  validateOnly(
    options.only,
    Object.values(SUITES).flatMap((suite) => suite.map((c) => c.id)),
  );
  const candidates = shardOf(options.candidates, options.shard);
  if (candidates.length === 0)
    throw new UsageError(
      'EMPTY_SHARD',
      `shard ${options.shard?.index}/${options.shard?.count} holds none of the ${options.candidates.length} candidates`,
    );
  const report: GradeReport = {
    schemaVersion: REPORT_SCHEMA_VERSION,
    tool: 'meridian-kit',
    kitVersion: KIT_VERSION,
    seed: options.seed,
    startedAt: new Date().toISOString(),
    strict: options.strict,
    candidates: [],
    ok: false,
  };
  // The CLI refused `--sandbox required` where the OS cannot isolate; every report says what was in force.
  report.isolation = sandboxStatus().summary;
  if (options.progress) options.err(`isolation: ${report.isolation}`);
  const jobs = options.jobs ?? 1;
  const graded = await pool(candidates, jobs, async (path, i): Promise<CandidateReport | undefined> => {
    const started = performance.now();
    const prefix = jobs > 1 ? `[${i + 1}/${candidates.length}] ` : '';
    let result: CandidateReport;
    try {
      result = await gradeCandidate(path, options, prefix);
    } catch (error) {
      // In a batch, --only may name checks of other systems only: this candidate is then not graded.
      if (error instanceof UsageError && error.code === 'NO_CHECKS' && candidates.length > 1) {
        if (options.progress) options.err(`${prefix}skipped ${path}: ${error.message}`);
        return undefined;
      }
      // Any other usage problem is the grader's, not the candidate's: stop the whole run.
      if (error instanceof UsageError) throw error;
      result = failedCandidate(path, error, performance.now() - started);
    }
    const text: string[] = [];
    if (result.failure) {
      text.push(
        `${result.name} (${result.system}) — ${result.manifest}`,
        `NOT OK: could not be graded: ${result.failure.code}: ${result.failure.message}`,
      );
      if (result.failure.logTail.length > 0) text.push(...result.failure.logTail.map((l) => `  | ${l}`));
    } else {
      text.push(renderTable(result));
      const failures = renderFailures(result);
      if (failures) text.push('', failures);
    }
    options.out(`${text.join('\n')}\n`);
    return result;
  });
  report.candidates = graded.filter((c): c is CandidateReport => c !== undefined);
  if (report.candidates.length === 0) throw new UsageError('NO_CHECKS', '--only selects no check of any candidate');
  // Reports are written only once no candidate process remains, so nothing the candidate started can rewrite them.
  await killAll();
  keyCandidates(report.candidates);
  const exitCode = Math.max(0, ...report.candidates.map(exitOf));
  report.ok = exitCode === 0;
  options.onReport?.(report);
  if (report.candidates.length > 1) options.out(renderBatchSummary(report));
  const batch = renderBatch(report);
  const markdown = report.candidates.length > 1 ? `${renderMarkdown(report)}\n## Batch\n\n${batch.markdown}` : renderMarkdown(report);
  const json = renderJson(report);
  if (options.json) await writeOut(options.json, json);
  if (options.junit) await writeOut(options.junit, renderJunit(report));
  if (options.html) await writeOut(options.html, renderHtml(report));
  if (options.markdown) await writeOut(options.markdown, markdown);
  if (options.csv) await writeOut(options.csv, batch.csv);
  const twin = csvTwin(options);
  if (twin) await writeOut(twin, batch.markdown);
  if (options.history !== false) {
    const one = report.candidates.length === 1 ? report.candidates[0] : undefined;
    const passed = report.candidates.filter((c) => c.ok).length;
    const dir = await saveRun(
      options.history ?? DEFAULT_RUNS_DIR,
      {
        kind: 'grade',
        name: one ? (one.key ?? one.name) : `batch-${report.candidates.length}`,
        verdict: report.ok ? 'OK' : 'NOT OK',
        ok: report.ok,
        startedAt: report.startedAt,
        seed: report.seed,
        kitVersion: KIT_VERSION,
        detail: one ? `${one.manifest} · score ${score(one).text}` : `${passed} of ${report.candidates.length} candidates OK`,
      },
      {
        HTML: { file: 'report.html', text: renderHtml(report) },
        JSON: { file: 'report.json', text: json },
        Markdown: { file: 'report.md', text: markdown },
        JUnit: { file: 'junit.xml', text: renderJunit(report) },
        ...(report.candidates.length > 1 ? { CSV: { file: 'batch.csv', text: batch.csv } } : {}),
      },
    );
    if (options.progress) options.err(`reports    ${relative(process.cwd(), dir) || dir}/report.html`);
  }
  return exitCode;
}

async function writeOut(path: string, text: string): Promise<void> {
  await mkdir(dirname(resolve(path)), { recursive: true });
  await writeFile(path, text);
}
