import { afterAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gradeCandidate, type GradeOptions } from '../../harness/cli/grade.ts';
import { SUITES } from '../../harness/cli/suites.ts';
import { killAll, liveCount } from '../../harness/process/supervisor.ts';
import { ROOT, killMatrix } from '../kill-matrix.ts';

const SEED = 20261122;
const options = (only?: string[]): GradeOptions => ({ candidates: [], seed: SEED, only, strict: false, parallel: 3, progress: false, out: () => {}, err: () => {} });

afterAll(async () => {
  await killAll();
});

const matrix = killMatrix('gossip');
const brokenOnly = matrix.filter((m) => m.fail.length > 0);
const suite = SUITES.gossip;
const notPassing = (checks: Array<{ id: string; level: string; verdict: string; evidence: { summary: string } }>) =>
  checks.filter((c) => c.level !== 'advisory' && c.verdict !== 'PASS').map((c) => `${c.id}: ${c.verdict} ${c.evidence.summary}`);

describe('gossip kill matrix', () => {
  it('has a broken candidate for every gating gossip check and fixture, one of them not in TypeScript', () => {
    const killed = new Set(brokenOnly.flatMap((m) => m.fail));
    expect(suite.filter((c) => c.level !== 'advisory').map((c) => c.id).filter((id) => !killed.has(id))).toEqual([]);
    const known = new Set(suite.map((c) => c.id));
    expect(brokenOnly.flatMap((m) => m.fail).filter((id) => !known.has(id))).toEqual([]);
    const foreign = brokenOnly.filter((m) => !(JSON.parse(readFileSync(m.manifestPath, 'utf8')) as { command: string[] }).command.includes('tsx'));
    expect(foreign.length).toBeGreaterThan(0);
  });

  it('grades the reference gossip: every check PASS (scale-250 and the fixtures included), no process left behind', async () => {
    const report = await gradeCandidate(join(ROOT, 'reference/gossip/manifest.json'), options());
    expect(notPassing(report.checks)).toEqual([]);
    expect(report.checks.map((c) => c.id)).toEqual(expect.arrayContaining(suite.map((c) => c.id)));
    const scale = report.checks.find((c) => c.id === 'gossip.scale-250');
    expect(scale?.evidence.metrics).toMatchObject({ nodes: 250, boundRounds: 16 });
    const convergence = report.checks.find((c) => c.id === 'gossip.convergence');
    expect(convergence?.evidence.observed?.[0]).toMatch(/^round-driven: round 0: 1 aware, round 1: \d+/);
    expect(report.ok).toBe(true);
    expect(liveCount()).toBe(0);
  }, 180_000);

  for (const entry of matrix.filter((m) => m.fail.length === 0 && m.flaky.length === 0 && m.advisory.length === 0)) {
    it(`passes the correct foreign candidate ${entry.name} on every gating check (no false blame)`, async () => {
      const report = await gradeCandidate(entry.manifestPath, options());
      expect(notPassing(report.checks)).toEqual([]);
      expect(liveCount()).toBe(0);
    }, 180_000);
  }

  for (const entry of brokenOnly) {
    it(`${entry.name} fails ${entry.fail.join(', ')} with evidence and a replay command`, async () => {
      const report = await gradeCandidate(entry.manifestPath, options(entry.fail));
      for (const id of entry.fail) {
        const check = report.checks.find((c) => c.id === id);
        expect(check?.verdict, `${entry.name} on ${id}: ${check?.evidence.summary}`).toBe('FAIL');
        expect(check?.evidence.summary.length).toBeGreaterThan(10);
        expect(check?.evidence.logs?.length ?? 0, 'last log lines in the evidence').toBeGreaterThan(0);
        expect(Array.isArray(check?.evidence.data?.timeline), 'fault timeline in the evidence').toBe(true);
        expect(check?.replay).toContain(`--only ${id} --seed ${SEED}`);
      }
      expect(report.ok).toBe(false);
      expect(liveCount()).toBe(0);
    }, 180_000);
  }
});
