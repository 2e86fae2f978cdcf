import { type ReadMode, type ReadRequest, RouterCore } from '../core/router.ts';
import { isStoreError, StoreError, unavailable } from '../errors.ts';
import type { Logger } from '../log.ts';
import type { HostPort } from '../net/address.ts';
import { RpcClient } from '../net/rpc-client.ts';

export interface RouterOptions {
  readonly id: string;
  readonly leader: string;
  readonly followers: readonly string[];
  readonly book: ReadonlyMap<string, HostPort>;
  readonly logger: Logger;
  readonly readTimeoutMs: number;
  readonly writeTimeoutMs: number;
  readonly pollMs: number;
}

export interface RouterReadResult {
  key: string;
  value: string | null;
  lsn: number;
  servedBy: string;
  mode: ReadMode;
  role: 'leader' | 'follower';
  valueLsn: number | null;
  /** The session's token after this read (present when a session was named). */
  sessionLsn?: number;
}

interface NodeClients {
  readonly read: RpcClient;
  readonly write: RpcClient;
  readonly poll: RpcClient;
}

interface NodeRead {
  key: string;
  value: string | null;
  lsn: number;
  servedBy: string;
  role: 'leader' | 'follower';
  valueLsn: number | null;
}

function asNodeRead(body: unknown, node: string): NodeRead {
  const b = (typeof body === 'object' && body !== null ? body : {}) as Record<string, unknown>;
  const value = b['value'];
  const lsn = b['lsn'];
  if ((value !== null && typeof value !== 'string') || typeof lsn !== 'number') {
    throw new StoreError('NODE_ERROR', 503, `${node} answered a read with a malformed body`);
  }
  return {
    key: String(b['key']),
    value,
    lsn,
    servedBy: typeof b['servedBy'] === 'string' ? b['servedBy'] : node,
    role: b['role'] === 'leader' ? 'leader' : 'follower',
    valueLsn: typeof b['valueLsn'] === 'number' ? b['valueLsn'] : null,
  };
}

/**
 * The read router: forwards writes to the leader, routes reads by mode, keeps session tokens. It reaches
 * nodes only through its address book, over the peer protocol (separate connections for reads, writes
 * and status polls so a slow or black-holed one cannot stall the others).
 */
export class Router {
  readonly core: RouterCore;
  readonly #o: RouterOptions;
  readonly #clients = new Map<string, NodeClients>();
  readonly #polling = new Set<string>();
  #poller: NodeJS.Timeout | undefined;

  constructor(options: RouterOptions) {
    this.#o = options;
    this.core = new RouterCore(options.leader, [options.leader, ...options.followers]);
    for (const node of this.core.nodes) {
      const address = options.book.get(node);
      if (!address) throw new RangeError(`node ${node} is not in the router's address book`);
      this.#clients.set(node, {
        read: new RpcClient(node, address),
        write: new RpcClient(node, address),
        poll: new RpcClient(node, address),
      });
    }
  }

  start(): void {
    this.#poller ??= setInterval(() => this.#pollAll(), this.#o.pollMs);
    this.#pollAll();
  }

  close(): void {
    clearInterval(this.#poller);
    this.#poller = undefined;
    for (const c of this.#clients.values()) {
      c.read.close();
      c.write.close();
      c.poll.close();
    }
  }

  async write(key: string, value: string, session: string | undefined): Promise<{ lsn: number; servedBy: string; sessionLsn?: number }> {
    const leader = this.core.leader;
    let body: unknown;
    try {
      // The leader answers WRITE_TIMEOUT itself after writeTimeoutMs; our own deadline only covers a dead link.
      body = await this.#client(leader).write.request('write', { key, value }, this.#o.writeTimeoutMs + 2_000);
    } catch (error) {
      throw this.#writeError(leader, error);
    }
    const lsn = (body as { lsn?: unknown } | null)?.lsn;
    if (typeof lsn !== 'number') throw unavailable('NODE_ERROR', `${leader} answered a write with a malformed body`);
    this.core.recordWrite(session, lsn, leader);
    return session === undefined ? { lsn, servedBy: leader } : { lsn, servedBy: leader, sessionLsn: this.core.sessionLsn(session) };
  }

  async read(key: string, request: ReadRequest): Promise<RouterReadResult> {
    const plan = this.core.plan(request);
    const failures: string[] = [];
    let notLeader = false;
    for (const node of plan.candidates) {
      let answer: NodeRead;
      try {
        answer = asNodeRead(await this.#client(node).read.request('read', { key }, this.#o.readTimeoutMs), node);
      } catch (error) {
        failures.push(`${node}: ${isStoreError(error) ? error.code : String(error)}`);
        this.core.forget(node);
        continue;
      }
      this.core.observe(node, answer.lsn);
      if (!this.core.accepts(plan, node, answer.lsn, answer.role)) {
        if (node === plan.leader && answer.role !== 'leader') notLeader = true;
        failures.push(`${node}: applied LSN ${answer.lsn} < required ${plan.required}`);
        continue;
      }
      this.core.recordRead(request.session, answer.lsn);
      const result: RouterReadResult = { ...answer, mode: plan.mode };
      if (request.session !== undefined) result.sessionLsn = this.core.sessionLsn(request.session);
      return result;
    }
    const why = failures.join('; ') || 'no candidate node';
    if (plan.mode === 'AnyFollower') {
      if (request.via !== undefined)
        throw unavailable('NODE_UNAVAILABLE', `follower ${request.via} could not serve the read (${why})`, { node: request.via });
      throw unavailable('NO_FOLLOWER_AVAILABLE', `no follower could serve the read (${why})`);
    }
    if (notLeader) throw unavailable('NOT_LEADER', `${plan.leader} is no longer the leader (${why})`, { leader: plan.leader });
    throw unavailable('LEADER_UNAVAILABLE', `leader ${plan.leader} could not serve the read (${why})`, { leader: plan.leader });
  }

  setLeader(id: string): Record<string, unknown> {
    const before = this.core.leader;
    this.core.setLeader(id);
    this.#o.logger.event('leader-changed', { from: before, to: id });
    return this.status();
  }

  status(): Record<string, unknown> {
    const known: Record<string, number | null> = {};
    for (const node of this.core.nodes) known[node] = this.core.knownLsn(node) ?? null;
    return {
      id: this.#o.id,
      role: 'router',
      leader: this.core.leader,
      followers: this.core.followers,
      known,
      leaderLsn: this.core.leaderLsn,
      sessions: this.core.sessionCount,
    };
  }

  #client(node: string): NodeClients {
    const c = this.#clients.get(node);
    if (!c) throw unavailable('NODE_UNAVAILABLE', `node ${node} is not in the router's address book`);
    return c;
  }

  #writeError(leader: string, error: unknown): StoreError {
    if (!isStoreError(error)) return unavailable('LEADER_UNAVAILABLE', `write to ${leader} failed: ${String(error)}`);
    switch (error.code) {
      case 'WRITE_TIMEOUT':
      case 'NOT_LEADER':
      case 'SHUTTING_DOWN':
        return unavailable(error.code, error.message, { ...error.details, leader });
      case 'NODE_TIMEOUT':
        return unavailable('WRITE_TIMEOUT', `leader ${leader} did not answer the write in time; its outcome is unknown`, { leader });
      case 'INVALID_KEY':
      case 'INVALID_VALUE':
        return new StoreError(error.code, 400, error.message);
      default:
        return unavailable(
          'LEADER_UNAVAILABLE',
          `write to leader ${leader} failed (${error.code}: ${error.message}); its outcome is unknown`,
          { leader },
        );
    }
  }

  #pollAll(): void {
    for (const node of this.core.nodes) {
      if (this.#polling.has(node)) continue;
      this.#polling.add(node);
      this.#client(node)
        .poll.request('status', {}, Math.max(this.#o.readTimeoutMs, 5 * this.#o.pollMs))
        .then((body) => {
          const lsn = (body as { appliedLsn?: unknown } | null)?.appliedLsn;
          if (typeof lsn === 'number') this.core.observe(node, lsn);
        })
        .catch(() => this.core.forget(node))
        .finally(() => this.#polling.delete(node));
    }
  }
}
