import { establishedConnections } from '../../harness/process/tcp-queue.ts';
import type { Station } from './station.ts';

/** Bytes still unread on the kit's connections to the broker: the candidate's receive queues plus the kit's send queues. */
async function unreadBytes(brokerPort: number, kitPorts: readonly number[]): Promise<number | undefined> {
  const rows = await establishedConnections();
  if (!rows) return undefined;
  const kit = new Set(kitPorts);
  let unread = 0;
  for (const c of rows) {
    if (c.localPort === brokerPort && kit.has(c.remotePort)) unread += c.rx;
    if (c.remotePort === brokerPort && kit.has(c.localPort)) unread += c.tx;
  }
  return unread;
}

export interface Consumption {
  /** Bytes the kit handed to the kernel on these connections. */
  written: number;
  /** Of those, bytes the candidate has read out of its sockets. */
  consumed: number;
  /** Undefined figures when /proc does not show the sockets. */
  visible: boolean;
}

/**
 * How many of the bytes the kit wrote the candidate actually consumed: written to the kernel minus what
 * still sits in the kit's send queue and in the candidate's receive queue. A broker that never reads has
 * consumed nothing however much the kit "sent". Call while the connections are open.
 */
export async function consumption(brokerPort: number, stations: readonly Station[]): Promise<Consumption> {
  const written = stations.reduce((sum, s) => sum + Math.max(0, s.socket.bytesWritten - s.socket.writableLength), 0);
  const unread = await unreadBytes(
    brokerPort,
    stations.map((s) => s.localPort),
  );
  if (unread === undefined) return { written, consumed: written, visible: false };
  return { written, consumed: Math.max(0, written - unread), visible: true };
}
