/**
 * The reference node as a hardened server: forged or malformed input is counted and dropped, never
 * stored, spread, answered or acted upon (issue 12 item 7).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SimCluster } from '../sim.ts';
import { DecodeError, decodeMessage, encodeMessage } from './codec.ts';
import { GossipCore, MAX_GENERATION } from './node.ts';
import type { Member, Message } from './types.ts';

function core(): GossipCore {
  return new GossipCore({
    id: 'n0',
    peers: ['n1', 'n2'],
    indirectChecks: 3,
    fanout: 3,
    probeTimeout: 1,
    suspicionTimeout: 4,
    pushPullEvery: 2,
    retransmitMult: 4,
    maxPiggyback: 32,
    maxPiggybackBytes: 1200,
    maxPushPullBytes: 8192,
    seed: 1,
  });
}

const outIds = (msgs: ReadonlyArray<{ msg: Message }>): string[] =>
  msgs.flatMap(({ msg }) => (msg.type === 'push-pull' ? msg.members : msg.updates).map((m) => m.id));

/** A CBOR gossip datagram [3, from, [[id, status, generation as a float64]]], written byte by byte. */
function floatGenerationGossip(from: string, id: string, status: number, generation: number): Uint8Array {
  const text = (s: string): number[] => [0x60 + s.length, ...Buffer.from(s)];
  const f = Buffer.alloc(8);
  f.writeDoubleBE(generation);
  return Uint8Array.from([0x83, 0x03, ...text(from), 0x81, 0x83, ...text(id), status, 0xfb, ...f]);
}

describe('claims about ids outside the address book', () => {
  it('are neither stored nor spread: 310 forged datagrams of 100 unknown ids leave the table at the book', () => {
    const n0 = core();
    for (let p = 0; p < 310; p++) {
      const updates: Member[] = Array.from({ length: 100 }, (_, i) => ({ id: `x${p}-${i}`, status: 'alive', generation: 1 }));
      const fx = n0.receive({ type: 'gossip', from: 'n1', updates }, 0);
      expect(fx.out).toEqual([]);
    }
    expect(n0.view().map((m) => m.id)).toEqual(['n0', 'n1', 'n2']);
    expect(n0.stats.rejected.unknownMember).toBe(31_000);
    expect(n0.pendingBroadcasts).toBe(0);
    const sent = [1, 2, 3, 4].flatMap((r) => n0.round(r).out);
    expect(outIds(sent).filter((id) => !['n0', 'n1', 'n2'].includes(id))).toEqual([]);
  });

  it('a message from a sender outside the book is dropped unanswered', () => {
    const n0 = core();
    const fx = n0.receive({ type: 'ping', from: 'intruder', seq: 1, to: 'n0', updates: [{ id: 'n1', status: 'dead', generation: 9 }] }, 0);
    expect(fx.out).toEqual([]);
    expect(n0.view().find((m) => m.id === 'n1')).toEqual({ id: 'n1', status: 'alive', generation: 0 });
    expect(n0.stats.rejected.unknownSender).toBe(1);
  });
});

describe('generations are validated', () => {
  it('"n1 dead at generation 2^53−1" sent as a CBOR float is rejected; n1 stays alive', () => {
    const msg = decodeMessage(floatGenerationGossip('n2', 'n1', 2, 2 ** 53 - 1));
    const n0 = core();
    n0.receive(msg, 0);
    expect(n0.view().find((m) => m.id === 'n1')).toEqual({ id: 'n1', status: 'alive', generation: 0 });
    expect(n0.stats.rejected.badGeneration).toBe(1);
  });

  it('a failure claim at the highest accepted generation is still refuted, and the refutation is accepted everywhere', () => {
    const c = new SimCluster({ size: 4, seed: 9, knobs: { suspicionRounds: 3 } });
    const forged: Member = { id: 'n1', status: 'dead', generation: MAX_GENERATION - 1 };
    c.node('n0').receive({ type: 'gossip', from: 'n2', updates: [forged] }, 0);
    expect(c.entry('n0', 'n1')?.status).toBe('dead');
    c.runUntil(() => c.ids.every((v) => c.entry(v, 'n1')?.status === 'alive'), 20);
    for (const v of c.ids) expect(c.entry(v, 'n1')).toEqual({ id: 'n1', status: 'alive', generation: MAX_GENERATION });
    // A failure claim at MAX_GENERATION could never be out-bid: it is rejected.
    const n0 = core();
    n0.receive({ type: 'gossip', from: 'n2', updates: [{ id: 'n1', status: 'suspected', generation: MAX_GENERATION }] }, 0);
    expect(n0.stats.rejected.badGeneration).toBe(1);
    expect(n0.view().find((m) => m.id === 'n1')?.status).toBe('alive');
  });
});

describe('malformed datagrams', () => {
  it('any bytes either decode to a message or throw DecodeError (never another error)', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), (bytes) => {
        try {
          decodeMessage(bytes);
        } catch (error) {
          expect(error).toBeInstanceOf(DecodeError);
        }
      }),
      { numRuns: 2000 },
    );
  });

  it('a valid message with one field corrupted throws DecodeError', () => {
    const ok = encodeMessage({ type: 'ack', from: 'n1', seq: 3, of: 'n1', updates: [] });
    expect(decodeMessage(ok)).toMatchObject({ type: 'ack' });
    for (let i = 0; i < ok.length; i++) {
      const bad = Uint8Array.from(ok);
      bad[i] = 0xff;
      try {
        decodeMessage(bad);
      } catch (error) {
        expect(error).toBeInstanceOf(DecodeError);
      }
    }
    expect(() => decodeMessage(floatGenerationGossip('n2', 'n1', 7, 1))).toThrow(DecodeError);
  });
});
