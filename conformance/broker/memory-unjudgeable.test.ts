import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { gradeCandidate } from '../../harness/grading/grade-candidate.ts';
import { SUITES } from '../systems.ts';
import { killAll, liveCount } from '../../harness/process/supervisor.ts';
import { ROOT } from '../../harness/common/root.ts';

afterAll(async () => {
  await killAll();
});

describe('broker.memory on a broker that never reads', () => {
  it('is UNKNOWN, saying the candidate consumed too little to judge: bounded memory is not earned by reading nothing', async () => {
    const manifest = join(ROOT, 'fixtures/candidates/ts-broker-never-reads/manifest.json');
    const report = await gradeCandidate(manifest, { suites: SUITES, seed: 20261122, only: ['broker.memory'], strict: false, parallel: 1 });
    const check = report.checks.find((c) => c.id === 'broker.memory');
    expect(check?.verdict, check?.evidence.summary).toBe('UNKNOWN');
    expect(check?.evidence.summary).toContain('consumed only');
    expect(Number(check?.evidence.metrics?.consumedMiB)).toBeLessThan(1);
    expect(liveCount()).toBe(0);
  }, 90_000);
});
