import { afterEach, describe, expect, it } from 'vitest';
import { hasCode } from '../common/errors.ts';
import { ClusterNetwork } from './cluster-network.ts';
import { NetErrorCode } from './errors.ts';
import { Closer, UdpPeer } from './test-support.ts';
import { waitUntil as waitFor } from '../common/wait.ts';

const closer = new Closer();
afterEach(() => closer.closeAll());

async function cluster(ids: string[], seed = 7): Promise<{ net: ClusterNetwork; peers: Record<string, UdpPeer> }> {
  const net = await ClusterNetwork.create({ seed, transport: 'udp' });
  closer.add(() => net.close());
  const peers: Record<string, UdpPeer> = {};
  for (const id of ids) {
    const peer = await UdpPeer.open(closer);
    peers[id] = peer;
    await net.addNode(id, peer.address);
  }
  return { net, peers };
}

function peer(peers: Record<string, UdpPeer>, id: string): UdpPeer {
  const p = peers[id];
  if (p === undefined) throw new Error(`no peer ${id}`);
  return p;
}

/**
 * Sends `n` numbered datagrams from→to via the book, in batches, waiting for the kit to have read each
 * batch (so the test measures the kit, not kernel buffer overflow).
 */
async function sendNumbered(net: ClusterNetwork, peers: Record<string, UdpPeer>, from: string, to: string, n: number): Promise<void> {
  const target = net.bookFor(from)[to] as string;
  const base = net.linkCounters(from, to).sent.messages;
  for (let i = 0; i < n; i += 50) {
    const end = Math.min(n, i + 50);
    for (let j = i; j < end; j++) peer(peers, from).send(target, `m${j}`);
    await waitFor(() => net.linkCounters(from, to).sent.messages >= base + end, { what: `kit read ${end}` });
  }
}

function numbers(p: UdpPeer): number[] {
  return p.texts().map((t) => Number(t.slice(1)));
}

describe('UDP addressing', () => {
  it('maps every peer to one kit socket per node, the same in every book, self excluded', async () => {
    const { net, peers } = await cluster(['a', 'b', 'c']);
    const a = net.bookFor('a');
    const c = net.bookFor('c');
    expect(Object.keys(a).sort()).toEqual(['b', 'c']);
    expect(a.b).toBe(c.b);
    expect(a.b).not.toBe(peer(peers, 'b').address);
    expect(net.bookString('b')).toBe(`a=${net.endpoint('b', 'a')},c=${net.endpoint('b', 'c')}`);
  });

  it('delivers from the sender kit socket; reply-to-source and reply-via-book both land on the right link', async () => {
    const { net, peers } = await cluster(['a', 'b']);
    const a = peer(peers, 'a');
    const b = peer(peers, 'b');
    a.send(net.bookFor('a').b as string, 'ping');
    await waitFor(() => b.received.length === 1);
    const first = b.received[0];
    expect(first?.data.toString()).toBe('ping');
    expect(first?.from).toBe(net.bookFor('b').a); // the source b sees is a's book address

    b.send(first?.from as string, 'pong-to-source');
    b.send(net.bookFor('b').a as string, 'pong-via-book');
    await waitFor(() => a.received.length === 2);
    expect(a.texts().sort()).toEqual(['pong-to-source', 'pong-via-book']);
    expect(a.received.every((d) => d.from === net.bookFor('a').b)).toBe(true);

    expect(net.linkCounters('a', 'b')).toMatchObject({ sent: { messages: 1, bytes: 4 }, delivered: { messages: 1, bytes: 4 } });
    expect(net.linkCounters('b', 'a')).toMatchObject({ sent: { messages: 2 }, delivered: { messages: 2 } });
  });

  it('counts datagrams from unknown sources as unattributed and drops them', async () => {
    const { net, peers } = await cluster(['a', 'b']);
    const stranger = await UdpPeer.open(closer);
    stranger.send(net.bookFor('a').b as string, 'garbage\u0000\u00ff');
    await waitFor(() => net.unattributed().messages === 1);
    expect(net.totals().sent.messages).toBe(0);
    expect(peer(peers, 'b').received).toHaveLength(0);
  });
});

describe('UDP faults', () => {
  it('loss p=1 drops everything, p=0 nothing, and counters add up', async () => {
    const { net, peers } = await cluster(['a', 'b']);
    net.loss('a', 'b', 1);
    await sendNumbered(net, peers, 'a', 'b', 200);
    expect(net.linkCounters('a', 'b')).toMatchObject({ sent: { messages: 200 }, dropped: { messages: 200 }, delivered: { messages: 0 } });
    net.loss('a', 'b', 0);
    await sendNumbered(net, peers, 'a', 'b', 200);
    await waitFor(() => peer(peers, 'b').received.length === 200);
    expect(net.linkCounters('a', 'b')).toMatchObject({ sent: { messages: 400 }, dropped: { messages: 200 }, delivered: { messages: 200 } });
  });

  it('loss 0.3 drops about 30%, with the same pattern for the same seed', async () => {
    const run = async (seed: number): Promise<number[]> => {
      const { net, peers } = await cluster(['a', 'b'], seed);
      net.loss('a', 'b', 0.3);
      await sendNumbered(net, peers, 'a', 'b', 1000);
      const delivered = net.linkCounters('a', 'b').delivered.messages;
      await waitFor(() => peer(peers, 'b').received.length === delivered);
      return numbers(peer(peers, 'b'));
    };
    const first = await run(42);
    const again = await run(42);
    const other = await run(43);
    const ratio = 1 - first.length / 1000;
    expect(ratio).toBeGreaterThan(0.24);
    expect(ratio).toBeLessThan(0.36);
    expect(again).toEqual(first);
    expect(other).not.toEqual(first);
  });

  it('duplicate p=1 delivers every datagram twice and counts the copies', async () => {
    const { net, peers } = await cluster(['a', 'b']);
    net.duplicate('a', 'b', 1);
    await sendNumbered(net, peers, 'a', 'b', 20);
    await waitFor(() => peer(peers, 'b').received.length === 40);
    const counts = new Map<number, number>();
    for (const n of numbers(peer(peers, 'b'))) counts.set(n, (counts.get(n) ?? 0) + 1);
    expect([...counts.values()].every((c) => c === 2)).toBe(true);
    expect(net.linkCounters('a', 'b')).toMatchObject({ sent: { messages: 20 }, duplicated: { messages: 20 }, delivered: { messages: 40 } });
  });

  it('delay holds a→b datagrams for at least the delay, leaves b→a alone, and quiescent() waits for them', async () => {
    const { net, peers } = await cluster(['a', 'b']);
    const a = peer(peers, 'a');
    const b = peer(peers, 'b');
    net.delay('a', 'b', 80);
    const t0 = performance.now();
    let arrivedAt = 0;
    b.onMessage = () => (arrivedAt = performance.now());
    a.send(net.bookFor('a').b as string, 'slow');
    await waitFor(() => net.linkCounters('a', 'b').inFlight.messages === 1);
    expect(net.inFlight).toBe(1);
    await net.quiescent({ timeoutMs: 3000 });
    expect(net.linkCounters('a', 'b')).toMatchObject({ delivered: { messages: 1 }, inFlight: { messages: 0 } });
    await waitFor(() => b.received.length === 1);
    expect(arrivedAt - t0).toBeGreaterThanOrEqual(78);

    const t1 = performance.now();
    b.send(net.bookFor('b').a as string, 'fast');
    await waitFor(() => a.received.length === 1);
    expect(performance.now() - t1).toBeLessThan(78);
  });

  it('reorder delivers everything but not in send order', async () => {
    const { net, peers } = await cluster(['a', 'b']);
    net.reorder('a', 'b', 0.3, 30);
    await sendNumbered(net, peers, 'a', 'b', 60);
    await net.quiescent({ timeoutMs: 3000 });
    await waitFor(() => peer(peers, 'b').received.length === 60);
    const got = numbers(peer(peers, 'b'));
    expect([...got].sort((x, y) => x - y)).toEqual(Array.from({ length: 60 }, (_, i) => i));
    expect(got).not.toEqual([...got].sort((x, y) => x - y));
  });

  it('partition drops both directions between groups only; heal restores', async () => {
    const { net, peers } = await cluster(['a', 'b', 'c']);
    net.partition(['a'], ['b', 'c']);
    await sendNumbered(net, peers, 'a', 'b', 5);
    await sendNumbered(net, peers, 'b', 'a', 5);
    await sendNumbered(net, peers, 'b', 'c', 5);
    await waitFor(() => peer(peers, 'c').received.length === 5);
    expect(peer(peers, 'a').received).toHaveLength(0);
    expect(peer(peers, 'b').received).toHaveLength(0);
    expect(net.linkCounters('a', 'b').dropped.messages).toBe(5);
    expect(net.linkCounters('b', 'a').dropped.messages).toBe(5);

    net.heal();
    await sendNumbered(net, peers, 'a', 'b', 5);
    await waitFor(() => peer(peers, 'b').received.length === 5);
  });

  it('oneWay cuts a→b only', async () => {
    const { net, peers } = await cluster(['a', 'b']);
    net.oneWay('a', 'b');
    await sendNumbered(net, peers, 'a', 'b', 10);
    await sendNumbered(net, peers, 'b', 'a', 10);
    await waitFor(() => peer(peers, 'a').received.length === 10);
    expect(peer(peers, 'b').received).toHaveLength(0);
    expect(net.linkCounters('a', 'b')).toMatchObject({ sent: { messages: 10 }, dropped: { messages: 10 } });
    expect(net.linkCounters('b', 'a')).toMatchObject({ sent: { messages: 10 }, delivered: { messages: 10 } });
  });

  it('isolate cuts a node from everyone, including nodes added later', async () => {
    const { net, peers } = await cluster(['a', 'b']);
    net.isolate('a');
    const late = await UdpPeer.open(closer);
    peers.c = late;
    await net.addNode('c', late.address);
    await sendNumbered(net, peers, 'c', 'a', 3);
    await sendNumbered(net, peers, 'b', 'c', 3);
    await waitFor(() => late.received.length === 3);
    expect(peer(peers, 'a').received).toHaveLength(0);
    expect(net.isCut('a', 'c')).toBe(true);
  });

  it('a cut that starts while datagrams are delayed drops them when due', async () => {
    const { net, peers } = await cluster(['a', 'b']);
    net.delay('a', 'b', 40);
    await sendNumbered(net, peers, 'a', 'b', 10);
    net.oneWay('a', 'b');
    await net.quiescent({ timeoutMs: 3000 });
    expect(net.linkCounters('a', 'b')).toMatchObject({ dropped: { messages: 10 }, delivered: { messages: 0 } });
  });

  it('quiescent() rejects with a coded error while traffic is still delayed', async () => {
    const { net, peers } = await cluster(['a', 'b']);
    net.delay('a', 'b', 5000);
    await sendNumbered(net, peers, 'a', 'b', 1);
    const error = await net.quiescent({ timeoutMs: 50 }).catch((e: unknown) => e);
    expect(hasCode(error, NetErrorCode.QUIESCENT_TIMEOUT)).toBe(true);
  });

  it('sent + duplicated = delivered + dropped + inFlight under mixed faults', async () => {
    const { net, peers } = await cluster(['a', 'b', 'c'], 99);
    net.configure('a', 'b', { loss: 0.2, duplicate: 0.2, delayMs: 5, jitterMs: 10 });
    net.configure('b', 'c', { loss: 0.5 });
    await sendNumbered(net, peers, 'a', 'b', 300);
    await sendNumbered(net, peers, 'b', 'c', 300);
    await sendNumbered(net, peers, 'c', 'a', 300);
    await net.quiescent({ timeoutMs: 3000 });
    for (const c of net.counters()) {
      expect(c.sent.messages + c.duplicated.messages).toBe(c.delivered.messages + c.dropped.messages + c.inFlight.messages);
      expect(c.sent.bytes + c.duplicated.bytes).toBe(c.delivered.bytes + c.dropped.bytes + c.inFlight.bytes);
    }
    const t = net.totals();
    expect(t.sent.messages).toBe(900);
    await waitFor(() => peer(peers, 'b').received.length === net.linkCounters('a', 'b').delivered.messages);
    await waitFor(() => peer(peers, 'c').received.length === net.linkCounters('b', 'c').delivered.messages);
    await waitFor(() => peer(peers, 'a').received.length === 300);
  });
});

describe('UDP round barrier', () => {
  it('holds every datagram while raised (counted as sent and held), then forwards them in order through the faults', async () => {
    const { net, peers } = await cluster(['a', 'b', 'c']);
    net.loss('c', 'b', 1);
    net.raiseBarrier();
    const toB = net.bookFor('a').b as string;
    peer(peers, 'a').send(toB, 'm0');
    peer(peers, 'a').send(toB, 'm1');
    peer(peers, 'c').send(net.bookFor('c').b as string, 'x');
    await waitFor(() => net.linkCounters('a', 'b').sent.messages === 2 && net.linkCounters('c', 'b').sent.messages === 1, {
      what: 'kit read 3',
    });
    await new Promise((r) => setTimeout(r, 50));
    expect(peer(peers, 'b').texts()).toEqual([]);
    expect(net.linkCounters('a', 'b').held.messages).toBe(2);
    expect(net.inFlight).toBe(0);
    expect(net.releaseBarrier()).toBe(3);
    await waitFor(() => peer(peers, 'b').texts().length === 2, { what: 'released' });
    expect(peer(peers, 'b').texts()).toEqual(['m0', 'm1']);
    expect(net.linkCounters('a', 'b')).toMatchObject({ held: { messages: 0 }, delivered: { messages: 2 } });
    expect(net.linkCounters('c', 'b').dropped.messages).toBe(1);
    expect(net.releaseBarrier()).toBe(0);
  });

  it('is a UDP control only', async () => {
    const net = await ClusterNetwork.create({ seed: 1, transport: 'tcp' });
    closer.add(() => net.close());
    expect(() => net.raiseBarrier()).toThrow(expect.objectContaining({ code: NetErrorCode.UNSUPPORTED_FAULT }));
  });
});
