import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { BroadcastQueue, compareClaims, supersedes } from './membership.ts';
import { decodeMessage, encodeMessage, DecodeError } from './codec.ts';
import type { Member, Message } from './types.ts';

const m = (id: string, status: Member['status'], generation: number, meta?: string): Member =>
  meta === undefined ? { id, status, generation } : { id, status, generation, meta };

describe('reconciliation order', () => {
  it('higher generation wins whatever the status', () => {
    expect(supersedes(m('x', 'alive', 3), m('x', 'dead', 2))).toBe(true);
    expect(supersedes(m('x', 'dead', 2), m('x', 'alive', 3))).toBe(false);
  });

  it('equal generation: dead > suspected > alive, then meta (absent < any string)', () => {
    expect(compareClaims(m('x', 'dead', 5), m('x', 'suspected', 5))).toBeGreaterThan(0);
    expect(compareClaims(m('x', 'suspected', 5), m('x', 'alive', 5))).toBeGreaterThan(0);
    expect(compareClaims(m('x', 'alive', 5, 'a'), m('x', 'alive', 5))).toBeGreaterThan(0);
    expect(compareClaims(m('x', 'alive', 5, 'b'), m('x', 'alive', 5, 'a'))).toBeGreaterThan(0);
    expect(compareClaims(m('x', 'alive', 5, 'a'), m('x', 'alive', 5, 'a'))).toBe(0);
  });

  it('suspicion at G+1 beats Alive at G+1 but loses to the refutation at G+2', () => {
    const suspicion = m('x', 'suspected', 1);
    expect(supersedes(m('x', 'alive', 1), suspicion)).toBe(false);
    expect(supersedes(m('x', 'alive', 2), suspicion)).toBe(true);
    // A Dead verdict keeps the suspicion's generation, so the same refutation revives it.
    expect(supersedes(m('x', 'alive', 2), m('x', 'dead', 1))).toBe(true);
  });

  it('merging is order-independent (a join): any delivery order gives the same table', () => {
    const claim = fc.record({
      id: fc.constantFrom('a', 'b', 'c'),
      status: fc.constantFrom<Member['status']>('alive', 'suspected', 'dead'),
      generation: fc.integer({ min: 0, max: 4 }),
      meta: fc.option(fc.constantFrom('x', 'y'), { nil: undefined }),
    });
    const fold = (claims: readonly Member[]) => {
      const t = new Map<string, Member>();
      for (const c0 of claims) {
        const c = m(c0.id, c0.status, c0.generation, c0.meta);
        if (supersedes(c, t.get(c.id))) t.set(c.id, c);
      }
      return [...t.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    };
    fc.assert(
      fc.property(fc.array(claim, { maxLength: 20 }), fc.integer(), (claims, seed) => {
        const shuffled = claims
          .map((c, i) => ({ c, k: Math.sin(seed + i) }))
          .sort((a, b) => a.k - b.k)
          .map((x) => x.c);
        expect(fold(shuffled)).toEqual(fold(claims));
        // Two halves merged separately then exchanged = everything merged at once.
        const half = Math.floor(claims.length / 2);
        expect(fold([...fold(claims.slice(0, half)).map(([, v]) => v), ...fold(claims.slice(half)).map(([, v]) => v)])).toEqual(
          fold(claims),
        );
      }),
      { seed: 42, numRuns: 300 },
    );
  });
});

describe('broadcast queue', () => {
  it('sends least-transmitted first and drops an update after `limit` transmissions', () => {
    const q = new BroadcastQueue();
    q.push(m('a', 'alive', 1));
    q.push(m('b', 'alive', 1));
    expect(q.take(1, 2).map((u) => u.id)).toEqual(['b']); // newest first among equals
    expect(q.take(1, 2).map((u) => u.id)).toEqual(['a']);
    expect(
      q
        .take(5, 2)
        .map((u) => u.id)
        .sort(),
    ).toEqual(['a', 'b']);
    expect(q.size).toBe(0);
  });

  it('respects the byte budget of a message', () => {
    const q = new BroadcastQueue();
    q.push(m('a', 'alive', 1, 'x'.repeat(500)));
    q.push(m('b', 'alive', 1, 'y'.repeat(500)));
    q.push(m('c', 'alive', 1));
    expect(q.take(10, 5, undefined, 600).map((u) => u.id)).toEqual(['c', 'b']);
  });

  it('a newer update about the same member replaces the old one', () => {
    const q = new BroadcastQueue();
    q.push(m('a', 'alive', 1));
    q.push(m('a', 'suspected', 2));
    expect(q.take(5, 3)).toEqual([m('a', 'suspected', 2)]);
    expect(q.take(5, 3, new Set(['a']))).toEqual([]);
  });
});

describe('codec', () => {
  it('round-trips every message type', () => {
    const ups = [m('n1', 'suspected', 7), m('n2', 'alive', 0, 'load=3')];
    const msgs: Message[] = [
      { type: 'ping', from: 'n0', seq: 9, to: 'n1', updates: ups },
      { type: 'ack', from: 'n3', seq: 9, of: 'n1', updates: [] },
      { type: 'ping-req', from: 'n0', seq: 10, target: 'n1', updates: ups },
      { type: 'gossip', from: 'n0', updates: ups },
      { type: 'push-pull', from: 'n0', seq: 11, reply: true, members: ups, part: 1, parts: 2 },
    ];
    for (const msg of msgs) expect(decodeMessage(encodeMessage(msg))).toEqual(msg);
    expect(encodeMessage(msgs[0] as Message).length).toBeLessThan(40);
  });

  it('rejects garbage with DecodeError', () => {
    for (const bad of [
      Buffer.from('hello'),
      Buffer.from([0xff]),
      encodeMessage({ type: 'gossip', from: 'x', updates: [] }).subarray(0, 3),
    ]) {
      expect(() => decodeMessage(bad)).toThrow(DecodeError);
    }
  });
});
