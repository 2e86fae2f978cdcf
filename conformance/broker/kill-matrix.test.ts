import { afterAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { gradeCandidate, type GradeOptions } from '../../harness/cli/grade.ts';
import { killAll, liveCount } from '../../harness/process/supervisor.ts';
import { SUITES } from '../../harness/cli/suites.ts';
import { ROOT, killMatrix } from '../kill-matrix.ts';

const SEED = 20261122;
const options = (only?: string[]): GradeOptions => ({ candidates: [], seed: SEED, only, strict: false, parallel: 3, progress: false, out: () => {}, err: () => {} });

afterAll(async () => {
  await killAll();
});

const matrix = killMatrix('broker');
const brokenOnly = matrix.filter((m) => m.fail.length > 0);

describe('broker kill matrix', () => {
  it('has a broken candidate for every gating broker check and fixture', () => {
    const brokerChecks = SUITES.broker;
    const killed = new Set(brokenOnly.flatMap((m) => m.fail));
    const gating = brokerChecks.filter((c) => c.level !== 'advisory').map((c) => c.id);
    expect(gating.filter((id) => !killed.has(id))).toEqual([]);
    // The advisory review checks are proven by findings on a fixture source instead.
    const advised = new Set(matrix.flatMap((m) => m.advisory));
    expect(SUITES.broker.filter((c) => c.level === 'advisory').map((c) => c.id).filter((id) => !advised.has(id))).toEqual([]);
  });

  it('grades the reference broker: every check PASS, no process left behind', async () => {
    const report = await gradeCandidate(join(ROOT, 'reference/broker/manifest.json'), options());
    const notPassing = report.checks.filter((c) => c.level !== 'advisory' && c.verdict !== 'PASS').map((c) => `${c.id}: ${c.verdict} ${c.evidence.summary}`);
    expect(notPassing).toEqual([]);
    expect(report.ok).toBe(true);
    expect(liveCount()).toBe(0);
  }, 120_000);

  for (const entry of matrix.filter((m) => m.fail.length === 0 && m.flaky.length === 0 && m.advisory.length === 0)) {
    it(`passes the correct foreign candidate ${entry.name} on every gating check (no false blame)`, async () => {
      const report = await gradeCandidate(entry.manifestPath, options());
      const notPassing = report.checks.filter((c) => c.level !== 'advisory' && c.verdict !== 'PASS').map((c) => `${c.id}: ${c.verdict} ${c.evidence.summary}`);
      expect(notPassing).toEqual([]);
    }, 120_000);
  }

  for (const entry of brokenOnly) {
    it(`${entry.name} fails ${entry.fail.join(', ')} with evidence and a replay command`, async () => {
      const report = await gradeCandidate(entry.manifestPath, options(entry.fail));
      for (const id of entry.fail) {
        const check = report.checks.find((c) => c.id === id);
        expect(check?.verdict, `${entry.name} on ${id}: ${check?.evidence.summary}`).toBe('FAIL');
        expect(check?.evidence.summary.length).toBeGreaterThan(10);
        expect(check?.replay).toContain(`--only ${id} --seed ${SEED}`);
      }
      expect(report.ok).toBe(false);
      expect(liveCount()).toBe(0);
    }, 120_000);
  }

  for (const entry of matrix.filter((m) => m.advisory.length > 0)) {
    it(`${entry.name} yields findings on ${entry.advisory.join(', ')} (advisory, never PASS/FAIL)`, async () => {
      const report = await gradeCandidate(entry.manifestPath, options(entry.advisory));
      for (const id of entry.advisory) {
        const check = report.checks.find((c) => c.id === id);
        expect(check?.verdict).toBe('ADVISORY');
        expect(Number(check?.evidence.metrics?.findings)).toBeGreaterThan(0);
      }
    }, 60_000);
  }
});
