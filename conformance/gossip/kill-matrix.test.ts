import { expect } from 'vitest';
import { describeKillMatrix } from '../kill-matrix-suite.ts';

describeKillMatrix('gossip', {
  // gossip-py-member-cap runs the opt-in gossip.scale-1000 (1,000 nodes): ~200 s on a loaded 2-core machine.
  timeoutMs: 600_000,
  // Judged against the kit's own datagram intake, which says UNKNOWN when starved: their killers are graded alone.
  loadSensitive: ['gossip.counters', 'gossip.book-only'],
  onReference: (report) => {
    const scale = report.checks.find((c) => c.id === 'gossip.scale-250');
    expect(scale?.evidence.metrics).toMatchObject({ nodes: 250, boundRounds: 16 });
    const convergence = report.checks.find((c) => c.id === 'gossip.convergence');
    expect(convergence?.evidence.observed?.[0]).toMatch(/^round-driven: round 0: 1 aware, round 1: \d+/);
  },
  onFailure: (check) => {
    expect(check.evidence.logs?.length ?? 0, 'last log lines in the evidence').toBeGreaterThan(0);
    expect(Array.isArray(check.evidence.data?.timeline), 'fault timeline in the evidence').toBe(true);
  },
});
