import net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { createRandom } from '../common/random.ts';
import { ClusterNetwork } from './cluster-network.ts';
import { tcpCluster } from './test-cluster.ts';
import { Closer, freeTcpPort, splitAddress, TcpClient, TcpServer } from './test-support.ts';
import { waitUntil as waitFor } from '../common/wait.ts';

const closer = new Closer();
afterEach(() => closer.closeAll());

async function canListenOn(port: number): Promise<boolean> {
  const server = net.createServer();
  return new Promise((resolve) => {
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

describe('TCP node lifecycle', () => {
  it('accepts nodes before they listen: a refused upstream resets the client and is counted; later it works', async () => {
    const network = await ClusterNetwork.create({ seed: 1, transport: 'tcp' });
    closer.add(() => network.close());
    const a = await TcpServer.open(closer);
    const port = await freeTcpPort();
    await network.addNode('a', a.address);
    await network.addNode('b', `127.0.0.1:${port}`);

    const early = TcpClient.connect(closer, network.endpoint('a', 'b'));
    early.write('anyone?');
    await waitFor(() => early.closed);
    expect(early.error?.code).toBe('ECONNRESET');
    await waitFor(() => network.linkCounters('a', 'b').connections.active === 0);
    expect(network.linkCounters('a', 'b')).toMatchObject({ connections: { opened: 1, failed: 1 }, dropped: { bytes: 7 } });

    const b = await TcpServer.open(closer, { echo: true, port });
    const later = TcpClient.connect(closer, network.endpoint('a', 'b'));
    later.write('now');
    await waitFor(() => later.data.toString() === 'now');
    expect(b.connections).toHaveLength(1);
  });

  it('forwards half-close in order behind delayed bytes, and a client reset to the upstream', async () => {
    const c = await tcpCluster(closer, ['a', 'b']);
    c.net.delay('a', 'b', 30);
    const client = c.connect('a', 'b');
    client.socket.end('last words');
    await waitFor(() => c.server('b').connections[0]?.ended === true);
    expect(c.server('b').connections[0]?.data.toString()).toBe('last words');

    const rude = c.connect('a', 'b');
    await waitFor(() => c.server('b').connections.length === 2);
    rude.socket.resetAndDestroy();
    await waitFor(() => c.server('b').connections[1]?.closed === true);
    expect(c.server('b').connections[1]?.error?.code).toBe('ECONNRESET');
  });

  it('quiescent() resolves once delayed bytes are delivered', async () => {
    const c = await tcpCluster(closer, ['a', 'b']);
    c.net.delay('a', 'b', 60);
    const client = c.connect('a', 'b');
    await waitFor(() => c.server('b').connections.length === 1);
    client.write('abc');
    await waitFor(() => c.net.linkCounters('a', 'b').sent.bytes === 3);
    expect(c.net.linkCounters('a', 'b').inFlight.bytes).toBe(3);
    await c.net.quiescent({ timeoutMs: 3000 });
    expect(c.net.linkCounters('a', 'b')).toMatchObject({ delivered: { bytes: 3, messages: 1 }, inFlight: { bytes: 0 } });
    await waitFor(() => c.server('b').connections[0]?.data.toString() === 'abc');
  });

  it('survives a reconnect storm with garbage bytes and crashing upstream connections', async () => {
    const c = await tcpCluster(closer, ['a', 'b'], { echo: true });
    const random = createRandom(5).fork('storm');
    c.net.delay('a', 'b', 0, 3);
    const clients: TcpClient[] = [];
    for (let i = 0; i < 40; i++) {
      const client = c.connect('a', 'b');
      const garbage = Buffer.from(Array.from({ length: random.int(1, 3000) }, () => random.int(0, 255)));
      client.write(garbage);
      if (random.chance(0.3)) client.socket.resetAndDestroy();
      else if (random.chance(0.5)) client.socket.end();
      clients.push(client);
    }
    await waitFor(() => c.server('b').connections.length >= 20);
    for (const conn of c.server('b').connections.slice(0, 5)) conn.socket.resetAndDestroy();
    for (const client of clients) client.socket.destroy();
    await waitFor(() => c.net.linkCounters('a', 'b').connections.active === 0, { what: 'all splices closed' });
    await c.net.quiescent({ timeoutMs: 3000 });

    const fine = c.connect('a', 'b');
    fine.write('still alive');
    await waitFor(() => fine.data.toString() === 'still alive');
    const totals = c.net.totals();
    for (const t of c.net.counters()) {
      expect(t.sent.bytes).toBe(t.delivered.bytes + t.dropped.bytes + t.held.bytes + t.inFlight.bytes);
    }
    expect(totals.connections.opened).toBe(41);
  });

  it('close() destroys spliced connections, frees every endpoint port, and is idempotent', async () => {
    const c = await tcpCluster(closer, ['a', 'b', 'c'], { echo: true });
    const client = c.connect('a', 'b');
    client.write('x');
    await waitFor(() => client.data.length === 1);
    c.net.partition(['a'], ['c']);
    const held = c.connect('a', 'c');
    held.write('y');
    await waitFor(() => c.net.linkCounters('a', 'c').held.bytes === 1);
    const ports = c.net.nodes().flatMap((id) => Object.values(c.net.bookFor(id)).map((addr) => splitAddress(addr)[1]));

    await Promise.all([c.net.close(), c.net.close()]);
    await c.net.close();
    await waitFor(() => client.closed && held.closed);
    for (const port of ports) expect(await canListenOn(port)).toBe(true);
  });
});
