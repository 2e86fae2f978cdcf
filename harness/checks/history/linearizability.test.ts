import { describe, expect, it } from 'vitest';
import { r, w } from './history-builders.ts';
import type { Operation } from './history.ts';
import { checkLinearizable, checkLinearizableByKey, type LinearizabilityResult } from './linearizability.ts';

const ids = (result: LinearizabilityResult): string[] => (result.witness ?? []).map((op) => op.id).sort();
/** The verdict, after checking that the exact zone check and the search agree on it. */
const verdict = (ops: Operation[]): string => {
  const auto = checkLinearizable(ops).verdict;
  expect(checkLinearizable(ops, { strategy: 'search' }).verdict).toBe(auto);
  return auto;
};

describe('linearizable register histories', () => {
  it('accepts the empty history and a sequential one', () => {
    expect(checkLinearizable([])).toEqual({ verdict: 'linearizable', statesExplored: 0 });
    expect(
      verdict([
        r('r0', 'k', null, 0, 1),
        w('w1', 'k', 'a', 2, 3),
        r('r1', 'k', 'a', 4, 5),
        w('w2', 'k', 'b', 6, 7),
        r('r2', 'k', 'b', 8, 9),
      ]),
    ).toBe('linearizable');
  });
  it('lets a read concurrent with a write return the old or the new value', () => {
    const write = w('w1', 'k', 'a', 0, 10);
    expect(verdict([write, r('r1', 'k', null, 5, 6)])).toBe('linearizable');
    expect(verdict([write, r('r1', 'k', 'a', 5, 6)])).toBe('linearizable');
    expect(verdict([write, r('r1', 'k', 'a', 5, 6), r('r2', 'k', 'a', 7, 8)])).toBe('linearizable');
  });
  it('orders concurrent writes as the reads saw them', () => {
    expect(verdict([w('wa', 'k', 'a', 0, 100), w('wb', 'k', 'b', 0, 100), r('r1', 'k', 'b', 10, 20), r('r2', 'k', 'a', 30, 40)])).toBe(
      'linearizable',
    );
  });
  it('treats equal timestamps as concurrent', () => {
    expect(verdict([w('w1', 'k', 'a', 0, 10), r('r1', 'k', null, 10, 12)])).toBe('linearizable');
  });
  it('lets an unknown write take effect late, or never', () => {
    const unknown = w('wu', 'k', 'u', 0);
    expect(verdict([unknown, w('wb', 'k', 'b', 10, 20), r('r1', 'k', 'u', 30, 40)])).toBe('linearizable');
    expect(verdict([unknown, w('wb', 'k', 'b', 10, 20), r('r1', 'k', 'b', 30, 40), r('r2', 'k', 'u', 1000, 1001)])).toBe('linearizable');
    expect(verdict([unknown, r('r1', 'k', null, 500, 501)])).toBe('linearizable');
    expect(verdict([w('wu', 'k', 'u', 0, 5, { ok: 'unknown' }), r('r1', 'k', null, 10, 11), r('r2', 'k', 'u', 20, 21)])).toBe(
      'linearizable',
    );
  });
  it('ignores failed writes and unanswered reads', () => {
    expect(
      verdict([
        w('wf', 'k', 'f', 0, 5, { ok: false }),
        r('r1', 'k', null, 10, 11),
        { ...r('r2', 'k', 'zz', 12, 13), completeMs: undefined },
      ]),
    ).toBe('linearizable');
  });
});

describe('non-linearizable register histories', () => {
  it('explains a stale read with the writes that bound it', () => {
    const result = checkLinearizable([w('w3', 'k1', 'v2', 90, 100), w('w7', 'k1', 'v3', 105, 110), r('r9', 'k1', 'v2', 120, 125)]);
    expect(result.verdict).toBe('not-linearizable');
    expect(result.key).toBe('k1');
    expect(ids(result)).toEqual(['r9', 'w3', 'w7']);
    expect(result.explanation).toBe(
      'read r9 of k1 returned "v2" at [120, 125] ms, but write w7 of "v3" completed at 110 ms, after write w3 of "v2" had completed at 100 ms, and no later write of "v2" exists',
    );
  });
  it('rejects the initial value after a completed write', () => {
    const result = checkLinearizable([w('w1', 'k', 'a', 0, 5), r('r1', 'k', null, 10, 11)]);
    expect(result.verdict).toBe('not-linearizable');
    expect(ids(result)).toEqual(['r1', 'w1']);
  });
  it("rejects a value nobody wrote, a failed write's value, and a read from the future", () => {
    expect(checkLinearizable([r('r1', 'k', 'zz', 0, 1)]).explanation).toBe(
      'read r1 of k returned "zz" at [0, 1] ms, but no write of "zz" to k exists',
    );
    const failed = checkLinearizable([w('wf', 'k', 'f', 0, 5, { ok: false }), r('r1', 'k', 'f', 10, 11)]);
    expect([failed.verdict, ids(failed)]).toEqual(['not-linearizable', ['r1', 'wf']]);
    const future = checkLinearizable([r('r1', 'k', 'u', 0, 1), w('wu', 'k', 'u', 5)]);
    expect(future.explanation).toContain('write wu of "u" was only sent at 5 ms, after the read completed');
  });
  it('rejects a new-then-old inversion between two reads', () => {
    const result = checkLinearizable([
      w('w1', 'k', 'a', 0, 5),
      w('w2', 'k', 'b', 10, 100),
      r('r1', 'k', 'b', 20, 30),
      r('r2', 'k', 'a', 40, 50),
    ]);
    expect(result.verdict).toBe('not-linearizable');
    expect(ids(result)).toEqual(['r1', 'r2', 'w1', 'w2']);
    expect(result.explanation).toContain('the register went back in time');
  });
  it('rejects a value seen again after another one (ABA without a second write)', () => {
    const result = checkLinearizable([
      w('wa', 'k', 'a', 0, 100),
      w('wb', 'k', 'b', 0, 100),
      r('r1', 'k', 'a', 10, 20),
      r('r2', 'k', 'b', 30, 40),
      r('r3', 'k', 'a', 50, 60),
    ]);
    expect(result.verdict).toBe('not-linearizable');
    expect(ids(result)).toEqual(['r1', 'r2', 'r3', 'wa', 'wb']);
    expect(result.explanation).toContain('"a" is written only once (wa)');
  });
  describe('what no simple pattern shows (two pairs of concurrent reads disagree on the order)', () => {
    const ops = [
      w('wa', 'k', 'a', 0, 100),
      w('wb', 'k', 'b', 0, 100),
      r('r1', 'k', 'a', 10, 20),
      r('r2', 'k', 'b', 10, 20),
      r('r3', 'k', 'a', 30, 40),
      r('r4', 'k', 'b', 30, 40),
    ];
    it('is explained by overlapping zones', () => {
      const result = checkLinearizable(ops);
      expect(result).toMatchObject({ verdict: 'not-linearizable', method: 'zones', statesExplored: 0 });
      expect(result.explanation).toBe(
        'k must hold "a" from 20 ms (when read r1 completed) to 30 ms (when read r3 was sent), and k must hold "b" from 20 ms (when read r2 completed) to 30 ms (when read r4 was sent): the two periods overlap, yet no value is written twice',
      );
      expect(ids(result)).toEqual(['r1', 'r2', 'r3', 'r4', 'wa', 'wb']);
    });
    it('is found by the search too, explained by its furthest attempt', () => {
      const result = checkLinearizable(ops, { strategy: 'search' });
      expect(result).toMatchObject({ verdict: 'not-linearizable', method: 'search' });
      expect(result.statesExplored).toBeGreaterThan(0);
      expect(result.explanation).toMatch(/^no order of the 6 operations on k respects both real time and register semantics/);
      expect(result.witness!.length).toBeLessThanOrEqual(3);
    });
  });
  it("explains a write that must fall inside another value's zone", () => {
    const ops = [w('wu', 'k', 'u', 0), r('r1', 'k', 'u', 5, 20), w('wb', 'k', 'b', 22, 25), r('r2', 'k', 'u', 30, 40)];
    const result = checkLinearizable(ops);
    expect(result.verdict).toBe('not-linearizable');
    expect(result.explanation).toBe(
      'k must hold "u" from 20 ms (when read r1 completed) to 30 ms (when read r2 was sent), but write wb of "b" must take effect between 22 and 25 ms, inside that period',
    );
    expect(ids(result)).toEqual(['r1', 'r2', 'wb', 'wu']);
  });
  it('uses an unknown write at most once', () => {
    const ops = [w('wu', 'k', 'u', 0), r('r1', 'k', 'u', 10, 20), w('wb', 'k', 'b', 30, 40), r('r2', 'k', 'u', 50, 60)];
    expect(verdict(ops)).toBe('not-linearizable');
  });
});

describe('budget', () => {
  it('answers unknown, never linearizable, when the budget runs out', () => {
    const ops = [w('wa', 'k', 'a', 0, 100), w('wb', 'k', 'b', 0, 100), r('r1', 'k', 'b', 10, 20), r('r2', 'k', 'a', 30, 40)];
    const result = checkLinearizable(ops, { maxStates: 2, strategy: 'search' });
    expect(result.verdict).toBe('unknown');
    expect(result.explanation).toContain('state budget (2 states)');
    expect(checkLinearizable(ops, { timeBudgetMs: 0, strategy: 'search' }).verdict).toBe('unknown');
  });
  it('applies to the search, which decides when values repeat; the exact zone check needs none', () => {
    const repeated = [
      w('wa', 'k', 'a', 0, 100),
      w('wa2', 'k', 'a', 0, 100),
      w('wb', 'k', 'b', 0, 100),
      r('r1', 'k', 'b', 10, 20),
      r('r2', 'k', 'a', 30, 40),
    ];
    expect(checkLinearizable(repeated, { maxStates: 2 })).toMatchObject({ verdict: 'unknown', method: 'search' });
    expect(checkLinearizable(repeated)).toMatchObject({ verdict: 'linearizable', method: 'search' });
    const unique = repeated.filter((op) => op.id !== 'wa2');
    expect(checkLinearizable(unique, { maxStates: 2 })).toMatchObject({ verdict: 'linearizable', method: 'zones', statesExplored: 0 });
  });
});

describe('by key', () => {
  const history = [
    w('w1', 'k1', 'a', 0, 5),
    r('r1', 'k1', 'a', 10, 11),
    w('w2', 'k2', 'x', 0, 5),
    r('r2', 'k2', null, 10, 11, { mode: 'AnyFollower' }),
    w('w3', 'k3', 'y', 0, 5),
  ];
  it('reports the first failing key', () => {
    const result = checkLinearizableByKey(history);
    expect(result).toMatchObject({ verdict: 'not-linearizable', key: 'k2', keysChecked: 2 });
    expect(ids(result)).toEqual(['r2', 'w2']);
  });
  it('can keep only the modes that promise linearizability', () => {
    expect(checkLinearizableByKey(history, { readModes: ['Leader'] })).toMatchObject({ verdict: 'linearizable', keysChecked: 3 });
  });
  it('is unknown when a key is undecided and none fails', () => {
    const result = checkLinearizableByKey(history, { readModes: ['Leader'], maxStates: 1, strategy: 'search' });
    expect(result).toMatchObject({ verdict: 'unknown', key: 'k1', unknownKeys: ['k1'], keysChecked: 3 });
  });
  it('refuses mixed keys in the single-register API', () => {
    expect(() => checkLinearizable(history)).toThrow(expect.objectContaining({ code: 'HISTORY_MIXED_KEYS' }));
  });
});
