import { describe, expect, it } from 'vitest';
import type { Candidate } from '../candidate/candidate.ts';
import { parseManifest } from '../candidate/manifest.ts';
import type { CheckDefinition } from './check.ts';
import { runCheck } from './runner.ts';

const candidate: Candidate = { manifest: parseManifest({ system: 'broker', name: 'x', command: ['true'] }), manifestPath: '/x/manifest.json', dir: '/x' };
const options = { candidate, seed: 1, replay: (id: string) => `replay ${id}` };

describe('runCheck', () => {
  it('turns an overrun into ERROR, and the abandoned check failing afterwards is not an unhandled rejection', async () => {
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown): void => void unhandled.push(reason);
    process.on('unhandledRejection', onUnhandled);
    try {
      const check: CheckDefinition = {
        id: 'slow', system: 'broker', level: 'required', title: 't', criterion: 'c', timeoutMs: 50,
        // Like a real check whose candidate the scope just killed: it fails once the scope is closed.
        run: (ctx) => new Promise((_, reject) => ctx.scope.signal.addEventListener('abort', () => setTimeout(() => reject(new Error('candidate gone')), 10))),
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
    const check: CheckDefinition = { id: 'k', system: 'broker', level: 'required', title: 't', criterion: 'c', timeoutMs: 1000, needsKnobs: ['slowHandlerMs'], run: async () => { ran = true; return { verdict: 'PASS', evidence: { summary: '' } }; } };
    const result = await runCheck(check, options);
    expect(result.verdict).toBe('NOT_TESTABLE');
    expect(result.evidence.summary).toContain('slowHandlerMs');
    expect(ran).toBe(false);
  });

  it('maps a kit bug thrown by a check to ERROR, never to PASS or FAIL', async () => {
    const check: CheckDefinition = { id: 'b', system: 'broker', level: 'required', title: 't', criterion: 'c', timeoutMs: 1000, run: async () => { throw new TypeError('oops'); } };
    expect((await runCheck(check, options)).verdict).toBe('ERROR');
  });
});
