import { writeFile, mkdir } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { gradeCandidate as gradeWithSuite } from '../harness/grading/grade-candidate.ts';
import { replayCommand } from '../harness/grading/replay.ts';
import { UsageError, selectChecks } from '../harness/grading/select-checks.ts';
import { KitError } from '../harness/common/errors.ts';
import { REPORT_SCHEMA_VERSION, type CandidateReport, type GradeReport } from '../harness/report/report.ts';
import { renderJunit } from '../harness/report/junit.ts';
import { renderHtml } from '../harness/report/html.ts';
import { renderBatch, renderMarkdown } from '../harness/report/markdown.ts';
import { formatMs, paintVerdict, renderFailures, renderTable } from '../harness/report/table.ts';
import { SUITES } from './suites.ts';

export interface GradeOptions {
  candidates: string[];
  seed: number;
  only?: string[];
  strict: boolean;
  parallel: number;
  json?: string;
  junit?: string;
  html?: string;
  markdown?: string;
  /** Batch table (one row per candidate) as CSV; a Markdown twin is written next to it. */
  csv?: string;
  /** Print the per-check progress lines (stderr). */
  progress: boolean;
  out: (text: string) => void;
  err: (text: string) => void;
}

export { UsageError, selectChecks, replayCommand };

/** Grades one candidate with the registered suites (the harness's engine, wired to this CLI's options). */
export function gradeCandidate(path: string, options: GradeOptions): Promise<CandidateReport> {
  return gradeWithSuite(path, {
    suites: SUITES,
    seed: options.seed,
    ...(options.only ? { only: options.only } : {}),
    strict: options.strict,
    parallel: options.parallel,
    progress: (event) => {
      if (!options.progress) return;
      if (event.kind === 'start') options.err(`grading ${event.name} (${event.system}), seed ${event.seed}`);
      else if (event.kind === 'built') options.err(`  built in ${formatMs(event.durationMs)}`);
      else options.err(`  ${`${event.done}/${event.total}`.padStart(5)} ${paintVerdict(event.result.verdict, 12)} ${event.result.id} (${formatMs(event.result.durationMs)})`);
    },
  });
}

/** Grades every candidate, prints tables and evidence, writes the requested reports, returns the exit code. */
export async function grade(options: GradeOptions): Promise<number> {
  const report: GradeReport = { schemaVersion: REPORT_SCHEMA_VERSION, tool: 'meridian-kit', seed: options.seed, startedAt: new Date().toISOString(), strict: options.strict, candidates: [], ok: false };
  let exitCode = 0;
  for (const path of options.candidates) {
    try {
      const result = await gradeCandidate(path, options);
      report.candidates.push(result);
      options.out(renderTable(result));
      const failures = renderFailures(result);
      if (failures) options.out(`\n${failures}`);
      options.out('');
      if (result.checks.some((c) => c.verdict === 'ERROR')) exitCode = Math.max(exitCode, 2);
      else if (!result.ok) exitCode = Math.max(exitCode, 1);
    } catch (error) {
      if (!(error instanceof KitError)) throw error;
      options.err(`meridian-kit: ${path}: ${error.code}: ${error.message}`);
      const output = error.details.output;
      if (Array.isArray(output)) options.err(output.map((l) => `  | ${String(l)}`).join('\n'));
      exitCode = 2;
    }
  }
  report.ok = exitCode === 0;
  if (options.json) await writeOut(options.json, `${JSON.stringify(report, null, 2)}\n`);
  if (options.junit) await writeOut(options.junit, renderJunit(report));
  if (options.html) await writeOut(options.html, renderHtml(report));
  if (options.markdown) await writeOut(options.markdown, renderMarkdown(report));
  if (options.csv) {
    const batch = renderBatch(report);
    await writeOut(options.csv, batch.csv);
    await writeOut(options.csv.replace(/\.csv$/i, '') + '.md', batch.markdown);
  }
  if (report.candidates.length > 1) options.out(renderBatch(report).markdown);
  return exitCode;
}

async function writeOut(path: string, text: string): Promise<void> {
  await mkdir(dirname(resolve(path)), { recursive: true });
  await writeFile(path, text);
}
