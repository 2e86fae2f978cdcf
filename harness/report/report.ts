import type { CheckResult } from '../checks/check.ts';
import type { Verdict } from '../checks/verdict.ts';

/** Version of the JSON report's shape: bump on any breaking change. */
export const REPORT_SCHEMA_VERSION = 1;

/** Why a candidate could not be graded at all (invalid manifest, failed build, time limit): a failed row. */
export interface CandidateFailure {
  /** The KitError code (MANIFEST_INVALID, BUILD_FAILED…). */
  code: string;
  message: string;
  /** The last lines of the build's output (or of whatever failed), oldest first. */
  logTail: string[];
}

export interface CandidateReport {
  /**
   * The candidate's name in this report: its manifest `name`, or `name (manifest path)` when two candidates
   * of one batch share a name. Rows, suites and anchors are keyed by it; the manifest path stays the identity.
   */
  key?: string;
  name: string;
  system: string;
  manifest: string;
  checks: CheckResult[];
  summary: Record<Verdict, number>;
  /** Required checks all PASS (and recommended too under --strict). */
  ok: boolean;
  durationMs: number;
  /** Set when the candidate could not be graded: `checks` is then empty and `ok` false. */
  failure?: CandidateFailure;
}

export interface GradeReport {
  schemaVersion: number;
  tool: string;
  /** The kit's version (package.json) that produced the report. */
  kitVersion?: string;
  seed: number;
  startedAt: string;
  strict: boolean;
  candidates: CandidateReport[];
  ok: boolean;
  /** The isolation candidates ran under (harness/process/sandbox-mode.ts). */
  isolation?: string;
}

export function summarize(checks: readonly CheckResult[]): Record<Verdict, number> {
  const summary: Record<Verdict, number> = { PASS: 0, FAIL: 0, NOT_TESTABLE: 0, ADVISORY: 0, FLAKY: 0, UNKNOWN: 0, ERROR: 0 };
  for (const check of checks) summary[check.verdict]++;
  return summary;
}

/**
 * Exit-code rule: every required check must PASS (with --strict, every recommended one too). A FAIL, FLAKY,
 * UNKNOWN or NOT_TESTABLE on a gated check does not pass; advisory checks never gate.
 */
export function gatePasses(checks: readonly CheckResult[], strict: boolean): boolean {
  const gated = checks.filter((c) => c.level === 'required' || (strict && c.level === 'recommended'));
  return gated.length > 0 && gated.every((c) => c.verdict === 'PASS');
}
