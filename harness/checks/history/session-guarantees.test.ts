import { describe, expect, it } from 'vitest';
import { logOf, r, w } from './history-builders.ts';
import type { Operation } from './history.ts';
import { checkSessionGuarantees, findAnomalies, type Guarantee, type SessionCheckResult } from './session-guarantees.ts';

const S = { session: 's1' };
const SC = { session: 's1', mode: 'SessionConsistent' as const };

/** The violations as [guarantee, earlier id, later id]. */
function pairs(result: SessionCheckResult): [Guarantee, string | undefined, string][] {
  return result.violations.map((v) => [v.guarantee, v.earlier?.id, v.later.id]);
}

describe('read-your-writes', () => {
  const log = logOf(['k1', 'a'], ['k1', 'b']);
  const before: Operation[] = [w('w0', 'k1', 'a', 0, 2, { client: 'c2' }), w('w1', 'k1', 'b', 3, 5, S)];
  it('passes when the session reads its write', () => {
    const result = checkSessionGuarantees([...before, r('r1', 'k1', 'b', 10, 15, { ...SC, servedLsn: 2 })], log);
    expect(result).toEqual({ ok: true, violations: [] });
  });
  it('names the write and the stale read, in a sentence', () => {
    const result = checkSessionGuarantees([...before, r('r1', 'k1', 'a', 10, 15, { ...SC, servedBy: 'n2', servedLsn: 1 })], log);
    expect(pairs(result)).toEqual([['read-your-writes', 'w1', 'r1']]);
    expect(result.violations[0]!.session).toBe('s1');
    expect(result.violations[0]!.explanation).toBe(
      'read r1 (SessionConsistent, served by n2 at LSN 1) returned "a" (LSN 1) for key k1, but the same session wrote "b" (LSN 2) in w1 before it: read-your-writes violated',
    );
  });
  it("orders a session's ops that touch in time (answer and next request in the same ms)", () => {
    const history = [before[0]!, w('w1', 'k1', 'b', 3, 10, S), r('r1', 'k1', 'a', 10, 15, SC)];
    expect(pairs(checkSessionGuarantees(history, log))).toEqual([['read-your-writes', 'w1', 'r1']]);
  });
  it('pairs the read with the latest violated write', () => {
    const history = [w('w1', 'k1', 'a', 0, 2, S), w('w2', 'k1', 'b', 3, 5, S), r('r1', 'k1', null, 10, 15, SC)];
    expect(pairs(checkSessionGuarantees(history, log))).toEqual([['read-your-writes', 'w2', 'r1']]);
  });
  it('does not hold AnyFollower to it, but findAnomalies shows the anomaly', () => {
    const history = [...before, r('r1', 'k1', 'a', 10, 15, { session: 's1', mode: 'AnyFollower', servedLsn: 1 })];
    expect(checkSessionGuarantees(history, log).ok).toBe(true);
    expect(pairs(findAnomalies(history, log))).toEqual([['read-your-writes', 'w1', 'r1']]);
  });
  it('groups session-less operations by client in findAnomalies only', () => {
    const history = [before[0]!, w('w1', 'k1', 'b', 3, 5), r('r1', 'k1', 'a', 10, 15, { mode: 'AnyFollower' })];
    expect(checkSessionGuarantees(history, log).ok).toBe(true);
    const anomalies = findAnomalies(history, log);
    expect(pairs(anomalies)).toEqual([['read-your-writes', 'w1', 'r1']]);
    expect(anomalies.violations[0]!.session).toBe('client:c1');
  });
  it('sets no requirement with an unknown write, and a concurrent write does not count', () => {
    const unknown = [before[0]!, w('w1', 'k1', 'b', 3, undefined, S), r('r1', 'k1', 'a', 10, 15, SC)];
    expect(checkSessionGuarantees(unknown, log).ok).toBe(true);
    const answered503 = [before[0]!, w('w1', 'k1', 'b', 3, 5, { ...S, ok: 'unknown' }), r('r1', 'k1', 'a', 10, 15, SC)];
    expect(checkSessionGuarantees(answered503, log).ok).toBe(true);
    const concurrent = [before[0]!, w('w1', 'k1', 'b', 3, 12, S), r('r1', 'k1', 'a', 10, 15, SC)];
    expect(checkSessionGuarantees(concurrent, log).ok).toBe(true);
  });
});

describe('monotonic reads', () => {
  const log = logOf(['k1', 'a'], ['k1', 'b']);
  const writes = [w('wa', 'k1', 'a', 0, 1, { client: 'c2' }), w('wb', 'k1', 'b', 1, 2, { client: 'c2' })];
  it('passes when reads move forward', () => {
    const history = [...writes, r('r1', 'k1', 'a', 10, 12, SC), r('r2', 'k1', 'b', 20, 22, SC)];
    expect(checkSessionGuarantees(history, log).ok).toBe(true);
  });
  it('pairs the regressing read with the latest newer read', () => {
    const history = [
      ...writes,
      r('r0', 'k1', 'b', 5, 8, SC),
      r('r1', 'k1', 'b', 10, 12, { ...SC, servedLsn: 2 }),
      r('r2', 'k1', 'a', 20, 22, { ...SC, servedLsn: 1 }),
    ];
    const result = checkSessionGuarantees(history, log);
    expect(pairs(result)).toEqual([['monotonic-reads', 'r1', 'r2']]);
    expect(result.violations[0]!.explanation).toContain('had already returned "b" (LSN 2): monotonic reads violated');
  });
  it('pairs a repeated stale value with the newer read, not with the equal one', () => {
    const history = [...writes, r('r0', 'k1', 'b', 5, 8, SC), r('r1', 'k1', 'a', 10, 12, SC), r('r2', 'k1', 'a', 20, 22, SC)];
    expect(pairs(checkSessionGuarantees(history, log))).toEqual([
      ['monotonic-reads', 'r0', 'r1'],
      ['monotonic-reads', 'r0', 'r2'],
    ]);
  });
  it('counts an earlier AnyFollower read of the session (it raised the token)', () => {
    const history = [...writes, r('r1', 'k1', 'b', 10, 12, { session: 's1', mode: 'AnyFollower' }), r('r2', 'k1', 'a', 20, 22, SC)];
    expect(pairs(checkSessionGuarantees(history, log))).toEqual([['monotonic-reads', 'r1', 'r2']]);
  });
  it('ignores reads of an unknown write missing from the log', () => {
    const history = [
      ...writes,
      w('wx', 'k1', 'x', 3, undefined, { client: 'c2' }),
      r('r1', 'k1', 'x', 10, 12, SC),
      r('r2', 'k1', 'a', 20, 22, SC),
    ];
    expect(checkSessionGuarantees(history, log).ok).toBe(true);
  });
});

describe('monotonic writes', () => {
  const history = [w('w1', 'k1', 'x', 0, 5, S), w('w2', 'k2', 'y', 10, 15, S)];
  it('passes when the log keeps the session order', () => {
    expect(checkSessionGuarantees(history, logOf(['k1', 'x'], ['k2', 'y'])).ok).toBe(true);
  });
  it('reports a later write logged before an earlier acknowledged one', () => {
    const result = checkSessionGuarantees(history, logOf(['k2', 'y'], ['k1', 'x']));
    expect(pairs(result)).toEqual([['monotonic-writes', 'w1', 'w2']]);
    expect(result.violations[0]!.explanation).toBe(
      'write w2 of "y" to k2 is at LSN 1 in the log, before the same session\'s earlier write w1 of "x" to k1 (LSN 2), which was acknowledged before w2 was sent: monotonic writes violated',
    );
  });
  it('lets an unknown write land late', () => {
    const unknownFirst = [w('w1', 'k1', 'x', 0, undefined, S), w('w2', 'k2', 'y', 10, 15, S)];
    expect(checkSessionGuarantees(unknownFirst, logOf(['k2', 'y'], ['k1', 'x'])).ok).toBe(true);
  });
});

describe('writes follow reads', () => {
  const history = [w('wx', 'k1', 'x', 0, 3, { client: 'c2', session: 's2' }), r('r1', 'k1', 'x', 5, 8, SC), w('w2', 'k2', 'z', 10, 15, S)];
  it('passes when the write lands after what the session read', () => {
    expect(checkSessionGuarantees(history, logOf(['k1', 'x'], ['k2', 'z'])).ok).toBe(true);
  });
  it('reports a write logged before the write the session had read', () => {
    const result = checkSessionGuarantees(history, logOf(['k2', 'z'], ['k1', 'x']), { guarantees: ['writes-follow-reads'] });
    expect(pairs(result)).toEqual([['writes-follow-reads', 'r1', 'w2']]);
    expect(result.violations[0]!.explanation).toContain('had already returned "x" (LSN 2) for key k1 before w2 was sent');
  });
});

describe('consistent prefix', () => {
  const log = logOf(['k1', 'a'], ['k2', 'b'], ['k1', 'c']);
  const writes = [
    w('wa', 'k1', 'a', 0, 1, { client: 'c2' }),
    w('wb', 'k2', 'b', 1, 2, { client: 'c2' }),
    w('wc', 'k1', 'c', 2, 3, { client: 'c2' }),
  ];
  const any = { mode: 'AnyFollower' as const, servedBy: 'n2' };
  it('(a) accepts reads that match their served LSN, in any mode', () => {
    const history = [
      ...writes,
      r('r1', 'k1', 'a', 10, 11, { ...any, servedLsn: 2 }),
      r('r2', 'k2', null, 12, 13, { ...any, servedLsn: 1 }),
      r('r3', 'k1', 'c', 14, 15, { ...any, servedLsn: 3 }),
    ];
    expect(checkSessionGuarantees(history, log).ok).toBe(true);
  });
  it('(a) reports a value from beyond the served LSN', () => {
    const result = checkSessionGuarantees([...writes, r('r1', 'k2', 'b', 10, 11, { ...any, servedLsn: 1 })], log);
    expect(pairs(result)).toEqual([['consistent-prefix', 'wb', 'r1']]);
    expect(result.violations[0]!.session).toBeUndefined();
    expect(result.violations[0]!.explanation).toContain('a write beyond the LSN 1 it was served at');
  });
  it('(a) reports a value older than the served LSN, naming the missed write', () => {
    const result = checkSessionGuarantees([...writes, r('r1', 'k1', 'a', 10, 11, { ...any, servedLsn: 3 })], log);
    expect(pairs(result)).toEqual([['consistent-prefix', 'wc', 'r1']]);
    expect(result.violations[0]!.explanation).toBe(
      'read r1 (AnyFollower, served by n2 at LSN 3) returned "a" (LSN 1) for key k1, but the log\'s last write to k1 at or below LSN 3 is "c" (LSN 3): consistent prefix violated',
    );
  });
  it('(b) without served LSNs: a session read must not miss a write older than one the session saw', () => {
    const ok = [...writes, r('r1', 'k2', 'b', 10, 11, SC), r('r2', 'k1', 'a', 12, 13, SC)];
    expect(checkSessionGuarantees(ok, log).ok).toBe(true);
    const bad = [...writes, r('r1', 'k2', 'b', 10, 11, SC), r('r2', 'k1', null, 12, 13, SC)];
    const result = checkSessionGuarantees(bad, log);
    expect(pairs(result)).toEqual([['consistent-prefix', 'r1', 'r2']]);
    expect(result.violations[0]!.explanation).toContain('missing the write of "a" (LSN 1)');
  });
  it('(b) also catches a session read that passes (a) at a lower served LSN, and AnyFollower only in findAnomalies', () => {
    const bad = [...writes, r('r1', 'k2', 'b', 10, 11, { ...SC, servedLsn: 2 }), r('r2', 'k1', null, 12, 13, { ...SC, servedLsn: 0 })];
    expect(pairs(checkSessionGuarantees(bad, log))).toEqual([['consistent-prefix', 'r1', 'r2']]);
    const anyBad = [...writes, r('r1', 'k2', 'b', 10, 11, { ...any, ...S }), r('r2', 'k1', null, 12, 13, { ...any, ...S })];
    expect(checkSessionGuarantees(anyBad, log).ok).toBe(true);
    expect(pairs(findAnomalies(anyBad, log))).toEqual([['consistent-prefix', 'r1', 'r2']]);
  });
  it('can be switched off, and (a) can be skipped for failover runs', () => {
    const bad = [...writes, r('r1', 'k1', 'a', 10, 11, { ...any, servedLsn: 3 })];
    expect(checkSessionGuarantees(bad, log, { guarantees: ['read-your-writes'] }).ok).toBe(true);
    expect(checkSessionGuarantees(bad, log, { useServedLsn: false }).ok).toBe(true);
  });
});

describe('phantom values', () => {
  const log = logOf(['k1', 'a']);
  it('reports a value no write produced, and one written only by a failed write', () => {
    const history = [
      w('wa', 'k1', 'a', 0, 1),
      w('wf', 'k1', 'f', 2, 3, { ok: false }),
      r('r1', 'k1', 'zz', 10, 11, { mode: 'AnyFollower' }),
      r('r2', 'k2', 'a', 12, 13, { mode: 'AnyFollower' }),
      r('r3', 'k1', 'f', 14, 15),
    ];
    const result = checkSessionGuarantees(history, log);
    expect(pairs(result)).toEqual([
      ['phantom', undefined, 'r1'],
      ['phantom', undefined, 'r2'],
      ['phantom', 'wf', 'r3'],
    ]);
    expect(result.violations[0]!.explanation).toBe(
      'read r1 (AnyFollower) returned "zz" for key k1, a value no write ever wrote to k1: phantom value',
    );
    expect(result.violations[2]!.explanation).toContain('written only by wf, which was reported failed');
  });
  it('accepts the value of an unknown write, even one missing from the log, and ignores unanswered reads', () => {
    const history = [
      w('wu', 'k1', 'u', 0),
      r('r1', 'k1', 'u', 10, 11, { ...SC, servedLsn: 1 }),
      { ...r('r2', 'k1', 'junk', 12, 13), completeMs: undefined },
    ];
    expect(checkSessionGuarantees(history, log).ok).toBe(true);
  });
});

describe('a candidate that applied a value twice', () => {
  it('gets the benefit of the doubt: a read of that value may have seen either copy', () => {
    const log = logOf(['k1', 'a'], ['k1', 'b'], ['k1', 'a']);
    const history = [
      w('wa', 'k1', 'a', 0, 1, { client: 'c2' }),
      w('wb', 'k1', 'b', 1, 2, { client: 'c2' }),
      r('r1', 'k1', 'b', 10, 12, SC),
      r('r2', 'k1', 'a', 20, 22, SC),
    ];
    expect(checkSessionGuarantees(history, log).ok).toBe(true);
    expect(checkSessionGuarantees(history, logOf(['k1', 'a'], ['k1', 'b'])).ok).toBe(false);
  });
});

describe('input validation', () => {
  it('rejects a history the kit recorded wrongly', () => {
    expect(() => checkSessionGuarantees([w('w1', 'k', 'a', 5, 1)], [])).toThrow(expect.objectContaining({ code: 'HISTORY_INVALID' }));
    expect(() => checkSessionGuarantees([w('w1', 'k', 'a', 0, 1), r('w1', 'k', 'a', 2, 3)], [])).toThrow(
      expect.objectContaining({ code: 'HISTORY_INVALID' }),
    );
  });
});
