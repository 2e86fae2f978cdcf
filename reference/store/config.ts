import { StoreError } from './errors.ts';
import { type HostPort, isNodeId, parseBook, parseHostPort, parseIdList } from './net/address.ts';

export type Role = 'leader' | 'follower' | 'router';

/** Everything a process needs, parsed from MERIDIAN_* environment variables. */
export interface Config {
  readonly id: string;
  readonly role: Role;
  /** Peer-protocol listener (data nodes; the router ignores it). */
  readonly listen: HostPort | undefined;
  readonly http: HostPort;
  /** Address book: the ONLY way to reach another node. */
  readonly peers: ReadonlyMap<string, HostPort>;
  /** Initial leader id. */
  readonly leader: string;
  /** Initial sync followers (used by the initial leader). */
  readonly sync: readonly string[];
  /** How many of `sync` must acknowledge a write (0 = don't wait). */
  readonly quorum: number;
  readonly followers: readonly string[];
  /** Leader: answer 503 WRITE_TIMEOUT after this long without k acks. Router: + 2 s for a dead link. */
  readonly writeTimeoutMs: number;
  /**
   * Follower: silence on the replication link longer than this closes it and redials. Above the kit's
   * largest injected delay (5 s) so a slow link is not mistaken for a dead one.
   */
  readonly peerTimeoutMs: number;
  readonly heartbeatMs: number;
  /** Router: per-node deadline for a read RPC before trying the next candidate. */
  readonly readTimeoutMs: number;
  /** Router: how often it asks every node for its applied LSN (the candidate-ordering hint). */
  readonly pollMs: number;
}

export class ConfigError extends StoreError {
  constructor(message: string) {
    super('CONFIG_INVALID', 500, message);
  }
}

type Env = Record<string, string | undefined>;

function required(env: Env, name: string): string {
  const value = env[name];
  if (value === undefined || value.trim() === '') throw new ConfigError(`${name} is required`);
  return value.trim();
}

function integer(env: Env, name: string, fallback: number, min: number, max: number): number {
  const text = env[name]?.trim();
  if (text === undefined || text === '') return fallback;
  const value = Number(text);
  if (!Number.isSafeInteger(value) || value < min || value > max) {
    throw new ConfigError(`${name} must be an integer in [${min}, ${max}], got ${JSON.stringify(text)}`);
  }
  return value;
}

/** Wraps the address parsers so every config problem surfaces as CONFIG_INVALID. */
function guard<T>(fn: () => T): T {
  try {
    return fn();
  } catch (error) {
    if (error instanceof StoreError && !(error instanceof ConfigError)) throw new ConfigError(error.message);
    throw error;
  }
}

export function parseConfig(env: Env): Config {
  const id = required(env, 'MERIDIAN_NODE_ID');
  if (!isNodeId(id)) throw new ConfigError(`MERIDIAN_NODE_ID ${JSON.stringify(id)} must match [A-Za-z0-9_.-]{1,64}`);
  const roleText = required(env, 'MERIDIAN_ROLE');
  if (roleText !== 'leader' && roleText !== 'follower' && roleText !== 'router') {
    throw new ConfigError(`MERIDIAN_ROLE must be leader, follower or router, got ${JSON.stringify(roleText)}`);
  }
  const role: Role = roleText;
  const http = guard(() => parseHostPort(required(env, 'MERIDIAN_HTTP'), 'MERIDIAN_HTTP'));
  const listenText = env['MERIDIAN_LISTEN']?.trim();
  const listen =
    role === 'router' && !listenText ? undefined : guard(() => parseHostPort(required(env, 'MERIDIAN_LISTEN'), 'MERIDIAN_LISTEN'));
  const peers = guard(() => parseBook(env['MERIDIAN_PEERS'] ?? '', 'MERIDIAN_PEERS'));
  const leader = required(env, 'MERIDIAN_LEADER');
  const sync = guard(() => parseIdList(env['MERIDIAN_SYNC'] ?? '', 'MERIDIAN_SYNC'));
  const followers = guard(() => parseIdList(env['MERIDIAN_FOLLOWERS'] ?? '', 'MERIDIAN_FOLLOWERS'));
  const quorumText = env['MERIDIAN_QUORUM']?.trim();
  // Default k = 1 (PostgreSQL `ANY 1`); with no sync followers there is nothing to wait for.
  const quorum = sync.length === 0 ? 0 : integer(env, 'MERIDIAN_QUORUM', 1, 0, sync.length);
  if (sync.length === 0 && quorumText && quorumText !== '0' && quorumText !== '1') {
    throw new ConfigError(`MERIDIAN_QUORUM=${quorumText} but MERIDIAN_SYNC names no sync followers`);
  }

  const needPeer = (peer: string, what: string): void => {
    if (!peers.has(peer)) throw new ConfigError(`${what} ${peer} is not in MERIDIAN_PEERS (the address book)`);
  };
  if (role === 'leader' && leader !== id)
    throw new ConfigError(`MERIDIAN_ROLE=leader but MERIDIAN_LEADER=${leader} is not this node (${id})`);
  if (role === 'follower') {
    if (leader === id) throw new ConfigError(`MERIDIAN_ROLE=follower but MERIDIAN_LEADER names this node (${id})`);
    needPeer(leader, 'MERIDIAN_LEADER');
  }
  if (role === 'router') {
    needPeer(leader, 'MERIDIAN_LEADER');
    for (const f of followers) needPeer(f, 'MERIDIAN_FOLLOWERS entry');
    if (followers.includes(leader)) throw new ConfigError(`MERIDIAN_FOLLOWERS must not contain the leader ${leader}`);
  }
  for (const s of sync) {
    if (s === leader) throw new ConfigError(`MERIDIAN_SYNC must not contain the leader ${leader}`);
    if (role === 'leader') needPeer(s, 'MERIDIAN_SYNC entry');
  }

  return {
    id,
    role,
    listen,
    http,
    peers,
    leader,
    sync,
    quorum,
    followers,
    writeTimeoutMs: integer(env, 'MERIDIAN_WRITE_TIMEOUT_MS', 10_000, 1, 600_000),
    peerTimeoutMs: integer(env, 'MERIDIAN_PEER_TIMEOUT_MS', 6_000, 50, 600_000),
    heartbeatMs: integer(env, 'MERIDIAN_HEARTBEAT_MS', 200, 10, 60_000),
    readTimeoutMs: integer(env, 'MERIDIAN_READ_TIMEOUT_MS', 2_000, 10, 600_000),
    pollMs: integer(env, 'MERIDIAN_POLL_MS', 100, 10, 60_000),
  };
}
