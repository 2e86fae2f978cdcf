import { describe, expect, it } from 'vitest';
import type { ExcusedWait } from './broker-under-test.ts';
import { overrunVerdict } from './excused.ts';

const wait = (over: Partial<ExcusedWait<true>>): ExcusedWait<true> => ({
  value: undefined,
  waitedMs: 9000,
  boundMs: 5000,
  limits: [],
  explainableMs: 0,
  excused: false,
  ...over,
});

describe('the verdict on a deadline that came up short', () => {
  it('is UNKNOWN with the environment evidence when the environment limited the check and explains the overrun', () => {
    const limit = 'the candidate waited 6000 ms for a CPU while runnable';
    const outcome = overrunVerdict('one 8-byte frame was not delivered', wait({ limits: [limit], explainableMs: 6000, excused: true }), {
      logs: ['x'],
    });
    expect(outcome.verdict).toBe('UNKNOWN');
    expect(outcome.evidence.summary).toContain(limit);
    expect(outcome.evidence.notes).toContain(limit);
    expect(outcome.evidence.metrics).toMatchObject({ waitedMs: 9000, boundMs: 5000, environmentExplainsMs: 6000 });
    expect(outcome.evidence.logs).toEqual(['x']);
  });

  it('is FAIL when the environment was fine, and FAIL naming the figures when it explains less than the overrun', () => {
    expect(overrunVerdict('nothing delivered', wait({})).verdict).toBe('FAIL');
    const loaded = overrunVerdict('nothing delivered', wait({ limits: ["the kit's event loop was delayed"], explainableMs: 600 }));
    expect(loaded.verdict).toBe('FAIL');
    expect(loaded.evidence.summary).toContain('explains at most 600 ms of the 4000 ms overrun');
  });
});
