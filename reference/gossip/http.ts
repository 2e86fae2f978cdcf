/**
 * HTTP/JSON control API of one process hosting one or more nodes. Node-scoped routes live under
 * /nodes/{id}/; process-scoped routes (/tick, /views, /nodes, /health) cover every hosted node.
 * Errors are `{"error":{"code","message"}}` with a 4xx/5xx status.
 */
import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { HostError } from './host.ts';
import type { NodeHost } from './host.ts';
import type { Member, MemberStatus } from './core/types.ts';

const STATUSES: readonly MemberStatus[] = ['alive', 'suspected', 'dead'];
const MAX_BODY = 64 * 1024;
const MAX_META = 1024;

async function readJson(req: IncomingMessage): Promise<Record<string, unknown>> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY) throw new HostError('bad-request', `body larger than ${MAX_BODY} bytes`, 413);
    chunks.push(chunk as Buffer);
  }
  const text = Buffer.concat(chunks).toString('utf8').trim();
  if (text === '') return {};
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch {
    throw new HostError('bad-request', 'body is not valid JSON');
  }
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new HostError('bad-request', 'body must be a JSON object');
  return v as Record<string, unknown>;
}

function status(v: unknown, field: string): MemberStatus {
  if (typeof v !== 'string' || !STATUSES.includes(v as MemberStatus))
    throw new HostError('bad-request', `${field} must be one of ${STATUSES.join(', ')}`);
  return v as MemberStatus;
}

function meta(v: unknown): string | undefined {
  if (v === undefined) return undefined;
  if (typeof v !== 'string' || v.length > MAX_META)
    throw new HostError('bad-request', `meta must be a string of at most ${MAX_META} characters`);
  return v;
}

function send(res: ServerResponse, code: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(code, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

export function createApi(nodes: readonly NodeHost[], opts: { pushPullTimeoutMs: number }): Server {
  const byId = new Map(nodes.map((n) => [n.id, n]));

  const tickAll = async () => {
    // Compute every hosted node's round first, then flush all their datagrams together.
    const rounds = nodes.map((n) => ({ n, fx: n.roundEffects() }));
    const sent = await Promise.all(rounds.map(({ n, fx }) => n.perform(fx)));
    return { nodes: rounds.map(({ n }, i) => ({ id: n.id, round: n.core.currentRound, sent: sent[i] ?? 0 })) };
  };

  const route = async (req: IncomingMessage): Promise<[number, unknown]> => {
    const url = new URL(req.url ?? '/', 'http://x');
    const parts = url.pathname
      .split('/')
      .filter((p) => p !== '')
      .map(decodeURIComponent);
    const method = req.method ?? 'GET';
    const allow = (m: string) => {
      if (method !== m) throw new HostError('method-not-allowed', `${url.pathname} accepts ${m} only`, 405);
    };

    if (parts.length === 1 && parts[0] === 'health') return (allow('GET'), [200, { ok: true, nodes: nodes.length }]);
    if (parts.length === 1 && parts[0] === 'nodes') return (allow('GET'), [200, { nodes: nodes.map((n) => n.id) }]);
    if (parts.length === 1 && parts[0] === 'views') return (allow('GET'), [200, { nodes: nodes.map((n) => n.view()) }]);
    if (parts.length === 1 && parts[0] === 'tick') {
      allow('POST');
      return [200, await tickAll()];
    }
    if (parts[0] !== 'nodes' || parts.length < 3) throw new HostError('not-found', `no route ${method} ${url.pathname}`, 404);

    const node = byId.get(parts[1] as string);
    if (node === undefined) throw new HostError('unknown-node', `this process hosts no node ${parts[1]}`, 404);
    const action = parts.slice(2).join('/');
    switch (action) {
      case 'view':
        allow('GET');
        return [200, node.view()];
      case 'stats':
        allow('GET');
        return [200, node.stats()];
      case 'tick':
        allow('POST');
        return [200, await node.tick()];
      case 'state': {
        allow('POST');
        const body = await readJson(req);
        const change: { status?: MemberStatus; meta?: string } = {};
        if (body.status !== undefined) {
          const st = status(body.status, 'status');
          if (st === 'suspected')
            throw new HostError('bad-request', 'a node sets its own status to alive or dead (leave), never suspected');
          change.status = st;
        }
        const m = meta(body.meta);
        if (m !== undefined) change.meta = m;
        const me = node.updateSelf(change);
        return [200, { id: me.id, status: me.status, generation: me.generation, ...(me.meta === undefined ? {} : { meta: me.meta }) }];
      }
      case 'debug/upsert': {
        allow('POST');
        const body = await readJson(req);
        if (typeof body.id !== 'string' || body.id === '' || body.id.length > 256)
          throw new HostError('bad-request', 'id must be a non-empty string');
        const g = body.generation;
        if (typeof g !== 'number' || !Number.isSafeInteger(g) || g < 0)
          throw new HostError('bad-request', 'generation must be a non-negative integer');
        const m = meta(body.meta);
        const entry: Member = {
          id: body.id,
          status: status(body.status, 'status'),
          generation: g,
          ...(m === undefined ? {} : { meta: m }),
        };
        return [200, { member: node.debugUpsert(entry) }];
      }
      case 'pushpull': {
        allow('POST');
        const body = await readJson(req);
        if (typeof body.peer !== 'string' || body.peer === '') throw new HostError('bad-request', 'peer must be a node id');
        const t = body.timeoutMs;
        if (t !== undefined && (typeof t !== 'number' || !Number.isFinite(t) || t <= 0 || t > 60_000)) {
          throw new HostError('bad-request', 'timeoutMs must be a number in (0, 60000]');
        }
        const r = await node.pushPull(body.peer, typeof t === 'number' ? t : opts.pushPullTimeoutMs);
        return [200, { ok: true, ...r }];
      }
      default:
        throw new HostError('not-found', `no route ${method} ${url.pathname}`, 404);
    }
  };

  return createServer((req, res) => {
    route(req).then(
      ([code, body]) => send(res, code, body),
      (error: unknown) => {
        if (error instanceof HostError) send(res, error.status, { error: { code: error.code, message: error.message } });
        else send(res, 500, { error: { code: 'internal', message: String((error as Error)?.message ?? error) } });
      },
    );
  });
}
