/**
 * Data nodes in one process over real loopback TCP: catch-up, divergence after a failover (the follower
 * drops only entries the new leader never had), and refusal to follow a stale leader.
 */
import type { Server } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { memoryLogger } from '../log.ts';
import type { HostPort } from '../net/address.ts';
import { waitFor } from '../testing/processes.ts';
import { DataNode } from './data-node.ts';
import { startPeerServer } from './peer-server.ts';

interface TestNode {
  node: DataNode;
  logger: ReturnType<typeof memoryLogger>;
  server: Server;
}

const open: TestNode[] = [];

afterEach(() => {
  for (const t of open.splice(0)) {
    t.node.close();
    t.server.close();
  }
});

/** Starts data nodes whose books point straight at each other (plus `ghost`, a port nobody listens on). */
async function cluster(ids: string[]): Promise<Record<string, TestNode>> {
  const book = new Map<string, HostPort>();
  const nodes: Record<string, TestNode> = {};
  for (const id of ids) {
    const logger = memoryLogger();
    const node = new DataNode({ id, book, logger, writeTimeoutMs: 2_000, peerTimeoutMs: 500, heartbeatMs: 50 });
    const server = await startPeerServer(node, { host: '127.0.0.1', port: 0 }, logger);
    const address = server.address();
    book.set(id, { host: '127.0.0.1', port: typeof address === 'object' && address ? address.port : 0 });
    nodes[id] = { node, logger, server };
    open.push(nodes[id]);
  }
  book.set('ghost', { host: '127.0.0.1', port: 9 });
  return nodes;
}

const until = (what: string, cond: () => boolean) => waitFor(what, async () => (cond() ? true : undefined), 5_000, 10);
const strip = (n: DataNode) => n.dump().entries.map(({ lsn, key, value }) => ({ lsn, key, value }));

describe('replication between data nodes', () => {
  it('a follower catches up from its applied LSN and writes wait for the sync follower', async () => {
    const { n0, n1, n2 } = await cluster(['n0', 'n1', 'n2']);
    if (!n0 || !n1 || !n2) throw new Error('setup');
    n0.node.start('leader', 'n0', ['n1'], 1);
    n1.node.start('follower', 'n0', [], 0);
    for (let i = 1; i <= 5; i++) expect(await n0.node.write('k', `v${i}`)).toBe(i);
    expect(n1.node.log.end).toBe(5); // acknowledged ⇒ applied on the sync follower
    n2.node.start('follower', 'n0', [], 0); // joins late: streamed from LSN 1
    await until('n2 caught up', () => n2.node.log.end === 5);
    expect(strip(n2.node)).toEqual(strip(n0.node));
  });

  it('after failover a follower drops only the unacknowledged entries the new leader lacks', async () => {
    const { n0, n1, n2 } = await cluster(['n0', 'n1', 'n2']);
    if (!n0 || !n1 || !n2) throw new Error('setup');
    n0.node.start('leader', 'n0', [], 0);
    n1.node.start('follower', 'n0', [], 0);
    n2.node.start('follower', 'n0', [], 0);
    await n0.node.write('a', '1');
    await n0.node.write('b', '1');
    await until('both at 2', () => n1.node.log.end === 2 && n2.node.log.end === 2);
    n1.node.follow('ghost'); // n1 is cut off from n0
    await n0.node.write('a', 'lost-1');
    await n0.node.write('c', 'lost-2');
    await until('n2 at 4', () => n2.node.log.end === 4);

    n1.node.promote([], undefined);
    await n1.node.write('a', 'new');
    n2.node.follow('n1');
    await until('n2 converged on n1', () => n2.node.log.end === 3 && n2.node.log.entry(3)?.by === 'n1');
    expect(strip(n2.node)).toEqual(strip(n1.node));
    expect(n2.node.read('a')).toMatchObject({ value: 'new', lsn: 3 });
    expect(n2.node.read('c').value).toBeNull();
    expect(n2.logger.events.find((e) => e['event'] === 'rewind')).toMatchObject({ from: 4, to: 2, dropped: 2 });
  });

  it('refuses to rewind a follower onto a stale leader', async () => {
    const { n0, n1, n2 } = await cluster(['n0', 'n1', 'n2']);
    if (!n0 || !n1 || !n2) throw new Error('setup');
    n0.node.start('leader', 'n0', [], 0);
    n1.node.start('follower', 'n0', [], 0);
    await n0.node.write('a', '1');
    await until('n1 at 1', () => n1.node.log.end === 1);
    n1.node.promote([], undefined); // term 2, while n0 still believes it leads term 1
    await n1.node.write('a', '2');
    n2.node.start('follower', 'n1', [], 0);
    await until('n2 at 2', () => n2.node.log.end === 2);
    n2.node.follow('n0');
    await until('refused', () => n2.logger.events.some((e) => e['event'] === 'refused' && e['code'] === 'STALE_LEADER'));
    expect(n2.node.log.end).toBe(2);
    expect(n2.node.read('a').value).toBe('2');
  });

  it('demoting a leader fails its waiting writes as NOT_LEADER (outcome unknown)', async () => {
    const { n0 } = await cluster(['n0', 'n1']);
    if (!n0) throw new Error('setup');
    n0.node.start('leader', 'n0', ['n1'], 1);
    const pending = n0.node.write('k', 'v');
    n0.node.follow('n1');
    await expect(pending).rejects.toMatchObject({ code: 'NOT_LEADER', details: { lsn: 1 } });
  });
});
