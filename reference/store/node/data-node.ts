import type { Socket } from 'node:net';
import { CommitWaiters } from '../core/commit-waiters.ts';
import { FollowerCore } from '../core/follower.ts';
import { LeaderCore } from '../core/leader.ts';
import { QuorumTracker } from '../core/quorum.ts';
import { ReplicaLog } from '../core/replica-log.ts';
import { badRequest, type StoreError, unavailable } from '../errors.ts';
import type { Logger } from '../log.ts';
import type { HostPort } from '../net/address.ts';
import type { SubscribeMsg } from '../protocol.ts';
import { Downstream, type Session } from './downstream.ts';
import { Upstream } from './upstream.ts';

export interface DataNodeOptions {
  readonly id: string;
  readonly book: ReadonlyMap<string, HostPort>;
  readonly logger: Logger;
  readonly writeTimeoutMs: number;
  readonly peerTimeoutMs: number;
  readonly heartbeatMs: number;
}

export interface ReadResult {
  key: string;
  value: string | null;
  lsn: number;
  servedBy: string;
  role: 'leader' | 'follower';
  /** LSN of the write that produced `value` (null when the key is absent). */
  valueLsn: number | null;
}

interface PendingWrite {
  resolve(lsn: number): void;
  reject(error: StoreError): void;
  timer: NodeJS.Timeout;
  lsn: number;
}

export const MAX_KEY_CHARS = 1024;
export const MAX_VALUE_CHARS = 65_536;

export function validateKeyValue(key: unknown, value: unknown): { key: string; value: string } {
  if (typeof key !== 'string' || key.length === 0 || key.length > MAX_KEY_CHARS) {
    throw badRequest('INVALID_KEY', `"key" must be a non-empty string of at most ${MAX_KEY_CHARS} characters`);
  }
  if (typeof value !== 'string' || value.length > MAX_VALUE_CHARS) {
    throw badRequest('INVALID_VALUE', `"value" must be a string of at most ${MAX_VALUE_CHARS} characters`);
  }
  return { key, value };
}

/**
 * One data node: a log plus either the leader role (append, ship, wait for k sync acks) or the follower
 * role (stream from the current leader). Roles change only by `promote` and `follow`.
 */
export class DataNode {
  readonly id: string;
  readonly #o: DataNodeOptions;
  readonly log = new ReplicaLog();
  readonly #follower = new FollowerCore(this.log);
  readonly #waiters = new CommitWaiters<PendingWrite>();
  readonly #downstream: Downstream;
  #leaderCore: LeaderCore | undefined;
  #upstream: Upstream | undefined;
  #leaderId: string | null = null;
  #knownTerm = 0;
  #leaderEnd = 0;
  #leaderCommit = 0;

  constructor(options: DataNodeOptions) {
    this.#o = options;
    this.id = options.id;
    this.#downstream = new Downstream({
      logger: options.logger,
      heartbeatMs: options.heartbeatMs,
      sessionIdleMs: Math.max(30_000, 10 * options.peerTimeoutMs),
      onProgress: () => this.#releaseCommitted(),
    });
  }

  get role(): 'leader' | 'follower' {
    return this.#leaderCore ? 'leader' : 'follower';
  }

  /** Initial role from configuration. */
  start(role: 'leader' | 'follower', leader: string, sync: readonly string[], quorum: number): void {
    if (role === 'leader') this.#becomeLeader(1, sync, quorum);
    else this.#becomeFollower(leader);
  }

  close(): void {
    this.#upstream?.stop();
    this.#downstream.stop('shutdown');
    for (const w of this.#waiters.drain()) {
      clearTimeout(w.timer);
      w.reject(unavailable('SHUTTING_DOWN', `${this.id} is shutting down; write ${w.lsn} outcome unknown`, { lsn: w.lsn }));
    }
  }

  write(key: string, value: string): Promise<number> {
    const core = this.#leaderCore;
    if (!core) {
      return Promise.reject(
        unavailable('NOT_LEADER', `${this.id} is not the leader (leader: ${this.#leaderId ?? 'unknown'})`, { leader: this.#leaderId }),
      );
    }
    const entry = core.append(key, value);
    this.#downstream.pumpAll();
    if (core.commitLsn >= entry.lsn) return Promise.resolve(entry.lsn);
    return new Promise<number>((resolve, reject) => {
      const pending: PendingWrite = {
        lsn: entry.lsn,
        resolve,
        reject,
        timer: setTimeout(() => {
          if (!this.#waiters.remove(pending)) return;
          this.#o.logger.event('write-timeout', { lsn: entry.lsn, commitLsn: core.commitLsn, timeoutMs: this.#o.writeTimeoutMs });
          reject(
            unavailable(
              'WRITE_TIMEOUT',
              `write at LSN ${entry.lsn} was not acknowledged by ${core.tracker.k} of the sync followers [${core.tracker.sync.join(', ')}] within ${this.#o.writeTimeoutMs} ms; its outcome is unknown`,
              { lsn: entry.lsn },
            ),
          );
        }, this.#o.writeTimeoutMs),
      };
      this.#waiters.add(entry.lsn, pending);
    });
  }

  read(key: string): ReadResult {
    const stored = this.log.read(key);
    return { key, value: stored?.value ?? null, lsn: this.log.end, servedBy: this.id, role: this.role, valueLsn: stored?.lsn ?? null };
  }

  status(): Record<string, unknown> {
    const core = this.#leaderCore;
    const base = { id: this.id, role: this.role, appliedLsn: this.log.end, leader: this.#leaderId, term: core?.term ?? this.#knownTerm };
    if (core) {
      const followers: Record<string, number | null> = {};
      for (const peer of new Set([...core.tracker.sync, ...this.#downstream.connected()]))
        followers[peer] = core.tracker.matchOf(peer) ?? null;
      return {
        ...base,
        commitLsn: core.commitLsn,
        sync: core.tracker.sync,
        quorum: core.tracker.k,
        connected: this.#downstream.connected(),
        followers,
        pendingWrites: this.#waiters.size,
      };
    }
    return {
      ...base,
      connected: this.#upstream?.streaming ?? false,
      // As of the last heartbeat; never below what we applied from that leader ourselves.
      leaderLsn: Math.max(this.#leaderEnd, this.log.end),
      commitLsn: this.#leaderCommit,
      held: this.#follower.heldCount,
    };
  }

  dump(): { appliedLsn: number; entries: Array<{ lsn: number; key: string; value: string; term: number; by: string }> } {
    return {
      appliedLsn: this.log.end,
      entries: this.log.entries().map((e) => ({ lsn: e.lsn, key: e.key, value: e.value, term: e.term, by: e.by })),
    };
  }

  /** Become leader from the current applied LSN (idempotent: on a leader it only reconfigures sync/quorum). */
  promote(sync: readonly string[], quorum: number | undefined): Record<string, unknown> {
    for (const s of sync) {
      if (s === this.id) throw badRequest('INVALID_SYNC', `"sync" must not contain the node itself (${s})`);
      if (!this.#o.book.has(s)) throw badRequest('UNKNOWN_NODE', `"sync" names ${s}, which is not in this node's address book`);
    }
    const k = quorum ?? (sync.length > 0 ? 1 : 0);
    try {
      QuorumTracker.check(sync, k);
    } catch {
      throw badRequest(
        'INVALID_QUORUM',
        `"quorum" must be an integer between 0 and ${sync.length} (the number of sync followers), got ${quorum}`,
      );
    }
    const current = this.#leaderCore;
    if (current) {
      current.configure(sync, k);
      this.#releaseCommitted();
      this.#o.logger.event('reconfigure', { sync, quorum: k });
    } else {
      const term = Math.max(this.#knownTerm, this.log.maxTerm) + 1;
      this.#becomeLeader(term, sync, k);
    }
    return this.status();
  }

  follow(leader: string): Record<string, unknown> {
    if (leader === this.id) throw badRequest('INVALID_LEADER', `a node cannot follow itself (${leader}); use POST /promote`);
    if (!this.#o.book.has(leader)) throw badRequest('UNKNOWN_NODE', `leader ${leader} is not in this node's address book`);
    this.#becomeFollower(leader);
    return this.status();
  }

  /** A peer subscribed on `socket` (leader role) — or is refused. */
  subscribe(socket: Socket, msg: SubscribeMsg): Session | undefined {
    return this.#downstream.subscribe(socket, msg, this.id, this.#leaderId);
  }

  ack(session: Session, lsn: number): void {
    this.#downstream.ack(session, lsn);
  }

  #becomeLeader(term: number, sync: readonly string[], k: number): void {
    this.#upstream?.stop();
    this.#upstream = undefined;
    this.#follower.resync(this.log.end); // forget held out-of-order entries
    this.#knownTerm = Math.max(this.#knownTerm, term);
    this.#leaderCore = new LeaderCore(this.log, this.id, term, sync, k);
    this.#leaderId = this.id;
    this.#downstream.lead(this.#leaderCore);
    this.#o.logger.event('role', { role: 'leader', term, appliedLsn: this.log.end, sync, quorum: k });
  }

  #becomeFollower(leader: string): void {
    if (this.#leaderCore) {
      this.#leaderCore = undefined;
      this.#downstream.stop('demoted');
      for (const w of this.#waiters.drain()) {
        clearTimeout(w.timer);
        w.reject(
          unavailable('NOT_LEADER', `${this.id} stopped leading before write ${w.lsn} was acknowledged; its outcome is unknown`, {
            lsn: w.lsn,
          }),
        );
      }
    }
    this.#leaderId = leader;
    this.#leaderEnd = 0;
    this.#leaderCommit = 0;
    if (this.#upstream) this.#upstream.retarget(leader);
    else {
      this.#upstream = new Upstream(
        {
          selfId: this.id,
          book: this.#o.book,
          core: this.#follower,
          logger: this.#o.logger,
          heartbeatMs: this.#o.heartbeatMs,
          peerTimeoutMs: this.#o.peerTimeoutMs,
          onTerm: (term) => {
            this.#knownTerm = Math.max(this.#knownTerm, term);
          },
          onLeaderProgress: (end, commit) => {
            this.#leaderEnd = end;
            this.#leaderCommit = commit;
          },
        },
        leader,
      );
      this.#upstream.start();
    }
    this.#o.logger.event('role', { role: 'follower', leader, appliedLsn: this.log.end });
  }

  #releaseCommitted(): void {
    const core = this.#leaderCore;
    if (!core) return;
    for (const w of this.#waiters.release(core.commitLsn)) {
      clearTimeout(w.timer);
      w.resolve(w.lsn);
    }
  }
}
