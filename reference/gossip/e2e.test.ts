/**
 * End to end: real processes, real UDP, HTTP control. One process hosts n0..n4 (nodes file), another
 * hosts n5 alone (single-node env). Address books point straight at the real listen addresses (no kit
 * network in between).
 */
import { afterAll, describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { createServer } from 'node:net';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const HERE = dirname(fileURLToPath(import.meta.url));
const children: ChildProcess[] = [];
const dirs: string[] = [];

afterAll(() => {
  for (const c of children) {
    if (c.pid !== undefined && c.exitCode === null) {
      try {
        process.kill(-c.pid, 'SIGKILL');
      } catch {
        /* already gone */
      }
    }
  }
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

async function udpPorts(n: number): Promise<number[]> {
  const socks = await Promise.all(
    Array.from(
      { length: n },
      () =>
        new Promise<ReturnType<typeof createSocket>>((resolve) => {
          const s = createSocket('udp4');
          s.bind(0, '127.0.0.1', () => resolve(s));
        }),
    ),
  );
  const ports = socks.map((s) => s.address().port);
  await Promise.all(socks.map((s) => new Promise<void>((resolve) => s.close(() => resolve()))));
  return ports;
}

async function tcpPort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((resolve) => srv.listen(0, '127.0.0.1', resolve));
  const port = (srv.address() as { port: number }).port;
  await new Promise<void>((resolve) => srv.close(() => resolve()));
  return port;
}

function launch(env: Record<string, string>): { child: ChildProcess; output: () => string } {
  let out = '';
  const child = spawn(process.execPath, ['--import', 'tsx', 'main.ts'], {
    cwd: HERE,
    env: { ...process.env, ...env },
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (out += d.toString()));
  children.push(child);
  return { child, output: () => out };
}

async function until<T>(what: string, fn: () => Promise<T | undefined>, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await fn();
      if (v !== undefined) return v;
    } catch (error) {
      last = error;
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}${last ? `: ${String(last)}` : ''}`);
    await new Promise((r) => setTimeout(r, 15));
  }
}

// biome-ignore lint/suspicious/noExplicitAny: the test reads the reference's JSON answers loosely, field by field
async function call(base: string, method: string, path: string, body?: unknown): Promise<{ status: number; json: any }> {
  const res = await fetch(`${base}${path}`, {
    method,
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
    signal: AbortSignal.timeout(5000),
  });
  return { status: res.status, json: await res.json() };
}

interface View {
  id: string;
  round: number;
  members: { id: string; status: string; generation: number; meta?: string }[];
}

describe('end to end over UDP', () => {
  it('round-driven: 5 nodes in one process + 1 in another converge on an update', async () => {
    const ids = ['n0', 'n1', 'n2', 'n3', 'n4', 'n5'];
    const ports = await udpPorts(ids.length);
    const addr = (i: number) => `127.0.0.1:${ports[i]}`;
    const book = (self: number) => Object.fromEntries(ids.map((id, i) => [id, addr(i)]).filter(([,], i) => i !== self));
    const dir = mkdtempSync(join(tmpdir(), 'gossip-e2e-'));
    dirs.push(dir);
    const nodesFile = join(dir, 'nodes.json');
    writeFileSync(nodesFile, JSON.stringify(ids.slice(0, 5).map((id, i) => ({ id, listen: addr(i), peers: book(i) }))));
    const [httpA, httpB] = [await tcpPort(), await tcpPort()];
    const A = `http://127.0.0.1:${httpA}`;
    const B = `http://127.0.0.1:${httpB}`;
    const common = { GOSSIP_MODE: 'round', GOSSIP_SEED: '7', GOSSIP_SUSPICION_ROUNDS: '6' };
    const pa = launch({ ...common, MERIDIAN_HTTP: `127.0.0.1:${httpA}`, MERIDIAN_NODES_FILE: nodesFile });
    const peersB = Object.entries(book(5))
      .map(([id, a]) => `${id}=${a}`)
      .join(',');
    const pb = launch({
      ...common,
      MERIDIAN_HTTP: `127.0.0.1:${httpB}`,
      MERIDIAN_NODE_ID: 'n5',
      MERIDIAN_LISTEN: addr(5),
      MERIDIAN_PEERS: peersB,
      MERIDIAN_NODES_FILE: '',
    });
    try {
      await until(
        'both processes ready',
        async () =>
          (await call(A, 'GET', '/health')).status === 200 && (await call(B, 'GET', '/health')).status === 200 ? true : undefined,
        20_000,
      );
      expect((await call(A, 'GET', '/nodes')).json).toEqual({ nodes: ids.slice(0, 5) });

      const upd = await call(B, 'POST', '/nodes/n5/state', { meta: 'load=0.42' });
      expect(upd).toEqual({ status: 200, json: { id: 'n5', status: 'alive', generation: 1, meta: 'load=0.42' } });

      const where = (id: string) => (id === 'n5' ? B : A);
      const stats = async () => Promise.all(ids.map(async (id) => (await call(where(id), 'GET', `/nodes/${id}/stats`)).json));
      const quiet = () =>
        until(
          'the network to go quiet',
          async () => {
            const s = await stats();
            const sent = s.reduce((a, x) => a + x.sent.messages, 0);
            const received = s.reduce((a, x) => a + x.received.messages, 0);
            return sent === received ? true : undefined;
          },
          5000,
        );
      const aware = async () => {
        const views: View[] = [
          ...((await call(A, 'GET', '/views')).json.nodes as View[]),
          (await call(B, 'GET', '/nodes/n5/view')).json as View,
        ];
        return views.filter((v) => v.members.some((m) => m.id === 'n5' && m.generation === 1 && m.meta === 'load=0.42')).length;
      };

      const perRound = [await aware()];
      for (let r = 1; r <= 5 && perRound.at(-1) !== 6; r++) {
        const [ta, tb] = await Promise.all([call(A, 'POST', '/tick'), call(B, 'POST', '/nodes/n5/tick')]);
        expect(ta.json.nodes.map((n: { round: number }) => n.round)).toEqual([r, r, r, r, r]);
        expect(tb.json).toMatchObject({ round: r });
        await quiet();
        perRound.push(await aware());
      }
      console.log(`[e2e] nodes aware of n5's update per round: ${perRound.join(' → ')}`);
      expect(perRound.at(-1)).toBe(6);

      const s = await stats();
      expect(s.every((x) => x.suspicions === 0 && x.errors.decode === 0)).toBe(true);
      expect(s.reduce((a, x) => a + x.probes.directOk, 0)).toBeGreaterThan(0);

      // Divergent views → one push-pull over HTTP → both hold the higher generation.
      await call(A, 'POST', '/nodes/n1/debug/upsert', { id: 'n4', status: 'alive', generation: 3 });
      await call(B, 'POST', '/nodes/n5/debug/upsert', { id: 'n4', status: 'dead', generation: 5 });
      const pp = await call(A, 'POST', '/nodes/n1/pushpull', { peer: 'n5' });
      expect(pp).toMatchObject({ status: 200, json: { ok: true, peer: 'n5' } });
      const n4In = async (base: string, id: string) =>
        ((await call(base, 'GET', `/nodes/${id}/view`)).json as View).members.find((m) => m.id === 'n4');
      expect(await n4In(A, 'n1')).toEqual({ id: 'n4', status: 'dead', generation: 5 });
      expect(await n4In(B, 'n5')).toEqual({ id: 'n4', status: 'dead', generation: 5 });

      // A malformed datagram is counted (received and errors.decode) and dropped: the view does not change.
      const before = (await call(A, 'GET', '/nodes/n0/stats')).json;
      const viewBefore = (await call(A, 'GET', '/nodes/n0/view')).json as View;
      const junk = createSocket('udp4');
      await new Promise<void>((resolve) =>
        junk.send(Buffer.from([0x83, 0x09, 0xff, 0x00]), ports[0] as number, '127.0.0.1', () => resolve()),
      );
      junk.close();
      const after = await until(
        'n0 to count the malformed datagram',
        async () => {
          const st = (await call(A, 'GET', '/nodes/n0/stats')).json;
          return st.errors.decode === before.errors.decode + 1 ? st : undefined;
        },
        5000,
      );
      expect(after.received.messages).toBe(before.received.messages + 1);
      expect(after.sent.messages).toBe(before.sent.messages);
      expect(((await call(A, 'GET', '/nodes/n0/view')).json as View).members).toEqual(viewBefore.members);

      // Errors are JSON with a stable code.
      expect(await call(A, 'GET', '/nodes/n9/view')).toMatchObject({ status: 404, json: { error: { code: 'unknown-node' } } });
      expect(await call(A, 'POST', '/nodes/n0/state', { status: 'zombie' })).toMatchObject({
        status: 400,
        json: { error: { code: 'bad-request' } },
      });
      expect(await call(A, 'POST', '/nodes/n0/pushpull', { peer: 'nobody' })).toMatchObject({
        status: 400,
        json: { error: { code: 'unknown-peer' } },
      });
    } catch (error) {
      console.log(pa.output(), pb.output());
      throw error;
    }
  });

  it('free-running: timers drive rounds, an update spreads without ticks', async () => {
    const ids = ['f0', 'f1', 'f2'];
    const ports = await udpPorts(ids.length);
    const dir = mkdtempSync(join(tmpdir(), 'gossip-e2e-'));
    dirs.push(dir);
    const nodesFile = join(dir, 'nodes.json');
    writeFileSync(
      nodesFile,
      JSON.stringify(
        ids.map((id, i) => ({
          id,
          listen: `127.0.0.1:${ports[i]}`,
          peers: Object.fromEntries(ids.map((p, j) => [p, `127.0.0.1:${ports[j]}`]).filter(([p]) => p !== id)),
        })),
      ),
    );
    const http = await tcpPort();
    const base = `http://127.0.0.1:${http}`;
    const p = launch({
      MERIDIAN_HTTP: `127.0.0.1:${http}`,
      MERIDIAN_NODES_FILE: nodesFile,
      GOSSIP_MODE: 'free',
      GOSSIP_PERIOD_MS: '40',
      GOSSIP_PROBE_TIMEOUT_MS: '20',
      GOSSIP_SEED: '3',
    });
    try {
      await until('process ready', async () => ((await call(base, 'GET', '/health')).status === 200 ? true : undefined), 20_000);
      expect(await call(base, 'POST', '/nodes/f0/tick')).toMatchObject({ status: 409, json: { error: { code: 'wrong-mode' } } });
      await call(base, 'POST', '/nodes/f0/state', { meta: 'hello' });
      await until(
        'all views to hold f0@1',
        async () => {
          const views = (await call(base, 'GET', '/views')).json.nodes as View[];
          return views.every((v) => v.members.some((m) => m.id === 'f0' && m.generation === 1)) ? true : undefined;
        },
        5000,
      );
      const view = (await call(base, 'GET', '/nodes/f2/view')).json as View;
      expect(view.round).toBeGreaterThan(0);
      expect(view.members.every((m) => m.status === 'alive')).toBe(true);
    } catch (error) {
      console.log(p.output());
      throw error;
    }
  });
});
