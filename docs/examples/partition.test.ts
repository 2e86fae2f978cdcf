/**
 * The example of docs/library.md, run by `npm test`: an engineer's own vitest test that puts their service
 * (here a tiny TCP echo server) behind the kit's fault network and checks how their client behaves when
 * the link is partitioned and healed.
 *
 * In your project the import is `from 'meridian-kit/network'`; inside the kit's clone it is the same module
 * by its path.
 */
import net from 'node:net';
import { once } from 'node:events';
import { afterEach, expect, test } from 'vitest';
import { ClusterNetwork } from '../../api/network.ts';

/** The service under test: echoes every byte back. */
async function startEchoServer(): Promise<net.Server> {
  const server = net.createServer((socket) => socket.pipe(socket));
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return server;
}

/** The client under test: one request, one reply, or an error after `timeoutMs`. */
function request(socket: net.Socket, text: string, timeoutMs: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      socket.off('data', onData);
      reject(new Error(`no reply within ${timeoutMs} ms`));
    }, timeoutMs);
    const onData = (chunk: Buffer): void => {
      clearTimeout(timer);
      resolve(chunk.toString());
    };
    socket.once('data', onData);
    socket.write(text);
  });
}

const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

test('the client times out while partitioned from the echo service and recovers on heal', async () => {
  const server = await startEchoServer();
  cleanups.push(() => new Promise((done) => server.close(done)));
  const { port } = server.address() as net.AddressInfo;

  // The kit's network between "client" and "echo": the client dials the kit's endpoint, never the server.
  const network = await ClusterNetwork.create({ seed: 42, transport: 'tcp' });
  cleanups.push(() => network.close());
  await network.addNode('client', '127.0.0.1:1'); // the client only dials out: its own address is never used
  await network.addNode('echo', `127.0.0.1:${port}`);
  const [host, endpointPort] = network.endpoint('client', 'echo').split(':');

  const socket = net.connect(Number(endpointPort), host);
  cleanups.push(() => socket.destroy());
  await once(socket, 'connect');
  expect(await request(socket, 'ping', 2_000)).toBe('ping');

  // Partition: bytes are held (a black hole, not a reset), so the client sees a timeout.
  network.partition(['client'], ['echo']);
  await expect(request(socket, 'during', 300)).rejects.toThrow('no reply within 300 ms');
  await expect.poll(() => network.linkCounters('client', 'echo').held.bytes, { timeout: 5_000 }).toBe('during'.length);
  expect(socket.destroyed).toBe(false);

  // Heal: the held request is delivered in order and its echo arrives.
  const late = new Promise<string>((resolve) => socket.once('data', (chunk: Buffer) => resolve(chunk.toString())));
  network.heal();
  expect(await late).toBe('during');
  expect(await request(socket, 'after', 2_000)).toBe('after');

  const counters = network.linkCounters('client', 'echo');
  expect(counters.delivered.bytes).toBe('ping'.length + 'during'.length + 'after'.length);
  expect(counters.held.bytes).toBe(0);
  expect(network.timeline.entries().map((e) => e.kind)).toEqual(expect.arrayContaining(['net.partition', 'net.heal']));
});
