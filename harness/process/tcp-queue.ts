import { readFile } from 'node:fs/promises';

/**
 * Bytes waiting in the receive queue of the candidate's end of a TCP connection, read from /proc/net/tcp{,6}:
 * 0 means the candidate's process has read everything the kit sent. This turns "the broker has read the
 * half frame" from a guess (a sleep) into a condition. Undefined when the socket is not found (non-Linux,
 * another namespace): callers then fall back to a documented settle time.
 */
export async function candidateRxQueue(candidatePort: number, kitPort: number): Promise<number | undefined> {
  const local = candidatePort.toString(16).toUpperCase().padStart(4, '0');
  const remote = kitPort.toString(16).toUpperCase().padStart(4, '0');
  for (const file of ['/proc/net/tcp', '/proc/net/tcp6']) {
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch {
      continue;
    }
    for (const row of text.split('\n')) {
      const cols = row.trim().split(/\s+/);
      const [, localAddress, remoteAddress, state, queues] = cols;
      if (!localAddress || !remoteAddress || !queues) continue;
      // state 01 = ESTABLISHED
      if (state !== '01' || !localAddress.endsWith(`:${local}`) || !remoteAddress.endsWith(`:${remote}`)) continue;
      const rx = queues.split(':')[1];
      if (rx !== undefined) return parseInt(rx, 16);
    }
  }
  return undefined;
}
