/**
 * Test helpers shared by the load tests (not part of the public API): a loopback TCP server that
 * decodes frames (optionally echoing them after a delay), and client sockets to it.
 */
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { nowUs } from './clock.ts';
import { FrameDecoder, encodeFrame } from '../wire/frame.ts';

export interface ReceivedFrame {
  readonly payload: Buffer;
  readonly receivedUs: number;
}

export interface FrameServer {
  readonly port: number;
  /** Frames received per accepted connection (keyed by the client's port, as a broker would log it), in accept order. */
  readonly connections: { readonly remotePort: number; readonly frames: ReceivedFrame[] }[];
  readonly received: () => number;
  close(): Promise<void>;
}

/** A loopback server decoding frames; with `echoDelayMs`, echoes each frame back that much later. */
export async function startFrameServer(options: { echoDelayMs?: number } = {}): Promise<FrameServer> {
  const connections: { remotePort: number; frames: ReceivedFrame[] }[] = [];
  const sockets = new Set<net.Socket>();
  const timers = new Set<NodeJS.Timeout>();
  let received = 0;
  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => undefined);
    const frames: ReceivedFrame[] = [];
    connections.push({ remotePort: socket.remotePort ?? -1, frames });
    const decoder = new FrameDecoder();
    socket.on('data', (chunk) => {
      const at = nowUs();
      for (const payload of decoder.push(chunk)) {
        received++;
        frames.push({ payload, receivedUs: at });
        if (options.echoDelayMs !== undefined) {
          const timer = setTimeout(() => {
            timers.delete(timer);
            if (!socket.destroyed) socket.write(encodeFrame(payload));
          }, options.echoDelayMs);
          timers.add(timer);
        }
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    connections,
    received: () => received,
    close: async () => {
      for (const timer of timers) clearTimeout(timer);
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** `n` connected client sockets (connected sequentially, so server-side order matches). */
export async function connectClients(port: number, n: number): Promise<net.Socket[]> {
  const out: net.Socket[] = [];
  for (let i = 0; i < n; i++) {
    const socket = net.connect(port, '127.0.0.1');
    socket.setNoDelay(true);
    await new Promise<void>((resolve, reject) => socket.once('connect', resolve).once('error', reject));
    out.push(socket);
  }
  return out;
}

export async function closeClients(sockets: readonly net.Socket[]): Promise<void> {
  await Promise.all(
    sockets.map(
      (socket) =>
        new Promise<void>((resolve) => {
          if (socket.destroyed) return resolve();
          socket.once('close', () => resolve());
          socket.destroy();
        }),
    ),
  );
}
