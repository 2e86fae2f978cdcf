import { buildCandidate } from '../candidate/build.ts';
import { releaseBuildLayer } from '../process/sandbox.ts';
import { loadCandidate } from '../candidate/candidate.ts';
import { buildWarningsCheck, manifestCommandChecks } from '../checks/build-checks.ts';
import { unknown, type CheckDefinition, type CheckResult } from '../checks/check.ts';
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
  /** Skip `only` patterns that match none of this candidate's checks (batches of several systems). Default false. */
  lenientOnly?: boolean;
  /** Recommended checks gate too. Default false. */
  strict?: boolean;
  /** Parallel check slots. Default 4. */
  parallel?: number;
  /**
   * Wall-time budget for the whole candidate (build and checks), ms. The build gets what is left of it; a check
   * not yet started when it runs out is not run and reads UNKNOWN ("time limit reached"), so the candidate
   * cannot pass. Checks already running end within their own deadlines. Default: none.
   */
  timeLimitMs?: number;
  /** Progress sink: the build line and "7/17 broker.framing PASS (1.2 s)" lines. Default: silent. */
  progress?: (event: GradeProgress) => void;
}

/** What a grade reports while it runs. */
export type GradeProgress =
  | { kind: 'start'; name: string; system: string; seed: number }
  | { kind: 'built'; durationMs: number }
  | { kind: 'check'; done: number; total: number; result: CheckResult };

/** The check, not started once the candidate's time budget is spent (UNKNOWN, which never passes). */
function withDeadline(check: CheckDefinition, deadline: number, limitMs: number): CheckDefinition {
  return {
    ...check,
    run: (ctx) => {
      if (performance.now() < deadline) return check.run(ctx);
      return Promise.resolve(
        unknown(`not run: the candidate's time limit (${Math.round(limitMs / 1000)} s) was reached before this check started`, {
          notes: ['raise --time-limit to grade every check'],
        }),
      );
    },
  };
}

/**
 * Grades one candidate: load, build, run the suite of its system. Throws a KitError for a bad manifest
 * (ManifestError), a failed build (BuildError) or an empty selection (UsageError).
 */
export async function gradeCandidate(path: string, options: GradeCandidateOptions): Promise<CandidateReport> {
  const started = performance.now();
  const candidate = await loadCandidate(path);
  try {
    const suite = options.suites[candidate.manifest.system];
    options.progress?.({ kind: 'start', name: candidate.manifest.name, system: candidate.manifest.system, seed: options.seed });
    const deadline = options.timeLimitMs !== undefined ? started + options.timeLimitMs : Infinity;
    const build = await buildCandidate(
      candidate,
      Number.isFinite(deadline) ? { timeoutMs: Math.max(1, deadline - performance.now()) } : {},
    );
    if (build.ran) options.progress?.({ kind: 'built', durationMs: build.durationMs });
    const warnings = buildWarningsCheck(build);
    const all: CheckDefinition[] = [...manifestCommandChecks(candidate), ...(warnings ? [warnings] : []), ...suite];
    const selected = selectChecks(all, options.only, { lenient: options.lenientOnly ?? false, strict: options.strict ?? false });
    const checks = Number.isFinite(deadline) ? selected.map((c) => withDeadline(c, deadline, options.timeLimitMs!)) : selected;
    if (checks.length === 0)
      throw new UsageError(
        'NO_CHECKS',
        `--only selects no check of ${candidate.manifest.name}: no checks to run for ${candidate.manifest.name} (system ${candidate.manifest.system}): zero checks is never a pass`,
      );
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
  } finally {
    // The build's output (the sandbox's layer) goes with the grade; a batch grades others meanwhile.
    releaseBuildLayer(candidate.dir);
  }
}
