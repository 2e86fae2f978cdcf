import { readFile } from 'node:fs/promises';
import type { Station } from './station.ts';

/** Per connection: bytes still in the candidate's receive queue and in the kit's send queue (/proc/net/tcp). */
interface Queues {
  candidateRx: number;
  kitTx: number;
}

const hexPort = (port: number): string => port.toString(16).toUpperCase().padStart(4, '0');

async function tcpRows(): Promise<string[][] | undefined> {
  const rows: string[][] = [];
  let seen = false;
  for (const file of ['/proc/net/tcp', '/proc/net/tcp6']) {
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch {
      continue;
    }
    seen = true;
    for (const line of text.split('\n').slice(1)) rows.push(line.trim().split(/\s+/));
  }
  return seen ? rows : undefined;
}

async function queues(brokerPort: number, kitPorts: readonly number[]): Promise<Map<number, Queues> | undefined> {
  const rows = await tcpRows();
  if (!rows) return undefined;
  const out = new Map<number, Queues>(kitPorts.map((p) => [p, { candidateRx: 0, kitTx: 0 }]));
  const byHex = new Map(kitPorts.map((p) => [hexPort(p), p]));
  const broker = hexPort(brokerPort);
  for (const [, local, remote, state, txrx] of rows) {
    if (!local || !remote || !txrx || state !== '01') continue;
    const [tx, rx] = txrx.split(':').map((h) => parseInt(h, 16));
    const localPort = local.slice(local.lastIndexOf(':') + 1);
    const remotePort = remote.slice(remote.lastIndexOf(':') + 1);
    if (localPort === broker && byHex.has(remotePort)) (out.get(byHex.get(remotePort) as number) as Queues).candidateRx = rx ?? 0;
    if (remotePort === broker && byHex.has(localPort)) (out.get(byHex.get(localPort) as number) as Queues).kitTx = tx ?? 0;
  }
  return out;
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
  const q = await queues(
    brokerPort,
    stations.map((s) => s.localPort),
  );
  if (!q) return { written, consumed: written, visible: false };
  let unread = 0;
  for (const { candidateRx, kitTx } of q.values()) unread += candidateRx + kitTx;
  return { written, consumed: Math.max(0, written - unread), visible: true };
}
