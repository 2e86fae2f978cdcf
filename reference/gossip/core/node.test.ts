/** Unit tests of the core state machine: exact round/ms timelines, refutation, edge cases. */
import { describe, expect, it } from 'vitest';
import { GossipCore } from './node.ts';
import type { CoreConfig, Effects, Message } from './types.ts';
import { SimCluster } from '../sim.ts';

function core(id: string, peers: string[], over: Partial<CoreConfig> = {}): GossipCore {
  return new GossipCore({
    id,
    peers,
    indirectChecks: 3,
    fanout: 3,
    probeTimeout: 1,
    suspicionTimeout: 4,
    pushPullEvery: 0,
    retransmitMult: 4,
    maxPiggyback: 32,
    maxPiggybackBytes: 1200,
    maxPushPullBytes: 8192,
    seed: 1,
    ...over,
  });
}

const types = (fx: Effects) => fx.out.map((o) => `${o.msg.type}>${o.to}`);

describe('round-driven timeline (T = 1 round)', () => {
  it('ping in r, ping-req at r+1, Suspected (G+1) at r+2, Dead at r+2+S', () => {
    const c = new SimCluster({ size: 2, seed: 3, knobs: { suspicionRounds: 3, pushPullRounds: 0 } });
    c.crashed.add('n1');
    const st = () => c.entry('n0', 'n1');
    c.step(); // round 1: ping n1
    expect(c.node('n0').stats.probes.started).toBe(1);
    c.step(); // round 2: no ack -> indirect phase (no helper in a 2-node cluster: direct re-ping only)
    expect(st()).toEqual({ id: 'n1', status: 'alive', generation: 0 });
    expect(c.node('n0').stats.probes.pingReqSent).toBe(0);
    c.step(); // round 3: probe failed
    expect(st()).toEqual({ id: 'n1', status: 'suspected', generation: 1 });
    c.step();
    c.step();
    expect(st()?.status).toBe('suspected'); // rounds 4, 5
    c.step(); // round 6 = 3 + S
    expect(st()).toEqual({ id: 'n1', status: 'dead', generation: 1 });
    expect(c.node('n0').stats.deaths).toBe(1);
    // Dead members are no longer probed or gossiped to.
    const before = c.node('n0').stats.probes.started;
    for (let i = 0; i < 3; i++) c.step();
    expect(c.node('n0').stats.probes.started).toBe(before);
  });

  it('K larger than the available helpers uses all of them, no more', () => {
    const c = new SimCluster({ size: 4, seed: 5, knobs: { indirectChecks: 10, pushPullRounds: 0 } });
    c.crashed.add('n3');
    c.runUntil(() => c.entry('n0', 'n3')?.status === 'suspected', 20);
    const n0 = c.node('n0').stats.probes;
    expect(n0.failed).toBe(1);
    expect(n0.pingReqSent).toBe(2); // n1 and n2: the only other live members
  });
});

describe('free-running timeline (ms clock)', () => {
  it('ping-req at start+T, Suspected at start+2T, Dead S ms later', () => {
    const a = core('a', ['b', 'c'], { probeTimeout: 100, suspicionTimeout: 1000, indirectChecks: 1 });
    const first = a.round(0);
    const ping = first.out.find((o) => o.msg.type === 'ping');
    expect(ping).toBeDefined();
    const target = ping?.to as string;
    expect(a.nextDeadline()).toBe(100);
    expect(a.tick(99).out).toEqual([]);
    expect(types(a.tick(100)).sort()).toEqual([`ping-req>${target === 'b' ? 'c' : 'b'}`, `ping>${target}`].sort());
    expect(a.tick(199).out).toEqual([]);
    const fx = a.tick(200);
    expect(a.member(target)).toEqual({ id: target, status: 'suspected', generation: 1 });
    expect(fx.events).toContainEqual({ type: 'suspect', id: target, generation: 1, by: 'probe' });
    // The suspect is told at once, and the claim rides on the message.
    const notice = fx.out.find((o) => o.to === target)?.msg as Message & { updates: unknown[] };
    expect(notice.updates[0]).toEqual({ id: target, status: 'suspected', generation: 1 });
    expect(a.nextDeadline()).toBe(1200);
    a.tick(1199);
    expect(a.member(target)?.status).toBe('suspected');
    a.tick(1200);
    expect(a.member(target)).toEqual({ id: target, status: 'dead', generation: 1 });
  });

  it('an ack via a helper (ping-req) saves the target', () => {
    const a = core('a', ['b', 'c'], { probeTimeout: 100, indirectChecks: 1 });
    const seq = a.round(0).out.find((o) => o.msg.type === 'ping')?.msg as { seq: number; to: string };
    a.tick(100);
    const helper = seq.to === 'b' ? 'c' : 'b';
    a.receive({ type: 'ack', from: helper, seq: seq.seq, of: seq.to, updates: [] }, 150);
    a.tick(500);
    expect(a.member(seq.to)?.status).toBe('alive');
    expect(a.stats.probes.indirectOk).toBe(1);
  });
});

describe('refutation and self claims', () => {
  it('Suspected at G+1 is refuted with Alive at G+2; Dead at G is refuted at G+1', () => {
    const b = core('b', ['a']);
    const fx = b.receive({ type: 'gossip', from: 'a', updates: [{ id: 'b', status: 'suspected', generation: 1 }] }, 0);
    expect(b.self()).toEqual({ id: 'b', status: 'alive', generation: 2 });
    expect(fx.events[0]).toMatchObject({ type: 'refute', generation: 2 });
    b.receive({ type: 'gossip', from: 'a', updates: [{ id: 'b', status: 'dead', generation: 7 }] }, 0);
    expect(b.self()).toEqual({ id: 'b', status: 'alive', generation: 8 });
    // Older or equal claims change nothing.
    b.receive(
      {
        type: 'gossip',
        from: 'a',
        updates: [
          { id: 'b', status: 'alive', generation: 8 },
          { id: 'b', status: 'dead', generation: 3 },
        ],
      },
      0,
    );
    expect(b.self().generation).toBe(8);
    expect(b.stats.refutations).toBe(2);
  });

  it('acks carry the acker’s own entry; messages to a non-alive member carry that claim', () => {
    const b = core('b', ['a']);
    b.updateSelf({ meta: 'load=1' });
    const ack = b.receive({ type: 'ping', from: 'a', seq: 4, to: 'b', updates: [] }, 0).out[0]?.msg as Message & { updates: unknown[] };
    expect(ack.type).toBe('ack');
    expect(ack.updates[0]).toEqual({ id: 'b', status: 'alive', generation: 1, meta: 'load=1' });
    b.debugUpsert({ id: 'a', status: 'dead', generation: 3 }, 0);
    const reply = b.receive({ type: 'ping', from: 'a', seq: 5, to: 'b', updates: [] }, 0).out[0]?.msg as Message & { updates: unknown[] };
    expect(reply.updates).toContainEqual({ id: 'a', status: 'dead', generation: 3 });
  });

  it('pings addressed to another id are ignored; datagrams to ids outside the book are never sent', () => {
    const b = core('b', ['a']);
    expect(b.receive({ type: 'ping', from: 'a', seq: 1, to: 'zz', updates: [] }, 0).out).toEqual([]);
    expect(b.receive({ type: 'ping', from: 'stranger', seq: 1, to: 'b', updates: [] }, 0).out).toEqual([]);
    expect(b.stats.rejected.unknownSender).toBe(1);
    // A member named by gossip but absent from the book is neither listed nor contacted.
    b.receive({ type: 'gossip', from: 'a', updates: [{ id: 'ghost', status: 'alive', generation: 2 }] }, 0);
    expect(b.member('ghost')).toBeUndefined();
    expect(b.stats.rejected.unknownMember).toBe(1);
    for (let r = 1; r <= 10; r++) expect(b.round(r).out.every((o) => o.to === 'a')).toBe(true);
  });
});

describe('push-pull', () => {
  it('a table larger than one datagram travels in parts and still reconciles both sides', () => {
    const c = new SimCluster({ size: 40, seed: 8, knobs: { maxPushPullBytes: 1000 } });
    for (let i = 2; i < 40; i++) c.node('n0').debugUpsert({ id: `n${i}`, status: 'alive', generation: 3, meta: 'm'.repeat(100) }, 0);
    c.node('n1').debugUpsert({ id: 'n5', status: 'dead', generation: 4 }, 0);
    const out = c.node('n0').startPushPull('n1').effects.out;
    expect(out.length).toBeGreaterThan(3);
    expect(out.every((o) => o.msg.type === 'push-pull' && o.msg.parts === out.length)).toBe(true);
    expect(c.pushPull('n0', 'n1')).toBe(true);
    for (const v of ['n0', 'n1']) {
      expect(c.entry(v, 'n5')).toEqual({ id: 'n5', status: 'dead', generation: 4 });
      expect(c.entry(v, 'n39')).toEqual({ id: 'n39', status: 'alive', generation: 3, meta: 'm'.repeat(100) });
    }
  });
});

describe('tiny clusters', () => {
  it('a 1-node cluster runs rounds without sending anything', () => {
    const solo = core('solo', []);
    for (let r = 1; r <= 20; r++) expect(solo.round(r).out).toEqual([]);
    expect(solo.view()).toEqual([{ id: 'solo', status: 'alive', generation: 0 }]);
    expect(solo.updateSelf({ meta: 'x' }).generation).toBe(1);
    expect(solo.round(21).out).toEqual([]);
  });

  it('a healthy 2-node cluster never suspects; a crashed peer ends Dead', () => {
    const c = new SimCluster({ size: 2, seed: 9 });
    for (let i = 0; i < 30; i++) c.step();
    expect(c.node('n0').stats.suspicions + c.node('n1').stats.suspicions).toBe(0);
    expect(c.node('n0').stats.probes.directOk).toBeGreaterThanOrEqual(29);
    c.crashed.add('n1');
    expect(c.runUntil(() => c.entry('n0', 'n1')?.status === 'dead', 20)).toBeGreaterThan(0);
  });
});
