import { writeFile, mkdir } from 'node:fs/promises';
import { dirname, relative, resolve } from 'node:path';
import { buildCandidate } from '../candidate/build.ts';
import { loadCandidate, type Candidate } from '../candidate/candidate.ts';
import type { CheckDefinition, CheckResult } from '../checks/check.ts';
import { buildWarningsCheck, manifestCommandChecks } from '../checks/build-checks.ts';
import { runChecks } from '../checks/runner.ts';
import { KitError } from '../common/errors.ts';
import { REPORT_SCHEMA_VERSION, gatePasses, summarize, type CandidateReport, type GradeReport } from '../report/report.ts';
import { renderJunit } from '../report/junit.ts';
import { renderJson } from '../report/json.ts';
import { renderHtml } from '../report/html.ts';
import { renderBatch, renderMarkdown } from '../report/markdown.ts';
import { formatMs, paintVerdict, renderFailures, renderTable } from '../report/table.ts';
import { assertSandboxAllowed } from '../process/sandbox-mode.ts';
import { releaseBuildLayers } from '../process/sandbox.ts';
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

/** A usage problem (unknown check id, no checks selected): exit code 2. */
export class UsageError extends KitError {}

/** The checks named by `--only` (exact ids, or a prefix ending in `*`), in the order given; unknown ids are an error. */
export function selectChecks(all: readonly CheckDefinition[], only: readonly string[] | undefined): CheckDefinition[] {
  if (!only || only.length === 0) return [...all];
  const picked: CheckDefinition[] = [];
  for (const id of only) {
    const matches = id.endsWith('*') ? all.filter((c) => c.id.startsWith(id.slice(0, -1))) : all.filter((c) => c.id === id);
    if (matches.length === 0) throw new UsageError('UNKNOWN_CHECK', `unknown check id "${id}"; known: ${all.map((c) => c.id).join(', ')}`);
    for (const m of matches) if (!picked.includes(m)) picked.push(m);
  }
  return picked;
}

export function replayCommand(candidate: Candidate, checkId: string, seed: number): string {
  const path = relative(process.cwd(), candidate.manifestPath) || candidate.manifestPath;
  return `npx meridian-kit grade --candidate ${path} --only ${checkId} --seed ${seed}`;
}

/** Grades one candidate: load, build, run its suite. Throws KitError for a bad manifest or failed build. */
export async function gradeCandidate(path: string, options: GradeOptions): Promise<CandidateReport> {
  const started = performance.now();
  const candidate = await loadCandidate(path);
  const suite = SUITES[candidate.manifest.system];
  if (options.progress) options.err(`grading ${candidate.manifest.name} (${candidate.manifest.system}), seed ${options.seed}`);
  const build = await buildCandidate(candidate);
  if (build.ran && options.progress) options.err(`  built in ${formatMs(build.durationMs)}`);
  const warnings = buildWarningsCheck(build);
  const all = [...manifestCommandChecks(candidate), ...(warnings ? [warnings] : []), ...suite];
  const checks = selectChecks(all, options.only);
  if (checks.length === 0) throw new UsageError('NO_CHECKS', `no checks to run for ${candidate.manifest.name} (system ${candidate.manifest.system}): zero checks is never a pass`);
  const results: CheckResult[] = await runChecks(checks, {
    candidate,
    seed: options.seed,
    slots: options.parallel,
    replay: (id) => replayCommand(candidate, id, options.seed),
    onResult: (r) => {
      if (options.progress) options.err(`  ${paintVerdict(r.verdict, 12)} ${r.id} (${formatMs(r.durationMs)})`);
    },
  });
  return {
    name: candidate.manifest.name,
    system: candidate.manifest.system,
    manifest: relative(process.cwd(), candidate.manifestPath) || candidate.manifestPath,
    checks: results,
    summary: summarize(results),
    ok: gatePasses(results, options.strict),
    durationMs: Math.round(performance.now() - started),
  };
}

/** Grades every candidate, prints tables and evidence, writes the requested reports, returns the exit code. */
export async function grade(options: GradeOptions): Promise<number> {
  const report: GradeReport = { schemaVersion: REPORT_SCHEMA_VERSION, tool: 'meridian-kit', seed: options.seed, startedAt: new Date().toISOString(), strict: options.strict, candidates: [], ok: false };
  let sandbox;
  try {
    sandbox = assertSandboxAllowed();
  } catch (error) {
    if (!(error instanceof KitError)) throw error;
    options.err(`meridian-kit: ${error.code}: ${error.message}`);
    return 2;
  }
  report.isolation = sandbox.summary;
  if (sandbox.warning) options.err(`meridian-kit: ${sandbox.warning}`);
  options.out(`isolation: ${sandbox.summary}`);
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
    } finally {
      // The candidate's build output (the sandbox's layer) goes with its grade.
      releaseBuildLayers();
    }
  }
  report.ok = exitCode === 0;
  if (options.json) await writeOut(options.json, renderJson(report));
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
