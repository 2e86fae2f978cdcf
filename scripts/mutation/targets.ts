import type { System } from './kit-cli.ts';

/**
 * Which conformance checks grade a mutant of which reference file. Only the checks whose scenario
 * exercises the file's behaviour are run, so a mutant costs a few seconds instead of a whole suite.
 * Every id here must exist in the kit's catalogue (`tsx cli/main.ts checks`); a self-test proves it.
 *
 * The list is deliberately the checks the file's contract clauses are graded by, not every check that
 * happens to run through the file: a mutant these checks cannot kill is a gap in exactly those checks.
 */
export interface MutationTarget {
  readonly file: string;
  readonly system: System;
  readonly checks: readonly string[];
  /** Why these checks: the behaviour the file implements. */
  readonly why: string;
}

const BROKER_FRAMING = ['broker.framing', 'broker.max-frame', 'fixture.frame-split-across-segments', 'fixture.newline-in-binary-stream'];
const BROKER_SHUTDOWN = [
  'broker.4-mid-frame',
  'broker.5-drain-bound',
  'broker.drain-queues',
  'broker.stop-accepting',
  'broker.sigterm',
  'fixture.shutdown-half-read-frame',
];
const STORE_WRITE_PATH = ['store.sync-ack', 'store.async-nonblocking', 'store.quorum', 'store.session-fallback'];
const STORE_READ_MODES = [
  'store.any-follower-anomaly',
  'store.session-ryw',
  'store.session-fallback',
  'store.monotonic-reads',
  'store.best-effort-fresh',
];
const STORE_REPLICATION = ['store.consistent-prefix', 'store.partition-durability', 'store.divergence'];
const GOSSIP_CORE = [
  'gossip.convergence',
  'gossip.reconciliation',
  'gossip.indirect-probe',
  'gossip.suspicion',
  'gossip.edge-cases',
  'gossip.counters',
];

export const MUTATION_TARGETS: readonly MutationTarget[] = [
  // Broker: framing, fan-out, shutdown.
  {
    file: 'reference/broker/frame-reader.ts',
    system: 'broker',
    checks: [...BROKER_FRAMING, 'broker.reconnect', 'broker.4-mid-frame', 'fixture.shutdown-half-read-frame'],
    why: 'length-prefixed frame parsing, the max-frame limit, torn frames, finishing the frame in progress at a stop',
  },
  {
    file: 'reference/broker/fanout.ts',
    system: 'broker',
    checks: ['broker.2-fanout', 'broker.3-slow-handler', 'broker.1-concurrent', 'broker.4-mid-frame', 'broker.drain-queues'],
    why: 'delivery to every handler, lag reports, draining at shutdown',
  },
  {
    file: 'reference/broker/broadcast-ring.ts',
    system: 'broker',
    checks: ['broker.2-fanout', 'broker.3-slow-handler'],
    why: 'the bounded drop-oldest ring each handler reads',
  },
  {
    file: 'reference/broker/shutdown.ts',
    system: 'broker',
    checks: BROKER_SHUTDOWN,
    why: 'SIGINT/SIGTERM: stop accepting, finish half-read frames, drain bound',
  },
  {
    file: 'reference/broker/session.ts',
    system: 'broker',
    checks: ['broker.1-concurrent', 'broker.reconnect', 'broker.max-frame', 'broker.4-mid-frame', 'broker.stop-accepting'],
    why: 'one station connection: read, frame, close, drain',
  },
  // Store: replication core, routing, node wiring.
  {
    file: 'reference/store/core/quorum.ts',
    system: 'store',
    checks: STORE_WRITE_PATH,
    why: 'which acknowledgements commit a write (k of the sync followers)',
  },
  {
    file: 'reference/store/core/commit-waiters.ts',
    system: 'store',
    checks: STORE_WRITE_PATH,
    why: 'a write answers once its LSN is committed',
  },
  {
    file: 'reference/store/core/leader.ts',
    system: 'store',
    checks: [...STORE_WRITE_PATH, 'store.leader-linearizable'],
    why: 'the leader appends, tracks follower acks and the commit LSN',
  },
  {
    file: 'reference/store/core/follower.ts',
    system: 'store',
    checks: [...STORE_REPLICATION, 'store.session-ryw'],
    why: 'a follower applies the stream densely, truncates on divergence',
  },
  {
    file: 'reference/store/core/replica-log.ts',
    system: 'store',
    checks: [...STORE_REPLICATION, 'store.leader-linearizable'],
    why: 'the log: append, read at LSN, truncate',
  },
  {
    file: 'reference/store/core/history.ts',
    system: 'store',
    checks: STORE_REPLICATION,
    why: 'term history and the common prefix after a failover',
  },
  {
    file: 'reference/store/core/router.ts',
    system: 'store',
    checks: [...STORE_READ_MODES, 'store.leader-linearizable'],
    why: 'read-mode decisions: Leader, AnyFollower, SessionConsistent, BestEffortFresh',
  },
  {
    file: 'reference/store/router/router.ts',
    system: 'store',
    checks: [...STORE_READ_MODES, 'store.leader-linearizable', 'store.sync-ack', 'store.errors'],
    why: 'the router process: forwards writes, serves reads by mode',
  },
  {
    file: 'reference/store/node/data-node.ts',
    system: 'store',
    checks: ['store.sync-ack', 'store.async-nonblocking', ...STORE_REPLICATION, 'store.session-ryw'],
    why: 'a data node: roles, promotion, following',
  },
  {
    file: 'reference/store/node/upstream.ts',
    system: 'store',
    checks: [...STORE_REPLICATION, 'store.sync-ack'],
    why: 'the follower side of a replication link',
  },
  {
    file: 'reference/store/node/downstream.ts',
    system: 'store',
    checks: [...STORE_REPLICATION, 'store.sync-ack', 'store.async-nonblocking'],
    why: 'the leader side of a replication link',
  },
  {
    file: 'reference/store/node/http-api.ts',
    system: 'store',
    checks: ['store.leader-linearizable', 'store.session-ryw', 'store.partition-durability', 'store.errors'],
    why: "a node's HTTP API: read, write, status, dump, promote, follow",
  },
  { file: 'reference/store/node/peer-server.ts', system: 'store', checks: STORE_REPLICATION, why: 'accepting replication links' },
  // Gossip: the sans-IO SWIM core.
  {
    file: 'reference/gossip/core/membership.ts',
    system: 'gossip',
    checks: ['gossip.reconciliation', 'gossip.suspicion'],
    why: 'the member table and the precedence (generation, then severity) rule',
  },
  {
    file: 'reference/gossip/core/node.ts',
    system: 'gossip',
    checks: [...GOSSIP_CORE, 'gossip.partition-recovery'],
    why: 'a SWIM node: probes, indirect probes, suspicion timers, piggyback, push-pull',
  },
  {
    file: 'reference/gossip/core/codec.ts',
    system: 'gossip',
    checks: ['gossip.convergence', 'gossip.reconciliation', 'gossip.indirect-probe'],
    why: 'the wire codec of every message',
  },
  {
    file: 'reference/gossip/core/random.ts',
    system: 'gossip',
    checks: ['gossip.convergence', 'gossip.indirect-probe', 'gossip.edge-cases'],
    why: 'probe target and helper selection',
  },
  {
    file: 'reference/gossip/core/types.ts',
    system: 'gossip',
    checks: ['gossip.reconciliation', 'gossip.suspicion'],
    why: 'status severity ranks used by the tiebreak',
  },
];

/** The target for a project-relative `file`, or undefined when the file is not mutated. */
export function targetFor(file: string): MutationTarget | undefined {
  const normal = file.replaceAll('\\', '/').replace(/^\.\//, '');
  return MUTATION_TARGETS.find((t) => normal === t.file || normal.endsWith(`/${t.file}`));
}

/** The targets selected by `--system` and `--files` (substring match on the path; empty = all). */
export function selectTargets(options: { system?: System; files?: readonly string[] }): MutationTarget[] {
  return MUTATION_TARGETS.filter(
    (t) =>
      (options.system === undefined || t.system === options.system) &&
      (options.files === undefined || options.files.length === 0 || options.files.some((f) => t.file.includes(f))),
  );
}
