import { afterAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { loadCandidate } from '../../harness/candidate/candidate.ts';
import { gradeCandidate, replayCommand } from '../../harness/grading/index.ts';
import { SUITES } from '../systems.ts';
import { flake } from '../../harness/flake/flake.ts';
import { killAll } from '../../harness/process/supervisor.ts';
import { midFrameCheck } from './checks/shutdown.ts';
import { ROOT } from '../kill-matrix.ts';

afterAll(async () => {
  await killAll();
});

const quiet = { suites: SUITES, strict: false, parallel: 3 };

describe('flake detection on a timing-fragile broker', () => {
  it("reports FLAKY, and each failing seed's replay command reproduces the failure", async () => {
    const path = join(ROOT, 'fixtures/candidates/ts-broker-timing-fragile/manifest.json');
    const candidate = await loadCandidate(path);
    const report = await flake({
      candidate,
      manifestLabel: path,
      checks: [midFrameCheck],
      runs: 10,
      baseSeed: 7,
      parallel: 4,
      shard: { index: 1, count: 1 },
      replay: (id, seed) => replayCommand(candidate, id, seed),
    });
    const stats = report.checks[0]!;
    expect(stats.verdict).toBe('FLAKY');
    expect(stats.pass).toBeGreaterThan(0);
    expect(stats.failures.length).toBeGreaterThan(0);
    const failure = stats.failures[0]!;
    expect(failure.replay).toContain(`--only broker.4-mid-frame --seed ${failure.seed}`);
    // Replaying that seed gives the same verdict: the flake is in the candidate, not in the kit.
    const replayed = await gradeCandidate(path, { ...quiet, seed: failure.seed, only: ['broker.4-mid-frame'] });
    expect(replayed.checks[0]?.verdict).toBe('FAIL');
  }, 180_000);
});
