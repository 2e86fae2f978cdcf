import { expect } from 'vitest';
import { describeKillMatrix } from '../kill-matrix-suite.ts';

describeKillMatrix('broker', {
  timeoutMs: 120_000,
  // Judged against rates, bounds or a CPU monitor that says UNKNOWN when starved: their killers are graded alone.
  loadSensitive: ['broker.3-slow-handler', 'broker.5-drain-bound', 'broker.drain-queues', 'broker.memory', 'broker.scale-48'],
  onFailure: (check) => {
    // A broker failure shows the candidate's last log lines, unless the check is a pure code review.
    if (!check.id.startsWith('build.'))
      expect(check.evidence.logs?.length ?? 0, `${check.id}: last log lines in the evidence`).toBeGreaterThan(0);
  },
});
