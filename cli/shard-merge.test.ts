import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { ROOT } from '../harness/common/root.ts';
import { REPORT_SCHEMA_VERSION, summarize, type CandidateReport, type GradeReport } from '../harness/report/report.ts';
import { grade, shardOf } from './grade.ts';
import { main } from './main.ts';

let dir = '';
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'mk-shard-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const cand = (name: string, manifest: string, ok: boolean): CandidateReport => ({
  name,
  system: 'broker',
  manifest,
  checks: [],
  summary: summarize([]),
  ok,
  durationMs: 1,
});
const gradeReport = (seed: number, candidates: CandidateReport[]): GradeReport => ({
  schemaVersion: REPORT_SCHEMA_VERSION,
  tool: 'meridian-kit',
  kitVersion: '0.1.0',
  seed,
  startedAt: '2026-12-01T00:00:00Z',
  strict: false,
  candidates,
  ok: candidates.every((c) => c.ok),
});

async function quietly(argv: string[]): Promise<{ code: number; err: string }> {
  let err = '';
  const o = vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
  const e = vi.spyOn(process.stderr, 'write').mockImplementation((c) => ((err += String(c)), true));
  try {
    return { code: await main(argv), err };
  } finally {
    o.mockRestore();
    e.mockRestore();
  }
}

describe('batch across a CI matrix', () => {
  it('shards split the candidates with no overlap and no gap', () => {
    const all = ['a', 'b', 'c', 'd', 'e'];
    const parts = [1, 2, 3].map((index) => shardOf(all, { index, count: 3 }));
    expect(parts.flat().sort()).toEqual(all);
    expect(parts).toEqual([['a', 'd'], ['b', 'e'], ['c']]);
  });

  it('merge combines grade shards into one batch keyed by manifest, and refuses shards of different seeds', async () => {
    await writeFile(join(dir, 's1.json'), JSON.stringify(gradeReport(5, [cand('dup', 'x/manifest.json', true)])));
    await writeFile(join(dir, 's2.json'), JSON.stringify(gradeReport(5, [cand('dup', 'y/manifest.json', false)])));
    await writeFile(join(dir, 's3.json'), JSON.stringify(gradeReport(6, [cand('z', 'z/manifest.json', true)])));
    const merged = await quietly([
      'merge',
      join(dir, 's1.json'),
      join(dir, 's2.json'),
      '--csv',
      join(dir, 'm.csv'),
      '--json',
      join(dir, 'm.json'),
    ]);
    expect(merged.code).toBe(1);
    const rows = (await readFile(join(dir, 'm.csv'), 'utf8')).trim().split('\n').slice(1);
    expect(rows).toEqual([
      'dup (x/manifest.json),x/manifest.json,broker,true,0/0,,',
      'dup (y/manifest.json),y/manifest.json,broker,false,0/0,,',
    ]);
    const mixed = await quietly(['merge', join(dir, 's1.json'), join(dir, 's3.json')]);
    expect(mixed.code).toBe(2);
    expect(mixed.err).toContain('--seed');
  });
});

describe('per-candidate time limit', () => {
  it('checks not started once the budget is spent read UNKNOWN (never PASS), so the candidate does not pass', async () => {
    let report: GradeReport | undefined;
    const code = await grade({
      candidates: [join(ROOT, 'reference/broker/manifest.json')],
      seed: 2,
      only: ['broker.framing', 'broker.max-frame'],
      strict: false,
      parallel: 1,
      timeLimitMs: 500,
      history: false,
      progress: false,
      out: () => {},
      err: () => {},
      onReport: (r) => (report = r),
    });
    expect(code).toBe(1);
    const checks = report?.candidates[0]?.checks ?? [];
    expect(checks.map((c) => c.verdict)).toEqual(['PASS', 'UNKNOWN']);
    expect(checks[1]?.evidence.summary).toContain('time limit');
  }, 60_000);
});
