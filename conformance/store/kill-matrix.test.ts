import { afterAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { gradeCandidate, type GradeOptions } from '../../harness/cli/grade.ts';
import { killAll, liveCount } from '../../harness/process/supervisor.ts';
import { storeChecks } from './index.ts';
import { ROOT, killMatrix } from '../kill-matrix.ts';

const SEED = 20261122;
const options = (only?: string[]): GradeOptions => ({ candidates: [], seed: SEED, only, strict: false, parallel: 3, progress: false, out: () => {}, err: () => {} });

afterAll(async () => {
  await killAll();
});

const matrix = killMatrix('store');
const brokenOnly = matrix.filter((m) => m.fail.length > 0);

describe('store kill matrix', () => {
  it('has a broken candidate for every store check, one of them not in TypeScript', () => {
    const killed = new Set(brokenOnly.flatMap((m) => m.fail));
    expect(storeChecks.map((c) => c.id).filter((id) => !killed.has(id))).toEqual([]);
    const known = new Set(storeChecks.map((c) => c.id));
    expect(brokenOnly.flatMap((m) => m.fail).filter((id) => !known.has(id))).toEqual([]);
    expect(brokenOnly.some((m) => m.name.startsWith('store-py-'))).toBe(true);
  });

  it('grades the reference store: every check PASS, no process left behind', async () => {
    const report = await gradeCandidate(join(ROOT, 'reference/store/manifest.json'), options());
    const notPassing = report.checks.filter((c) => c.level !== 'advisory' && c.verdict !== 'PASS').map((c) => `${c.id}: ${c.verdict} ${c.evidence.summary}`);
    expect(notPassing).toEqual([]);
    expect(report.checks.map((c) => c.id)).toEqual(expect.arrayContaining(storeChecks.map((c) => c.id)));
    expect(report.ok).toBe(true);
    expect(liveCount()).toBe(0);
  }, 180_000);

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
    }, 240_000);
  }
});
