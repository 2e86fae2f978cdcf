import { expect } from 'vitest';
import { describeKillMatrix } from '../kill-matrix-suite.ts';

describeKillMatrix('broker', {
  timeoutMs: 120_000,
  onFailure: (check) => {
    // A broker failure shows the candidate's last log lines, unless the check is a pure code review.
    if (!check.id.startsWith('build.')) expect(check.evidence.logs?.length ?? 0, `${check.id}: last log lines in the evidence`).toBeGreaterThan(0);
  },
});
