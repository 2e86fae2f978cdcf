/**
 * Flake test of the round barrier at the contract's default hosting (one node per process). The Python
 * SWIM with GOSSIP_TICK_JITTER_MS makes each process start its tick up to 150 ms late, so without the
 * barrier a node hears the prober's round-r suspicion before running its own round r and (correctly, by
 * the normative timeline) declares Dead one round "early": `gossip.suspicion` then fails 3 runs of 3
 * (measured with the barrier switched off). With the barrier every run must pass.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { gradeCandidate } from '../../harness/grading/grade-candidate.ts';
import { killAll, liveCount } from '../../harness/process/supervisor.ts';
import { ROOT } from '../../harness/common/root.ts';
import { SUITES } from '../systems.ts';

const RUNS = [11, 12, 13];
const dir = mkdtempSync(join(tmpdir(), 'gossip-one-per-process-'));

afterAll(async () => {
  await killAll();
  rmSync(dir, { recursive: true, force: true });
});

function manifest(): string {
  const source = join(ROOT, 'fixtures/candidates/gossip-py');
  const m = JSON.parse(readFileSync(join(source, 'manifest.json'), 'utf8')) as Record<string, unknown> & {
    env: Record<string, string>;
    command: string[];
  };
  const out = {
    ...m,
    name: 'gossip-py-one-node-per-process',
    command: ['python3', join(source, 'gossip.py')],
    env: { ...m.env, GOSSIP_TICK_JITTER_MS: '150' },
    hosting: { nodesPerProcess: 1 },
    source,
  };
  const path = join(dir, 'manifest.json');
  writeFileSync(path, JSON.stringify(out));
  return path;
}

describe('gossip round barrier at one node per process', () => {
  it(`gossip.suspicion passes ${RUNS.length} of ${RUNS.length} runs with processes ticking up to 150 ms apart`, async () => {
    const path = manifest();
    const verdicts: string[] = [];
    for (const seed of RUNS) {
      const report = await gradeCandidate(path, { suites: SUITES, seed, only: ['gossip.suspicion'], strict: false, parallel: 1 });
      const check = report.checks.find((c) => c.id === 'gossip.suspicion');
      verdicts.push(`seed ${seed}: ${check?.verdict} ${check?.evidence.summary}`);
    }
    expect(verdicts.filter((v) => !/: PASS /.test(v))).toEqual([]);
    expect(liveCount()).toBe(0);
  }, 240_000);
});
