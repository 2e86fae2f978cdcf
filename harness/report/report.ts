import type { CheckResult } from '../checks/check.ts';
import type { Verdict } from '../checks/verdict.ts';

/** Version of the JSON report's shape: bump on any breaking change. */
export const REPORT_SCHEMA_VERSION = 1;

export interface CandidateReport {
  name: string;
  system: string;
  manifest: string;
  checks: CheckResult[];
  summary: Record<Verdict, number>;
  /** Required checks all PASS (and recommended too under --strict). */
  ok: boolean;
  durationMs: number;
}

export interface GradeReport {
  schemaVersion: number;
  tool: string;
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
