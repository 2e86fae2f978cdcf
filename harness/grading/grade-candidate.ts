import { buildCandidate } from '../candidate/build.ts';
import { loadCandidate } from '../candidate/candidate.ts';
import { buildWarningsCheck, manifestCommandChecks } from '../checks/build-checks.ts';
import type { CheckDefinition, CheckResult } from '../checks/check.ts';
import { runChecks } from '../checks/runner.ts';
import { gatePasses, summarize, type CandidateReport } from '../report/report.ts';
import { manifestLabel, replayCommand } from './replay.ts';
import { UsageError, selectChecks } from './select-checks.ts';
import type { SuiteRegistry } from './suites.ts';

export interface GradeCandidateOptions {
  /** The suite of each system (registered by the caller: the harness never imports conformance). */
  suites: SuiteRegistry;
  /** The run seed. */
  seed: number;
  /** `--only` patterns (ids or globs); undefined runs every check. */
  only?: readonly string[];
  /** Recommended checks gate too. Default false. */
  strict?: boolean;
  /** Parallel check slots. Default 4. */
  parallel?: number;
  /** Build deadline in ms. Default: the build's own (15 min). */
  buildTimeoutMs?: number;
  /** Progress sink: the build line and "7/17 broker.framing PASS (1.2 s)" lines. Default: silent. */
  progress?: (event: GradeProgress) => void;
}

/** What a grade reports while it runs. */
export type GradeProgress =
  | { kind: 'start'; name: string; system: string; seed: number }
  | { kind: 'built'; durationMs: number }
  | { kind: 'check'; done: number; total: number; result: CheckResult };

/**
 * Grades one candidate: load, build, run the suite of its system. Throws a KitError for a bad manifest
 * (ManifestError), a failed build (BuildError) or an empty selection (UsageError).
 */
export async function gradeCandidate(path: string, options: GradeCandidateOptions): Promise<CandidateReport> {
  const started = performance.now();
  const candidate = await loadCandidate(path);
  const suite = options.suites[candidate.manifest.system];
  options.progress?.({ kind: 'start', name: candidate.manifest.name, system: candidate.manifest.system, seed: options.seed });
  const build = await buildCandidate(candidate, options.buildTimeoutMs !== undefined ? { timeoutMs: options.buildTimeoutMs } : {});
  if (build.ran) options.progress?.({ kind: 'built', durationMs: build.durationMs });
  const warnings = buildWarningsCheck(build);
  const all: CheckDefinition[] = [...manifestCommandChecks(candidate), ...(warnings ? [warnings] : []), ...suite];
  const checks = selectChecks(all, options.only);
  if (checks.length === 0) throw new UsageError('NO_CHECKS', `no checks to run for ${candidate.manifest.name} (system ${candidate.manifest.system}): zero checks is never a pass`);
  let done = 0;
  const results: CheckResult[] = await runChecks(checks, {
    candidate,
    seed: options.seed,
    slots: options.parallel ?? 4,
    replay: (id) => replayCommand(candidate, id, options.seed),
    onResult: (result) => options.progress?.({ kind: 'check', done: ++done, total: checks.length, result }),
  });
  return {
    name: candidate.manifest.name,
    system: candidate.manifest.system,
    manifest: manifestLabel(candidate),
    checks: results,
    summary: summarize(results),
    ok: gatePasses(results, options.strict ?? false),
    durationMs: Math.round(performance.now() - started),
  };
}
