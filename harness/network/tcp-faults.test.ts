import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { tcpCluster } from './test-cluster.ts';
import { Closer } from './test-support.ts';
import { waitUntil as waitFor } from '../common/wait.ts';

const closer = new Closer();
afterEach(() => closer.closeAll());

describe('TCP addressing', () => {
  it('gives every directed link its own endpoint and splices it to the real listener', async () => {
    const c = await tcpCluster(closer, ['a', 'b', 'c'], { echo: true });
    const { net } = c;
    expect(Object.keys(net.bookFor('a')).sort()).toEqual(['b', 'c']);
    expect(net.bookFor('a').b).not.toBe(net.bookFor('c').b);
    expect(net.bookFor('a').b).not.toBe(c.server('b').address);
    expect(new Set(net.nodes().flatMap((id) => Object.values(net.bookFor(id)))).size).toBe(6);

    const client = c.connect('a', 'b');
    client.write('hello');
    await waitFor(() => client.data.toString() === 'hello');
    expect(c.server('b').connections).toHaveLength(1);
    expect(net.linkCounters('a', 'b')).toMatchObject({
      sent: { bytes: 5 },
      delivered: { bytes: 5 },
      connections: { opened: 1, active: 1 },
    });
    expect(net.linkCounters('b', 'a')).toMatchObject({ sent: { bytes: 5 }, delivered: { bytes: 5 } });
  });
});

describe('TCP delay and bandwidth', () => {
  it('delays a→b bytes by at least the delay, keeps b→a fast', async () => {
    const c = await tcpCluster(closer, ['a', 'b']);
    c.net.delay('a', 'b', 80);
    const client = c.connect('a', 'b');
    await waitFor(() => client.connected);
    const t0 = performance.now();
    client.write('x');
    await waitFor(() => c.server('b').connections[0]?.data.length === 1);
    expect(performance.now() - t0).toBeGreaterThanOrEqual(78);

    const t1 = performance.now();
    c.server('b').connections[0]?.socket.write('y');
    await waitFor(() => client.data.length === 1);
    expect(performance.now() - t1).toBeLessThan(78);
  });

  it('property: any chunking through a delayed, jittery link arrives intact and in order', async () => {
    const c = await tcpCluster(closer, ['a', 'b']);
    c.net.delay('a', 'b', 1, 8);
    const server = c.server('b');
    await fc.assert(
      fc.asyncProperty(fc.array(fc.uint8Array({ minLength: 1, maxLength: 2000 }), { minLength: 1, maxLength: 25 }), async (chunks) => {
        const expected = Buffer.concat(chunks);
        const index = server.connections.length;
        const client = c.connect('a', 'b');
        for (const chunk of chunks) {
          client.write(chunk);
          await new Promise((resolve) => setImmediate(resolve));
        }
        await waitFor(() => (server.connections[index]?.data.length ?? 0) >= expected.length);
        expect(server.connections[index]?.data.equals(expected)).toBe(true);
        client.socket.destroy();
      }),
      { numRuns: 15, seed: 3 },
    );
  });

  it('bandwidth caps a transfer a→b; b→a stays uncapped', async () => {
    const c = await tcpCluster(closer, ['a', 'b']);
    c.net.bandwidth('a', 'b', 40_000);
    const client = c.connect('a', 'b');
    await waitFor(() => c.server('b').connections.length === 1);
    const t0 = performance.now();
    client.write(Buffer.alloc(20_000, 1));
    await waitFor(() => c.server('b').connections[0]?.data.length === 20_000, { timeoutMs: 10_000 });
    const capped = performance.now() - t0;
    expect(capped).toBeGreaterThanOrEqual(400); // 0.5 s at line rate

    const t1 = performance.now();
    c.server('b').connections[0]?.socket.write(Buffer.alloc(20_000, 2));
    await waitFor(() => client.data.length === 20_000);
    expect(performance.now() - t1).toBeLessThan(capped / 2);

    c.net.bandwidth('a', 'b', null);
    client.write(Buffer.alloc(200_000, 3));
    await waitFor(() => c.server('b').connections[0]?.data.length === 220_000);
  });
});

describe('TCP partitions', () => {
  it('partition holds bytes (connections stay open), holds new connections, and heal releases in order', async () => {
    const c = await tcpCluster(closer, ['a', 'b']);
    const { net } = c;
    const server = c.server('b');
    const client = c.connect('a', 'b');
    client.write('one,');
    await waitFor(() => server.connections[0]?.data.toString() === 'one,');
    const upstream = server.connections[0];

    net.partition(['a'], ['b']);
    client.write('two,');
    client.write('three');
    upstream?.socket.write('reply');
    await waitFor(() => net.linkCounters('a', 'b').held.bytes === 9 && net.linkCounters('b', 'a').held.bytes === 5);
    const late = c.connect('a', 'b');
    late.write('late');
    await waitFor(() => late.connected && net.linkCounters('a', 'b').held.bytes === 13);
    await net.quiescent({ timeoutMs: 2000 }); // held bytes do not count as in flight

    expect(upstream?.data.toString()).toBe('one,');
    expect(client.data.length).toBe(0);
    expect(server.connections).toHaveLength(1); // the late connection is not connected upstream
    expect([client.closed, late.closed, upstream?.closed]).toEqual([false, false, false]);
    expect(client.error ?? late.error).toBeNull();

    net.heal();
    await waitFor(() => upstream?.data.toString() === 'one,two,three' && client.data.toString() === 'reply');
    await waitFor(() => server.connections[1]?.data.toString() === 'late');
    expect(net.linkCounters('a', 'b')).toMatchObject({ held: { bytes: 0 }, sent: { bytes: 17 }, delivered: { bytes: 17 } });
  });

  it('oneWay(a, b) holds a→b bytes only, on a-initiated and b-initiated connections alike', async () => {
    const c = await tcpCluster(closer, ['a', 'b']);
    const { net } = c;
    const toB = c.connect('a', 'b'); // a's requests travel a→b
    const toA = c.connect('b', 'a'); // a's responses on this connection travel a→b
    await waitFor(() => c.server('b').connections.length === 1 && c.server('a').connections.length === 1);
    const atB = c.server('b').connections[0];
    const atA = c.server('a').connections[0];

    net.oneWay('a', 'b');
    toB.write('request-from-a');
    atB?.socket.write('response-from-b');
    toA.write('request-from-b');
    atA?.socket.write('response-from-a');
    await waitFor(() => toB.data.toString() === 'response-from-b' && atA?.data.toString() === 'request-from-b');
    await waitFor(() => net.linkCounters('a', 'b').held.bytes === 'request-from-a'.length + 'response-from-a'.length);
    expect(atB?.data.length).toBe(0);
    expect(toA.data.length).toBe(0);

    net.heal();
    await waitFor(() => atB?.data.toString() === 'request-from-a' && toA.data.toString() === 'response-from-a');
  });

  it('a cut that starts while bytes are delayed holds them when due; quiescent() ignores held bytes', async () => {
    const c = await tcpCluster(closer, ['a', 'b']);
    c.net.delay('a', 'b', 40);
    const client = c.connect('a', 'b');
    await waitFor(() => c.server('b').connections.length === 1);
    client.write('delayed');
    await waitFor(() => c.net.linkCounters('a', 'b').inFlight.bytes === 7);
    c.net.oneWay('a', 'b');
    await c.net.quiescent({ timeoutMs: 3000 });
    expect(c.net.linkCounters('a', 'b')).toMatchObject({
      held: { bytes: 7, messages: 1 },
      inFlight: { bytes: 0 },
      delivered: { bytes: 0 },
    });
    expect(c.server('b').connections[0]?.data.length).toBe(0);
    c.net.heal();
    await waitFor(() => c.server('b').connections[0]?.data.toString() === 'delayed');
  });

  it('isolate holds traffic to and from the node', async () => {
    const c = await tcpCluster(closer, ['a', 'b', 'c'], { echo: true });
    c.net.isolate('a');
    const fromA = c.connect('a', 'b');
    const bc = c.connect('b', 'c');
    fromA.write('x');
    bc.write('y');
    await waitFor(() => bc.data.toString() === 'y' && c.net.linkCounters('a', 'b').held.bytes === 1);
    // Held means held: nothing of a's write reached b (nor came back) before the heal.
    expect(c.server('b').connections.reduce((n, conn) => n + conn.data.length, 0)).toBe(0);
    expect(fromA.data.length).toBe(0);
    expect(c.net.linkCounters('a', 'b').delivered.bytes).toBe(0);
    c.net.heal();
    await waitFor(() => fromA.data.toString() === 'x');
  });
});

describe('TCP resets', () => {
  it('reset(a, b) gives the client ECONNRESET and resets the upstream too', async () => {
    const c = await tcpCluster(closer, ['a', 'b']);
    const client = c.connect('a', 'b');
    client.write('hi');
    await waitFor(() => c.server('b').connections[0]?.data.length === 2);
    expect(c.net.reset('a', 'b')).toBe(1);
    await waitFor(() => client.closed && (c.server('b').connections[0]?.closed ?? false));
    expect(client.error?.code).toBe('ECONNRESET');
    expect(c.server('b').connections[0]?.error?.code).toBe('ECONNRESET');
    await waitFor(() => c.net.linkCounters('a', 'b').connections.active === 0);
    expect(c.net.linkCounters('a', 'b').connections).toMatchObject({ opened: 1, reset: 1, failed: 0 });
  });

  it('a node that resets its side is seen as ECONNRESET by the client; a clean end is a clean end', async () => {
    const c = await tcpCluster(closer, ['a', 'b']);
    const crashing = c.connect('a', 'b');
    const polite = c.connect('a', 'b');
    await waitFor(() => c.server('b').connections.length === 2);
    const [first, second] = c.server('b').connections;
    first?.socket.resetAndDestroy();
    second?.socket.end('bye');
    await waitFor(() => crashing.closed && polite.ended);
    expect(crashing.error?.code).toBe('ECONNRESET');
    expect(polite.data.toString()).toBe('bye');
    expect(polite.error).toBeNull();
  });
});
