import { describe, expect, it } from 'vitest';
import type { CheckDefinition } from '../checks/check.ts';
import { parseOnly, selectChecks, validateOnly } from './select-checks.ts';

const check = (id: string): CheckDefinition => ({
  id,
  system: 'broker',
  level: 'required',
  title: id,
  criterion: id,
  timeoutMs: 1,
  run: async () => ({ verdict: 'PASS', evidence: { summary: '' } }),
});
const all = ['broker.1-concurrent', 'broker.framing', 'fixture.a', 'fixture.b'].map(check);

describe('selectChecks', () => {
  it('keeps everything without --only, picks exact ids and prefixes in the order given', () => {
    expect(selectChecks(all, undefined)).toHaveLength(4);
    expect(selectChecks(all, ['fixture.*', 'broker.framing']).map((c) => c.id)).toEqual(['fixture.a', 'fixture.b', 'broker.framing']);
  });
  it('rejects an unknown id with a code, never silently running fewer checks', () => {
    expect(() => selectChecks(all, ['broker.framin'])).toThrow(expect.objectContaining({ code: 'UNKNOWN_CHECK' }));
  });
});

describe('opt-in checks', () => {
  const heavy: CheckDefinition = { ...check('gossip.scale-1000'), optIn: 'minutes of wall time' };
  const withHeavy = [...all, heavy];
  it('run only under --strict or when --only names the exact id, never through a glob', () => {
    expect(selectChecks(withHeavy, undefined).map((c) => c.id)).not.toContain('gossip.scale-1000');
    expect(selectChecks(withHeavy, undefined, { strict: true }).map((c) => c.id)).toContain('gossip.scale-1000');
    expect(selectChecks(withHeavy, ['gossip.scale-1000']).map((c) => c.id)).toEqual(['gossip.scale-1000']);
    expect(selectChecks(withHeavy, ['gossip.*', 'broker.framing']).map((c) => c.id)).toEqual(['broker.framing']);
    expect(selectChecks(withHeavy, ['gossip.*'], { strict: true }).map((c) => c.id)).toEqual(['gossip.scale-1000']);
  });
});

describe('--only patterns', () => {
  it('globs match anywhere with *, and a typo gets the closest ids', () => {
    expect(selectChecks(all, ['*framing']).map((c) => c.id)).toEqual(['broker.framing']);
    expect(selectChecks(all, ['broker.*']).map((c) => c.id)).toEqual(['broker.1-concurrent', 'broker.framing']);
    expect(() => selectChecks(all, ['broker.framng'])).toThrow(/did you mean broker\.framing/);
  });
  it('an empty entry never widens into "everything"', () => {
    for (const bad of [',', '', ' ', 'a,,b', 'a,']) expect(() => parseOnly(bad)).toThrow(expect.objectContaining({ code: 'BAD_ONLY' }));
    expect(parseOnly(undefined)).toBeUndefined();
    expect(parseOnly(' broker.framing , fixture.* ')).toEqual(['broker.framing', 'fixture.*']);
    expect(() => selectChecks(all, [])).toThrow(expect.objectContaining({ code: 'BAD_ONLY' }));
  });
});

describe('--only over a batch of several systems', () => {
  it('a pattern must match some system; each candidate then runs only what matches its own suite', () => {
    expect(() => validateOnly(['broker.framing', 'store.quorum', 'build.*'], ['broker.framing', 'store.quorum'])).not.toThrow();
    expect(() => validateOnly(['store.quorom'], ['broker.framing', 'store.quorum'])).toThrow(/did you mean store\.quorum/);
    expect(selectChecks(all, ['store.quorum', 'broker.framing'], { lenient: true }).map((c) => c.id)).toEqual(['broker.framing']);
    expect(selectChecks(all, ['store.quorum'], { lenient: true })).toEqual([]);
  });
});
