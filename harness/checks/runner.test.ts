import { availableParallelism } from 'node:os';
import { describe, expect, it } from 'vitest';
import type { Candidate } from '../candidate/candidate.ts';
import { parseManifest } from '../candidate/manifest.ts';
import type { CheckDefinition } from './check.ts';
import { runCheck, runJobs, setHeavyLanes, setProcessChecks } from './runner.ts';

const candidate: Candidate = {
  manifest: parseManifest({ system: 'broker', name: 'x', command: ['true'] }),
  manifestPath: '/x/manifest.json',
  dir: '/x',
};
const options = { candidate, seed: 1, replay: (id: string) => `replay ${id}` };

describe('runCheck', () => {
  it('turns an overrun into ERROR, and the abandoned check failing afterwards is not an unhandled rejection', async () => {
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown): void => void unhandled.push(reason);
    process.on('unhandledRejection', onUnhandled);
    try {
      const check: CheckDefinition = {
        id: 'slow',
        system: 'broker',
        level: 'required',
        title: 't',
        criterion: 'c',
        timeoutMs: 50,
        // Like a real check whose candidate the scope just killed: it fails once the scope is closed.
        run: (ctx) =>
          new Promise((_, reject) =>
            ctx.scope.signal.addEventListener('abort', () => setTimeout(() => reject(new Error('candidate gone')), 10)),
          ),
      };
      const result = await runCheck(check, options);
      expect(result.verdict).toBe('ERROR');
      await new Promise((resolve) => setTimeout(resolve, 100));
      expect(unhandled).toEqual([]);
    } finally {
      process.off('unhandledRejection', onUnhandled);
    }
  });

  it('reports a missing knob as NOT_TESTABLE naming it, without running the check', async () => {
    let ran = false;
    const check: CheckDefinition = {
      id: 'k',
      system: 'broker',
      level: 'required',
      title: 't',
      criterion: 'c',
      timeoutMs: 1000,
      needsKnobs: ['slowHandlerMs'],
      run: async () => {
        ran = true;
        return { verdict: 'PASS', evidence: { summary: '' } };
      },
    };
    const result = await runCheck(check, options);
    expect(result.verdict).toBe('NOT_TESTABLE');
    expect(result.evidence.summary).toContain('slowHandlerMs');
    expect(ran).toBe(false);
  });

  it('maps a kit bug thrown by a check to ERROR, never to PASS or FAIL', async () => {
    const check: CheckDefinition = {
      id: 'b',
      system: 'broker',
      level: 'required',
      title: 't',
      criterion: 'c',
      timeoutMs: 1000,
      run: async () => {
        throw new TypeError('oops');
      },
    };
    expect((await runCheck(check, options)).verdict).toBe('ERROR');
  });
});

describe('runJobs', () => {
  /** Checks that record how many heavy and light checks were running at once. */
  function probe(): {
    make: (id: string, heavy: boolean) => CheckDefinition;
    peak: { heavy: number; light: number; total: number; lightBesideHeavy: number };
  } {
    const now = { heavy: 0, light: 0 };
    const peak = { heavy: 0, light: 0, total: 0, lightBesideHeavy: 0 };
    const make = (id: string, heavy: boolean): CheckDefinition => ({
      id,
      system: 'broker',
      level: 'required',
      title: 't',
      criterion: 'c',
      timeoutMs: 5000,
      heavy,
      run: async () => {
        if (heavy) now.heavy++;
        else now.light++;
        peak.heavy = Math.max(peak.heavy, now.heavy);
        peak.light = Math.max(peak.light, now.light);
        peak.total = Math.max(peak.total, now.heavy + now.light);
        if (now.heavy > 0) peak.lightBesideHeavy = Math.max(peak.lightBesideHeavy, now.light);
        await new Promise((resolve) => setTimeout(resolve, heavy ? 60 : 20));
        if (heavy) now.heavy--;
        else now.light--;
        return { verdict: 'PASS', evidence: { summary: 'ok' } };
      },
    });
    return { make, peak };
  }
  const jobsOf = (make: (id: string, heavy: boolean) => CheckDefinition, tag: string) => [
    ...[1, 2].map((i) => ({ check: make(`${tag}.heavy${i}`, true), seed: 1 })),
    ...[1, 2, 3, 4, 5, 6].map((i) => ({ check: make(`${tag}.light${i}`, false), seed: 1 })),
  ];
  const opts = { candidate, slots: 4, replay: (id: string) => `replay ${id}` };

  it('never runs more heavy checks at once in the process than there are lanes, even across concurrent calls, and lets light checks overlap them', async () => {
    const { make, peak } = probe();
    const before = setHeavyLanes(1);
    try {
      const results = await Promise.all([runJobs(jobsOf(make, 'a'), opts), runJobs(jobsOf(make, 'b'), opts)]);
      expect(results.flat().map((r) => r.verdict)).toEqual(Array(16).fill('PASS'));
      expect(results[0]!.map((r) => r.id)).toEqual(jobsOf(make, 'a').map((j) => j.check.id));
      expect(peak.heavy).toBe(1);
      expect(peak.lightBesideHeavy).toBeGreaterThan(0);
      expect(peak.light).toBeLessThanOrEqual(8);
    } finally {
      setHeavyLanes(before);
    }
  });

  it.skipIf(availableParallelism() < 2)('with two lanes (one per core), two heavy checks may overlap', async () => {
    const { make, peak } = probe();
    const before = setHeavyLanes(2);
    try {
      await Promise.all([runJobs(jobsOf(make, 'a'), opts), runJobs(jobsOf(make, 'b'), opts)]);
      expect(peak.heavy).toBe(2);
    } finally {
      setHeavyLanes(before);
    }
  });

  it('never runs more checks at once in the process than its cap, however many grades run side by side', async () => {
    const { make, peak } = probe();
    const before = setProcessChecks(3);
    try {
      const results = await Promise.all([
        runJobs(jobsOf(make, 'a'), opts),
        runJobs(jobsOf(make, 'b'), opts),
        runJobs(jobsOf(make, 'c'), opts),
      ]);
      expect(results.flat().map((r) => r.verdict)).toEqual(Array(24).fill('PASS'));
      expect(peak.total).toBe(3);
      expect(peak.light).toBeGreaterThan(1);
    } finally {
      setProcessChecks(before);
    }
  });
});
