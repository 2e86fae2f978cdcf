import dgram from 'node:dgram';
import { afterEach, describe, expect, it } from 'vitest';
import { ClusterNetwork } from './cluster-network.ts';
import { NetErrorCode, type NetErrorCodeValue } from './errors.ts';
import { FaultTimeline } from './timeline.ts';
import { Closer, splitAddress, UdpPeer } from './test-support.ts';

const closer = new Closer();
afterEach(() => closer.closeAll());

async function network(transport: 'tcp' | 'udp', ids: string[] = ['a', 'b'], timeline?: FaultTimeline): Promise<ClusterNetwork> {
  const net = await ClusterNetwork.create({ seed: 3, transport, ...(timeline ? { timeline } : {}) });
  closer.add(() => net.close());
  let port = 40_000;
  for (const id of ids) await net.addNode(id, `127.0.0.1:${port++}`); // nothing needs to listen
  return net;
}

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (error) {
    return (error as { code?: string }).code;
  }
  return undefined;
}

async function asyncCodeOf(promise: Promise<unknown>): Promise<string | undefined> {
  return promise.then(
    () => undefined,
    (error: unknown) => (error as { code?: string }).code,
  );
}

describe('controls', () => {
  it.each(['tcp', 'udp'] as const)('%s: unknown node ids throw NET_UNKNOWN_NODE from every control', async (transport) => {
    const net = await network(transport);
    const calls: Array<() => unknown> = [
      () => net.bookFor('zz'),
      () => net.bookString('zz'),
      () => net.endpoint('a', 'zz'),
      () => net.delay('zz', 'a', 5),
      () => net.partition(['a'], ['zz']),
      () => net.oneWay('a', 'zz'),
      () => net.isolate('zz'),
      () => net.linkCounters('zz', 'a'),
      () => net.isCut('a', 'zz'),
      () => net.faults('a', 'zz'),
      () => net.reset('zz', 'a'),
    ];
    for (const call of calls) expect(codeOf(call)).toBe(NetErrorCode.UNKNOWN_NODE);
  });

  it('validates arguments and transport support with stable codes', async () => {
    const tcp = await network('tcp');
    const udp = await network('udp');
    const cases: Array<[() => unknown, NetErrorCodeValue]> = [
      [() => udp.delay('a', 'b', -1), NetErrorCode.BAD_ARGUMENT],
      [() => udp.delay('a', 'b', Number.NaN), NetErrorCode.BAD_ARGUMENT],
      [() => udp.loss('a', 'b', 1.5), NetErrorCode.BAD_ARGUMENT],
      [() => udp.duplicate('a', 'b', -0.1), NetErrorCode.BAD_ARGUMENT],
      [() => tcp.bandwidth('a', 'b', 0), NetErrorCode.BAD_ARGUMENT],
      [() => tcp.loss('a', 'b', 0.5), NetErrorCode.UNSUPPORTED_FAULT],
      [() => tcp.duplicate('a', 'b', 0.5), NetErrorCode.UNSUPPORTED_FAULT],
      [() => tcp.reorder('a', 'b', 0.5), NetErrorCode.UNSUPPORTED_FAULT],
      [() => udp.bandwidth('a', 'b', 1000), NetErrorCode.UNSUPPORTED_FAULT],
      [() => udp.reset('a', 'b'), NetErrorCode.UNSUPPORTED_FAULT],
    ];
    for (const [call, code] of cases) expect(codeOf(call)).toBe(code);
    expect(udp.faults('a', 'b').delayMs).toBe(0); // a rejected patch changes nothing
  });

  it('rejects bad node registrations', async () => {
    const net = await network('udp');
    expect(await asyncCodeOf(net.addNode('a', '127.0.0.1:50000'))).toBe(NetErrorCode.DUPLICATE_NODE);
    expect(await asyncCodeOf(net.addNode('c', '127.0.0.1:40000'))).toBe(NetErrorCode.DUPLICATE_ADDRESS);
    expect(await asyncCodeOf(net.addNode('d', 'localhost:1'))).toBe(NetErrorCode.BAD_ADDRESS);
    expect(await asyncCodeOf(net.addNode('e', '127.0.0.1:70000'))).toBe(NetErrorCode.BAD_ADDRESS);
    expect(await asyncCodeOf(net.addNode('f=1', '127.0.0.1:50001'))).toBe(NetErrorCode.BAD_NODE_ID);
    expect(await asyncCodeOf(net.addNode('', '127.0.0.1:50002'))).toBe(NetErrorCode.BAD_NODE_ID);
    expect(net.nodes()).toEqual(['a', 'b']);
  });

  it('records every control on the timeline and clearFaults resets links; heal keeps delays', async () => {
    const timeline = new FaultTimeline();
    const net = await network('udp', ['a', 'b', 'c'], timeline);
    net.delay('a', 'b', 10, 2);
    net.loss('a', 'c', 0.25);
    net.partition(['a'], ['b', 'c']);
    net.oneWay('b', 'c');
    net.isolate('c');
    expect(net.isCut('b', 'c')).toBe(true);
    net.heal();
    expect(net.isCut('b', 'c')).toBe(false);
    expect(net.faults('a', 'b')).toMatchObject({ delayMs: 10, jitterMs: 2 });
    net.clearFaults();
    expect(net.faults('a', 'b').delayMs).toBe(0);
    expect(net.faults('a', 'c').loss).toBe(0);
    const kinds = timeline.entries().map((e) => e.kind);
    expect(kinds).toEqual([
      'net.add-node',
      'net.add-node',
      'net.add-node',
      'net.delay',
      'net.loss',
      'net.partition',
      'net.one-way',
      'net.isolate',
      'net.heal',
      'net.clear-faults',
    ]);
    const partition = timeline.entries()[5];
    expect(partition?.details).toEqual({ groupA: ['a'], groupB: ['b', 'c'] });
    const times = timeline.entries().map((e) => e.atMs);
    expect(times).toEqual([...times].sort((x, y) => x - y));
  });

  it('after close(), controls throw NET_CLOSED and UDP kit ports are free again', async () => {
    const net = await ClusterNetwork.create({ seed: 1, transport: 'udp' });
    closer.add(() => net.close());
    const a = await UdpPeer.open(closer);
    const b = await UdpPeer.open(closer);
    await net.addNode('a', a.address);
    await net.addNode('b', b.address);
    const ports = [net.endpoint('a', 'b'), net.endpoint('b', 'a')].map((addr) => splitAddress(addr)[1]);
    await net.close();
    await net.close();
    expect(net.closed).toBe(true);
    expect(codeOf(() => net.delay('a', 'b', 1))).toBe(NetErrorCode.CLOSED);
    expect(await asyncCodeOf(net.addNode('c', '127.0.0.1:40999'))).toBe(NetErrorCode.CLOSED);
    for (const port of ports) {
      const socket = dgram.createSocket('udp4');
      await new Promise<void>((resolve, reject) => {
        socket.once('error', reject);
        socket.bind(port, '127.0.0.1', () => resolve());
      });
      await new Promise<void>((resolve) => socket.close(() => resolve()));
    }
  });

  it('quiescent() on an idle network resolves at once, and honours settleMs', async () => {
    const net = await network('udp');
    await net.quiescent({ timeoutMs: 100 });
    const t0 = performance.now();
    await net.quiescent({ timeoutMs: 1000, settleMs: 30 });
    expect(performance.now() - t0).toBeGreaterThanOrEqual(25);
    await expect(net.quiescent({ timeoutMs: 10 })).resolves.toBeUndefined();
  });
});
