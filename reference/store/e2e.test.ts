/**
 * End to end: leader n0, sync follower n1, async follower n2 and the router as real processes over real
 * sockets. The followers reach n0 through HoldRelays (the kit's black hole, in miniature), so the tests
 * can stall exactly one replication path and observe the anomalies deterministically.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HoldRelay } from './testing/relay.ts';
import { freePorts, type HttpAnswer, httpJson, type StoreProcess, startStoreProcess, waitFor } from './testing/processes.ts';

const HOST = '127.0.0.1';
const WRITE_TIMEOUT_MS = 1_500;

let procs: Record<'n0' | 'n1' | 'n2' | 'router', StoreProcess>;
let relays: { n1ToN0: HoldRelay; n2ToN0: HoldRelay };
let http: Record<'n0' | 'n1' | 'n2' | 'router', string>;
const acknowledged: Array<{ lsn: number; key: string; value: string }> = [];

const get = (node: keyof typeof http, path: string): Promise<HttpAnswer> => httpJson('GET', `${http[node]}${path}`);
const post = (node: keyof typeof http, path: string, body?: unknown, raw?: string): Promise<HttpAnswer> =>
  httpJson('POST', `${http[node]}${path}`, body, raw);
const read = (query: Record<string, string>): Promise<HttpAnswer> => get('router', `/read?${new URLSearchParams(query).toString()}`);

async function write(key: string, value: string, session?: string): Promise<number> {
  const answer = await post('router', '/write', session === undefined ? { key, value } : { key, value, session });
  expect(answer.status, JSON.stringify(answer.body)).toBe(200);
  const lsn = answer.body['lsn'] as number;
  acknowledged.push({ lsn, key, value });
  return lsn;
}

async function applied(node: 'n0' | 'n1' | 'n2'): Promise<number> {
  return (await get(node, '/status')).body['appliedLsn'] as number;
}

const reachedLsn = (node: 'n0' | 'n1' | 'n2', lsn: number) => async () => ((await applied(node)) >= lsn ? true : undefined);

beforeAll(async () => {
  const [l0, h0, l1, h1, l2, h2, hr] = await freePorts(7);
  const real = { n0: `${HOST}:${l0}`, n1: `${HOST}:${l1}`, n2: `${HOST}:${l2}` };
  relays = {
    n1ToN0: await HoldRelay.start({ host: HOST, port: l0 ?? 0 }),
    n2ToN0: await HoldRelay.start({ host: HOST, port: l0 ?? 0 }),
  };
  http = { n0: `http://${HOST}:${h0}`, n1: `http://${HOST}:${h1}`, n2: `http://${HOST}:${h2}`, router: `http://${HOST}:${hr}` };
  const common = {
    MERIDIAN_LEADER: 'n0',
    MERIDIAN_SYNC: 'n1',
    MERIDIAN_QUORUM: '1',
    MERIDIAN_FOLLOWERS: 'n1,n2',
    MERIDIAN_WRITE_TIMEOUT_MS: String(WRITE_TIMEOUT_MS),
    MERIDIAN_PEER_TIMEOUT_MS: '1000',
    MERIDIAN_HEARTBEAT_MS: '100',
    MERIDIAN_READ_TIMEOUT_MS: '1000',
    MERIDIAN_POLL_MS: '50',
  };
  const node = (id: 'n0' | 'n1' | 'n2', role: string, listen: string, httpAddr: string, peers: string): StoreProcess =>
    startStoreProcess(id, {
      ...common,
      MERIDIAN_NODE_ID: id,
      MERIDIAN_ROLE: role,
      MERIDIAN_LISTEN: listen,
      MERIDIAN_HTTP: httpAddr,
      MERIDIAN_PEERS: peers,
    });
  procs = {
    n0: node('n0', 'leader', real.n0, `${HOST}:${h0}`, `n1=${real.n1},n2=${real.n2}`),
    n1: node('n1', 'follower', real.n1, `${HOST}:${h1}`, `n0=${relays.n1ToN0.address},n2=${real.n2}`),
    n2: node('n2', 'follower', real.n2, `${HOST}:${h2}`, `n0=${relays.n2ToN0.address},n1=${real.n1}`),
    router: startStoreProcess('router', {
      ...common,
      MERIDIAN_NODE_ID: 'router',
      MERIDIAN_ROLE: 'router',
      MERIDIAN_HTTP: `${HOST}:${hr}`,
      MERIDIAN_PEERS: `n0=${real.n0},n1=${real.n1},n2=${real.n2}`,
    }),
  };
  for (const id of ['n0', 'n1', 'n2', 'router'] as const) {
    await waitFor(`${id} ready`, async () => ((await get(id, '/status')).status === 200 ? true : undefined), 20_000);
  }
  // Both followers subscribed to the leader.
  await waitFor('followers connected', async () => {
    const status = (await get('n0', '/status')).body;
    return (status['connected'] as string[]).length === 2 ? true : undefined;
  });
}, 40_000);

afterAll(async () => {
  for (const p of Object.values(procs ?? {})) p.kill();
  if (relays) await Promise.all(Object.values(relays).map((r) => r.close()));
});

describe('reference store, end to end', () => {
  it('acknowledges a write only after the sync follower applied it; every mode reads it', async () => {
    const lsn = await write('MSS-23/state', 'active', 's1');
    expect(lsn).toBe(1);
    expect(await applied('n1')).toBeGreaterThanOrEqual(lsn); // sync rule
    for (const mode of ['Leader', 'SessionConsistent', 'BestEffortFresh']) {
      const r = await read({ key: 'MSS-23/state', mode, session: 's1' });
      expect(r.status, JSON.stringify(r.body)).toBe(200);
      expect(r.body).toMatchObject({ key: 'MSS-23/state', value: 'active' });
      expect(r.body['lsn']).toBeGreaterThanOrEqual(lsn);
    }
    await waitFor('n2 caught up', reachedLsn('n2', lsn));
    const any = await read({ key: 'MSS-23/state', mode: 'AnyFollower', via: 'n2' });
    expect(any.body).toMatchObject({ value: 'active', servedBy: 'n2' });
    const absent = await read({ key: 'nothing-here', mode: 'Leader' });
    expect(absent.body).toMatchObject({ value: null, servedBy: 'n0' });
  });

  it('AnyFollower shows read-after-write and monotonic-read anomalies; SessionConsistent does not', async () => {
    relays.n2ToN0.hold(); // n2 stops hearing from the leader
    try {
      const lsn = await write('MSS-24/state', 'safe-mode', 's2');
      // Read-after-write violated by the naive mode…
      const stale = await read({ key: 'MSS-24/state', mode: 'AnyFollower', via: 'n2' });
      expect(stale.body).toMatchObject({ value: null, servedBy: 'n2' });
      expect(stale.body['lsn']).toBeLessThan(lsn);
      // …but not by the session guarantee, even when pointed at the stale follower.
      const session = await read({ key: 'MSS-24/state', mode: 'SessionConsistent', session: 's2', via: 'n2' });
      expect(session.body).toMatchObject({ value: 'safe-mode' });
      expect(session.body['servedBy']).not.toBe('n2');
      const token = await read({ key: 'MSS-24/state', mode: 'SessionConsistent', minLsn: String(lsn), via: 'n2' });
      expect(token.body['value']).toBe('safe-mode');
      const fresh = await read({ key: 'MSS-24/state', mode: 'BestEffortFresh', via: 'n2' });
      expect(fresh.body['value']).toBe('safe-mode');
      // Monotonic reads: n1 then n2 regresses under AnyFollower, never under SessionConsistent.
      const first = await read({ key: 'MSS-24/state', mode: 'AnyFollower', via: 'n1' });
      const second = await read({ key: 'MSS-24/state', mode: 'AnyFollower', via: 'n2' });
      expect(first.body['value']).toBe('safe-mode');
      expect(second.body['value']).toBeNull();
      const s3a = await read({ key: 'MSS-24/state', mode: 'SessionConsistent', session: 's3', via: 'n1' });
      const s3b = await read({ key: 'MSS-24/state', mode: 'SessionConsistent', session: 's3', via: 'n2' });
      expect(s3a.body).toMatchObject({ value: 'safe-mode', servedBy: 'n1' });
      expect(s3b.body['value']).toBe('safe-mode');
      expect(s3b.body['lsn']).toBeGreaterThanOrEqual(s3a.body['lsn'] as number);
    } finally {
      relays.n2ToN0.release();
    }
    const last = acknowledged.at(-1)?.lsn ?? 0;
    await waitFor('n2 caught up after release', reachedLsn('n2', last));
    const now = await read({ key: 'MSS-24/state', mode: 'SessionConsistent', session: 's2', via: 'n2' });
    expect(now.body).toMatchObject({ value: 'safe-mode', servedBy: 'n2' });
  });

  it('a write waits for the sync follower and answers WRITE_TIMEOUT (outcome unknown) when it cannot', async () => {
    relays.n1ToN0.hold();
    const started = Date.now();
    let answer: HttpAnswer;
    try {
      answer = await post('router', '/write', { key: 'MSS-25/state', value: 'maybe' });
    } finally {
      relays.n1ToN0.release();
    }
    expect(Date.now() - started).toBeGreaterThanOrEqual(WRITE_TIMEOUT_MS - 50);
    expect(answer.status).toBe(503);
    const error = answer.body['error'] as Record<string, unknown>;
    expect(error['code']).toBe('WRITE_TIMEOUT');
    expect(typeof error['lsn']).toBe('number');
    // Unknown, not failed: the entry stays in the leader's log and replicates once the link is back.
    await waitFor('timed-out write replicated', reachedLsn('n1', error['lsn'] as number));
    await write('MSS-25/state', 'certain');
  });

  it('lag on the sync path delays every write; lag on the async path delays none', async () => {
    relays.n1ToN0.delayReplies(300); // leader → sync follower bytes
    try {
      const started = Date.now();
      await write('MSS-27/state', 'slow-sync');
      expect(Date.now() - started).toBeGreaterThanOrEqual(290);
    } finally {
      relays.n1ToN0.delayReplies(0);
    }
    relays.n2ToN0.delayReplies(3_000); // leader → async follower bytes
    try {
      const started = Date.now();
      const lsn = await write('MSS-27/state', 'fast-anyway', 's5');
      expect(Date.now() - started).toBeLessThan(1_000);
      const lagging = await read({ key: 'MSS-27/state', mode: 'AnyFollower', via: 'n2' });
      expect(lagging.body['value']).not.toBe('fast-anyway');
      const session = await read({ key: 'MSS-27/state', mode: 'SessionConsistent', session: 's5', via: 'n2' });
      expect(session.body['value']).toBe('fast-anyway');
      expect(session.body['lsn']).toBeGreaterThanOrEqual(lsn);
    } finally {
      relays.n2ToN0.delayReplies(0);
    }
  });

  it('rejects bad requests with 4xx and a code naming the problem', async () => {
    const cases: Array<[Promise<HttpAnswer>, number, string]> = [
      [read({ key: 'k', mode: 'Sometimes' }), 400, 'UNKNOWN_MODE'],
      [read({ mode: 'Leader' }), 400, 'MISSING_KEY'],
      [read({ key: 'k' }), 400, 'MISSING_MODE'],
      [read({ key: 'k', mode: 'AnyFollower', via: 'n9' }), 400, 'UNKNOWN_NODE'],
      [read({ key: 'k', mode: 'AnyFollower', via: 'n0' }), 400, 'VIA_IS_LEADER'],
      [read({ key: 'k', mode: 'SessionConsistent' }), 400, 'MISSING_SESSION'],
      [read({ key: 'k', mode: 'SessionConsistent', minLsn: '-1' }), 400, 'INVALID_MIN_LSN'],
      [post('router', '/write', undefined, '{"key": '), 400, 'MALFORMED_JSON'],
      [post('router', '/write', { key: '', value: 'v' }), 400, 'INVALID_KEY'],
      [post('router', '/write', { key: 'k', value: 7 }), 400, 'INVALID_VALUE'],
      [post('router', '/write', [1, 2]), 400, 'INVALID_BODY'],
      [post('router', '/admin/leader', { id: 'n9' }), 400, 'UNKNOWN_NODE'],
      [get('router', '/nope'), 404, 'NOT_FOUND'],
      [get('router', '/write'), 405, 'METHOD_NOT_ALLOWED'],
      [post('n2', '/promote', { sync: ['n1'], quorum: 2 }), 400, 'INVALID_QUORUM'],
      [post('n2', '/follow', { leader: 'n9' }), 400, 'UNKNOWN_NODE'],
      [post('n2', '/write', { key: 'k', value: 'v' }), 503, 'NOT_LEADER'],
    ];
    for (const [pending, status, code] of cases) {
      const answer = await pending;
      const error = answer.body['error'] as Record<string, unknown> | undefined;
      expect({ status: answer.status, code: error?.['code'] }).toEqual({ status, code });
      expect(String(error?.['message'] ?? '').length).toBeGreaterThan(5);
    }
  });

  it('after the leader is killed, the promoted sync follower holds every acknowledged write and the async one catches up', async () => {
    relays.n2ToN0.hold(); // partition leader ↔ async follower
    for (let i = 0; i < 20; i++) await write(`sat-${i % 4}/pos`, `p${i}`, 's4');
    const maxAcked = Math.max(...acknowledged.map((a) => a.lsn));
    expect(await applied('n2')).toBeLessThan(maxAcked);
    procs.n0.kill();

    const promoted = await post('n1', '/promote', {});
    expect(promoted.status).toBe(200);
    expect(promoted.body).toMatchObject({ role: 'leader', leader: 'n1' });
    expect(promoted.body['appliedLsn']).toBeGreaterThanOrEqual(maxAcked);
    expect((await post('router', '/admin/leader', { id: 'n1' })).body).toMatchObject({ leader: 'n1' });
    expect((await post('n2', '/follow', { leader: 'n1' })).status).toBe(200);

    const after = await write('MSS-26/state', 'after-failover', 's4');
    expect(after).toBeGreaterThan(maxAcked);
    const target = await applied('n1');
    await waitFor('n2 caught up with the new leader', reachedLsn('n2', target));

    const dumpN1 = (await get('n1', '/dump')).body as { appliedLsn: number; entries: Array<{ lsn: number; key: string; value: string }> };
    const dumpN2 = (await get('n2', '/dump')).body as typeof dumpN1;
    for (const a of acknowledged) expect(dumpN1.entries[a.lsn - 1]).toMatchObject(a);
    expect(dumpN1.entries.map((e) => e.lsn)).toEqual(dumpN1.entries.map((_, i) => i + 1));
    const strip = (d: typeof dumpN1) => d.entries.map(({ lsn, key, value }) => ({ lsn, key, value }));
    expect(strip(dumpN2)).toEqual(strip(dumpN1).slice(0, dumpN2.appliedLsn));

    const r = await read({ key: 'MSS-26/state', mode: 'SessionConsistent', session: 's4' });
    expect(r.body).toMatchObject({ value: 'after-failover' });
    expect((await read({ key: 'MSS-26/state', mode: 'Leader' })).body).toMatchObject({ value: 'after-failover', servedBy: 'n1' });
    expect(procs.n1.lines.some((l) => l['event'] === 'role' && l['role'] === 'leader')).toBe(true);
    relays.n2ToN0.release();
  });
});
