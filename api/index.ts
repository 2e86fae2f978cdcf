/**
 * meridian-kit as a library: `grade()` a candidate from a manifest, with the kit's own suites.
 * The other entry points: `meridian-kit/network` (the fault network), `meridian-kit/cluster` (the cluster
 * launcher), `meridian-kit/load` (load generator, latency recorder), `meridian-kit/history` (history checkers).
 * See docs/library.md.
 *
 * @module
 */
import { join } from 'node:path';
import { SUITES } from '../conformance/systems.ts';
import { newRunSeed } from '../harness/common/random.ts';
import { ROOT } from '../harness/common/root.ts';
import { KIT_VERSION } from '../harness/common/version.ts';
import { gradeCandidate, type GradeProgress } from '../harness/grading/index.ts';
import { setSandboxMode, type SandboxMode } from '../harness/process/sandbox-mode.ts';
import type { SystemName } from '../harness/candidate/manifest.ts';
import type { CandidateReport } from '../harness/report/report.ts';

export type { CandidateReport, CandidateFailure } from '../harness/report/report.ts';
export type { CheckResult } from '../harness/checks/check.ts';
export type { Verdict, Level } from '../harness/checks/verdict.ts';
export type { GradeProgress } from '../harness/grading/index.ts';
export type { SandboxMode } from '../harness/process/sandbox-mode.ts';
export type { SystemName } from '../harness/candidate/manifest.ts';
export { KitError } from '../harness/common/errors.ts';
export { KIT_VERSION };

/** Options of {@link grade}: the CLI's `grade` flags that make sense for one candidate. */
export interface GradeOptions {
  /** Run seed; the same seed replays the same faults and inputs. Default: a fresh random seed (in the report's checks). */
  seed?: number;
  /** Check ids or globs (`broker.framing`, `fixture.*`); an id that matches nothing is an error. Default: every check. */
  only?: readonly string[];
  /** Recommended checks gate `ok` too. Default false. */
  strict?: boolean;
  /** Checks run at once. Default 4. */
  parallel?: number;
  /** Wall-time budget for build and checks, ms; checks not started by then read UNKNOWN. Default: none. */
  timeLimitMs?: number;
  /**
   * Isolation of the candidate's processes: `auto` (sandbox where the OS allows, bare otherwise), `required`,
   * `off`. Process-wide (the kit's sandbox setting is global). Default: unchanged (`auto`, or `MERIDIAN_SANDBOX`).
   */
  sandbox?: SandboxMode;
  /** Called as the grade advances (start, build, each check). Default: silent. */
  progress?: (event: GradeProgress) => void;
}

/**
 * Grades one candidate (a manifest path) against its system's conformance suite and returns the report row:
 * every check's verdict and evidence, and `ok` (every gated check passed). Throws a `KitError` for a bad
 * manifest (`code` MANIFEST_INVALID…), a failed build or an `only` that selects nothing.
 */
export async function grade(manifest: string, options: GradeOptions = {}): Promise<CandidateReport> {
  if (options.sandbox !== undefined) setSandboxMode(options.sandbox);
  return gradeCandidate(manifest, {
    suites: SUITES,
    seed: options.seed ?? newRunSeed(),
    ...(options.only !== undefined ? { only: options.only } : {}),
    ...(options.strict !== undefined ? { strict: options.strict } : {}),
    ...(options.parallel !== undefined ? { parallel: options.parallel } : {}),
    ...(options.timeLimitMs !== undefined ? { timeLimitMs: options.timeLimitMs } : {}),
    ...(options.progress !== undefined ? { progress: options.progress } : {}),
  });
}

/** The manifest of a bundled reference implementation (`reference/<system>/manifest.json` inside the kit). */
export function referenceManifest(system: SystemName): string {
  return join(ROOT, 'reference', system, 'manifest.json');
}
