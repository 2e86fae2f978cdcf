import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { gradeCandidate } from '../../harness/grading/grade-candidate.ts';
import { SUITES } from '../systems.ts';
import { killAll, liveCount } from '../../harness/process/supervisor.ts';
import { ROOT } from '../../harness/common/root.ts';

afterAll(async () => {
  await killAll();
});

/**
 * Every latency a broker check reports in grade evidence comes with the kit's floor measured in the same
 * run: broker.scale-48's delivery p99 beside the null broker's under the same load (and the ratio), and
 * the kit's own send lag; broker.3-slow-handler's completion time beside the kit's send lag.
 */
describe('the kit floor beside every latency in broker grade evidence', () => {
  it('broker.scale-48 and broker.3-slow-handler report the kit floor with the candidate figure', async () => {
    const manifest = join(ROOT, 'fixtures/candidates/ts-broker/manifest.json');
    const report = await gradeCandidate(manifest, {
      suites: SUITES,
      seed: 20261207,
      only: ['broker.scale-48', 'broker.3-slow-handler'],
      strict: false,
      parallel: 1,
    });
    const byId = new Map(report.checks.map((c) => [c.id, c]));
    const scale = byId.get('broker.scale-48');
    expect(['PASS', 'UNKNOWN'], scale?.evidence.summary).toContain(scale?.verdict);
    const m = scale?.evidence.metrics ?? {};
    for (const key of ['deliveryLatencyP99Ms', 'kitSendLagP99Ms', 'floorLatencyP99Ms', 'floorSendLagP99Ms', 'p99RatioToFloor'])
      expect(m[key], key).toBeTypeOf('number');
    expect(Number(m.floorLatencyP99Ms)).toBeGreaterThan(0);
    // The ratio is the candidate's p99 over the floor's, from the same figures (2-decimal rounding on each side).
    expect(Number(m.p99RatioToFloor)).toBeCloseTo(Number(m.deliveryLatencyP99Ms) / Number(m.floorLatencyP99Ms), 1);
    expect((scale?.evidence.notes ?? []).join(' ')).toMatch(/kit's floor \(null broker, same load/);

    const slow = byId.get('broker.3-slow-handler');
    expect(['PASS', 'UNKNOWN'], slow?.evidence.summary).toContain(slow?.verdict);
    expect(slow?.evidence.metrics?.fastCompleteAfterLastWriteMs).toBeTypeOf('number');
    expect(slow?.evidence.metrics?.kitSendLagMaxMs).toBeTypeOf('number');
    expect((slow?.evidence.notes ?? []).join(' ')).toMatch(/kit's own share/);
    expect(liveCount()).toBe(0);
  }, 150_000);
});
