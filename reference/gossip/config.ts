/**
 * Launch configuration: which nodes this process hosts, their address books, and the protocol knobs,
 * all read from the environment (see conformance/gossip/README.md for the contract).
 */
import { readFileSync } from 'node:fs';
import { randomInt } from 'node:crypto';
import { subSeed } from './core/random.ts';
import type { CoreConfig } from './core/types.ts';

export type Mode = 'round' | 'free';

export interface Knobs {
  mode: Mode;
  /** Free mode: one round (probe + gossip) every periodMs. */
  periodMs: number;
  /** Free mode: T, the direct-ack wait (ping-req at T, probe failure at 2T). Default: periodMs / 2. */
  probeTimeoutMs: number | undefined;
  /** Free mode: S in ms. Default: suspicionRounds × periodMs. */
  suspicionMs: number | undefined;
  /** Round mode: S in rounds. Default: 4 × ⌈log10(n+1)⌉ (n = cluster size), at least 4. */
  suspicionRounds: number | undefined;
  indirectChecks: number;
  fanout: number;
  pushPullRounds: number;
  retransmitMult: number;
  maxPiggyback: number;
  maxPiggybackBytes: number;
  maxPushPullBytes: number;
  seed: number;
  /** How long POST /nodes/{id}/pushpull waits for the reply by default. */
  pushPullTimeoutMs: number;
}

export const DEFAULT_KNOBS: Readonly<Omit<Knobs, 'seed'>> = {
  mode: 'free',
  periodMs: 200,
  probeTimeoutMs: undefined,
  suspicionMs: undefined,
  suspicionRounds: undefined,
  indirectChecks: 3,
  fanout: 3,
  pushPullRounds: 5,
  retransmitMult: 4,
  maxPiggyback: 32,
  maxPiggybackBytes: 1200,
  maxPushPullBytes: 8192,
  pushPullTimeoutMs: 2000,
};

export interface NodeSpec {
  id: string;
  /** Real UDP address to bind, host:port. */
  listen: string;
  /** Address book: peer id → kit endpoint host:port. */
  peers: Record<string, string>;
}

export interface LaunchConfig {
  http: string;
  nodes: NodeSpec[];
  knobs: Knobs;
}

export class ConfigError extends Error {}

export function defaultSuspicionRounds(clusterSize: number): number {
  return Math.max(4, 4 * Math.ceil(Math.log10(clusterSize + 1)));
}

/** The core configuration of one node under `knobs` (durations in ms or rounds depending on mode). */
export function coreConfig(id: string, peers: readonly string[], knobs: Knobs): CoreConfig {
  const clusterSize = new Set([id, ...peers]).size;
  const rounds = knobs.suspicionRounds ?? defaultSuspicionRounds(clusterSize);
  const round = knobs.mode === 'round';
  return {
    id,
    peers,
    indirectChecks: knobs.indirectChecks,
    fanout: knobs.fanout,
    probeTimeout: round ? 1 : (knobs.probeTimeoutMs ?? Math.max(1, Math.floor(knobs.periodMs / 2))),
    suspicionTimeout: round ? rounds : (knobs.suspicionMs ?? rounds * knobs.periodMs),
    pushPullEvery: knobs.pushPullRounds,
    retransmitMult: knobs.retransmitMult,
    maxPiggyback: knobs.maxPiggyback,
    maxPiggybackBytes: knobs.maxPiggybackBytes,
    maxPushPullBytes: knobs.maxPushPullBytes,
    seed: subSeed(knobs.seed, id),
  };
}

export function parseAddress(text: string): { host: string; port: number } {
  const i = text.lastIndexOf(':');
  const host = text.slice(0, i).replace(/^\[|\]$/g, '');
  const port = Number(text.slice(i + 1));
  if (i <= 0 || host === '' || !Number.isInteger(port) || port < 0 || port > 65535) {
    throw new ConfigError(`not a host:port address: ${JSON.stringify(text)}`);
  }
  return { host, port };
}

/** `id=host:port,id=host:port` → record. */
export function parseBook(text: string): Record<string, string> {
  const book: Record<string, string> = {};
  for (const part of text
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '')) {
    const eq = part.indexOf('=');
    if (eq <= 0) throw new ConfigError(`bad address book entry: ${JSON.stringify(part)}`);
    const addr = part.slice(eq + 1);
    parseAddress(addr);
    book[part.slice(0, eq)] = addr;
  }
  return book;
}

type Env = Record<string, string | undefined>;

function opt(env: Env, name: string): string | undefined {
  const v = env[name]?.trim();
  return v === undefined || v === '' ? undefined : v;
}

function int(env: Env, name: string, min: number): number | undefined {
  const v = opt(env, name);
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isSafeInteger(n) || n < min) throw new ConfigError(`${name} must be an integer >= ${min}, got ${JSON.stringify(v)}`);
  return n;
}

export function parseKnobs(env: Env): Knobs {
  const mode = opt(env, 'GOSSIP_MODE') ?? DEFAULT_KNOBS.mode;
  if (mode !== 'round' && mode !== 'free') throw new ConfigError(`GOSSIP_MODE must be round or free, got ${JSON.stringify(mode)}`);
  return {
    mode,
    periodMs: int(env, 'GOSSIP_PERIOD_MS', 1) ?? DEFAULT_KNOBS.periodMs,
    probeTimeoutMs: int(env, 'GOSSIP_PROBE_TIMEOUT_MS', 1),
    suspicionMs: int(env, 'GOSSIP_SUSPICION_MS', 1),
    suspicionRounds: int(env, 'GOSSIP_SUSPICION_ROUNDS', 1),
    indirectChecks: int(env, 'GOSSIP_K', 0) ?? DEFAULT_KNOBS.indirectChecks,
    fanout: int(env, 'GOSSIP_FANOUT', 1) ?? DEFAULT_KNOBS.fanout,
    pushPullRounds: int(env, 'GOSSIP_PUSHPULL_ROUNDS', 0) ?? DEFAULT_KNOBS.pushPullRounds,
    retransmitMult: int(env, 'GOSSIP_RETRANSMIT_MULT', 1) ?? DEFAULT_KNOBS.retransmitMult,
    maxPiggyback: DEFAULT_KNOBS.maxPiggyback,
    maxPiggybackBytes: DEFAULT_KNOBS.maxPiggybackBytes,
    maxPushPullBytes: DEFAULT_KNOBS.maxPushPullBytes,
    seed: (int(env, 'GOSSIP_SEED', 0) ?? randomInt(0, 2 ** 31)) >>> 0,
    pushPullTimeoutMs: DEFAULT_KNOBS.pushPullTimeoutMs,
  };
}

function parseNodesFile(path: string): NodeSpec[] {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new ConfigError(`cannot read MERIDIAN_NODES_FILE ${path}: ${(error as Error).message}`);
  }
  if (!Array.isArray(raw) || raw.length === 0) throw new ConfigError('MERIDIAN_NODES_FILE must hold a non-empty JSON array');
  return raw.map((n: unknown, i) => {
    const o = n as { id?: unknown; listen?: unknown; peers?: unknown };
    if (typeof o?.id !== 'string' || o.id === '' || typeof o.listen !== 'string') {
      throw new ConfigError(`nodes[${i}] needs string "id" and "listen"`);
    }
    parseAddress(o.listen);
    const peers: Record<string, string> = {};
    if (o.peers !== undefined) {
      if (typeof o.peers !== 'object' || o.peers === null || Array.isArray(o.peers))
        throw new ConfigError(`nodes[${i}].peers must be an object`);
      for (const [pid, addr] of Object.entries(o.peers)) {
        if (typeof addr !== 'string') throw new ConfigError(`nodes[${i}].peers.${pid} must be a string`);
        parseAddress(addr);
        if (pid !== o.id) peers[pid] = addr;
      }
    }
    return { id: o.id, listen: o.listen, peers };
  });
}

export function parseEnv(env: Env): LaunchConfig {
  const http = opt(env, 'MERIDIAN_HTTP');
  if (http === undefined) throw new ConfigError('MERIDIAN_HTTP is required');
  parseAddress(http);
  const knobs = parseKnobs(env);
  const file = opt(env, 'MERIDIAN_NODES_FILE');
  let nodes: NodeSpec[];
  if (file !== undefined) {
    nodes = parseNodesFile(file);
  } else {
    const id = opt(env, 'MERIDIAN_NODE_ID');
    const listen = opt(env, 'MERIDIAN_LISTEN');
    if (id === undefined || listen === undefined) throw new ConfigError('set MERIDIAN_NODES_FILE, or MERIDIAN_NODE_ID and MERIDIAN_LISTEN');
    parseAddress(listen);
    const peers = parseBook(opt(env, 'MERIDIAN_PEERS') ?? '');
    delete peers[id];
    nodes = [{ id, listen, peers }];
  }
  const ids = new Set<string>();
  for (const n of nodes) {
    if (ids.has(n.id)) throw new ConfigError(`node id ${n.id} listed twice`);
    ids.add(n.id);
  }
  return { http, nodes, knobs };
}
