/**
 * A broker that is already running (`stress --target host:port`): the kit connects to it like any
 * station but does not start, sample or stop it, and reads no log — the service's log is its own.
 *
 * Latency then comes from the kit's own probes of the only thing it can see: how soon after each frame's
 * *scheduled* time the service's socket accepted the bytes (the pacer's send lag, waits for drain
 * included: a service that stops reading shows up as TCP backpressure and as latency here). It is a
 * lower bound on the service's end-to-end latency and says so in the output (`latencySource:
 * 'acceptance'`). `--min-delivered` cannot be checked without the service's events and is reported as
 * not measurable.
 *
 * @module
 */
import net from 'node:net';
import { KitError } from '../../common/errors.ts';
import { EventHub } from './target.ts';
import type { BrokerTarget } from './target.ts';

/** `host:port` or `[v6]:port` → parts. Throws `BAD_ARGUMENT`. */
export function parseTarget(text: string): { host: string; port: number } {
  const m = /^\s*(?:\[([^\]]+)\]|([^:\s]+)):(\d{1,5})\s*$/.exec(text);
  const port = Number(m?.[3]);
  if (!m || !(port >= 1 && port <= 65_535)) throw new KitError('BAD_ARGUMENT', `--target must be host:port, got "${text}"`);
  return { host: (m[1] ?? m[2]) as string, port };
}

/** Check that `host:port` accepts a connection (within `timeoutMs`, default 5000), then return it as a target. */
export async function connectRemoteTarget(host: string, port: number, timeoutMs = 5000): Promise<BrokerTarget> {
  await new Promise<void>((resolve, reject) => {
    const socket = net.connect({ host, port });
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new KitError('STRESS_CONNECT', `nothing accepted a connection on ${host}:${port} within ${timeoutMs} ms`));
    }, timeoutMs);
    socket.once('connect', () => {
      clearTimeout(timer);
      socket.destroy();
      resolve();
    });
    socket.once('error', (error) => {
      clearTimeout(timer);
      reject(new KitError('STRESS_CONNECT', `cannot connect to ${host}:${port}: ${error.message}`));
    });
  });
  return {
    host,
    port,
    events: new EventHub(),
    pid: undefined,
    running: true,
    logs: () => [],
    close: async () => undefined,
  };
}
