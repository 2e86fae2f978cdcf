import { readFile } from 'node:fs/promises';

/** One established TCP connection as /proc/net/tcp{,6} shows it: ports and the bytes queued each way. */
export interface TcpConnection {
  localPort: number;
  remotePort: number;
  /** Bytes in this end's send queue. */
  tx: number;
  /** Bytes in this end's receive queue, not yet read by its process. */
  rx: number;
}

/**
 * Every ESTABLISHED connection of this network namespace, from /proc/net/tcp and tcp6. Undefined when
 * neither file can be read (not Linux): callers then say the figure is not visible.
 */
export async function establishedConnections(): Promise<TcpConnection[] | undefined> {
  const out: TcpConnection[] = [];
  let seen = false;
  for (const file of ['/proc/net/tcp', '/proc/net/tcp6']) {
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch {
      continue;
    }
    seen = true;
    for (const row of text.split('\n').slice(1)) {
      const [, local, remote, state, queues] = row.trim().split(/\s+/);
      // state 01 = ESTABLISHED
      if (!local || !remote || !queues || state !== '01') continue;
      const [tx, rx] = queues.split(':').map((h) => Number.parseInt(h, 16));
      const port = (address: string): number => Number.parseInt(address.slice(address.lastIndexOf(':') + 1), 16);
      out.push({ localPort: port(local), remotePort: port(remote), tx: tx ?? 0, rx: rx ?? 0 });
    }
  }
  return seen ? out : undefined;
}

/**
 * Bytes waiting in the receive queue of the candidate's end of a TCP connection: 0 means the candidate's
 * process has read everything the kit sent. This turns "the broker has read the half frame" from a guess (a
 * sleep) into a condition. Undefined when the socket is not found (non-Linux, another namespace): callers
 * then fall back to a documented settle time.
 */
export async function candidateRxQueue(candidatePort: number, kitPort: number): Promise<number | undefined> {
  const rows = await establishedConnections();
  return rows?.find((c) => c.localPort === candidatePort && c.remotePort === kitPort)?.rx;
}
