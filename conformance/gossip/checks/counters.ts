/**
 * The traffic counters the contract requires (`/stats` sent/received messages and bytes) and the cluster
 * rule that every datagram goes through the address book. Both are judged on the same scenario, once
 * the kit's network has been still: a node's counters must equal the kit's link counters exactly.
 */
import { unknown, type CheckContext, type CheckDefinition, type CheckOutcome } from '../../../harness/checks/check.ts';
import { delay } from '../../../harness/common/wait.ts';
import { GossipCluster } from '../gossip-cluster.ts';
import { counterDiffs, describeDiff, kib, kitTraffic, outsideBook, statsTraffic, type CounterDiff, type NodeTraffic } from '../rounds.ts';
import { failWith, passWith, withCluster } from './common.ts';

const SIZE = 8;
const K = 2;
const ROUNDS = 12;
/** The final comparison: counters unchanged this long, over this many readings, before a mismatch is judged. */
const STILL_MS = 1000;
const READS = 4;
const BUDGET_MS = 8000;

const SCENARIO = `${SIZE} nodes, K=${K}, n0→n1 dropped one way, n4 changes its meta before round 3 (so probes, ping-reqs, forwarded acks, gossip and push-pull all happen), ${ROUNDS} rounds, then one POST n2/pushpull {"peer":"n3"}`;

interface Outcome {
  c: GossipCluster;
  /** Per-node counters by /stats and by the kit, at a moment when neither changed for STILL_MS. */
  stats?: Map<string, NodeTraffic>;
  kit?: Map<string, NodeTraffic>;
  diffs?: CounterDiff[];
  /** Why no still moment was found, or which node lacks a field. */
  problem?: { kind: 'missing' | 'moving'; text: string };
}

async function runScenario(ctx: CheckContext): Promise<Outcome> {
  const c = await GossipCluster.start(ctx, { size: SIZE, mode: 'round', knobs: { indirectChecks: K } });
  c.net.oneWay('n0', 'n1');
  await c.record();
  for (let i = 0; i < ROUNDS; i++) {
    if (i === 2) await c.state('n4', { meta: 'counted' }); // news to disseminate
    await c.step();
  }
  await c.pushPull('n2', 'n3');
  const t0 = performance.now();
  let last: { key: string; since: number; reads: number } | undefined;
  while (performance.now() - t0 < BUDGET_MS) {
    await c.net.quiescent({ timeoutMs: 20_000 });
    const stats = new Map<string, NodeTraffic>();
    for (const id of c.ids) {
      const t = statsTraffic(await c.stats(id));
      if (typeof t === 'string') return { c, problem: { kind: 'missing', text: `${id}'s /stats lacks ${t} (a number)` } };
      stats.set(id, t);
    }
    const kit = kitTraffic(c.net.counters());
    const diffs = counterDiffs(kit, stats);
    if (diffs.length === 0) return { c, stats, kit, diffs };
    const key = JSON.stringify([[...stats], [...kit], c.net.inFlight]);
    if (last?.key === key) last.reads++;
    else last = { key, since: performance.now(), reads: 1 };
    if (last.reads >= READS && performance.now() - last.since >= STILL_MS) return { c, stats, kit, diffs };
    await delay(STILL_MS / READS);
  }
  return {
    c,
    problem: {
      kind: 'moving',
      text: `the nodes' counters or the kit's kept changing for ${BUDGET_MS / 1000} s after the last round (a node sending between ticks, or a machine too loaded to settle)`,
    },
  };
}

function table(o: Outcome): string[] {
  if (!o.stats || !o.kit) return [];
  const zero = { sent: { messages: 0, bytes: 0 }, received: { messages: 0, bytes: 0 } };
  return [...o.stats].map(([id, s]) => {
    const k = o.kit?.get(id) ?? zero;
    return `${id}: sent ${s.sent.messages} / ${kib(s.sent.bytes)} by /stats, ${k.sent.messages} / ${kib(k.sent.bytes)} reached the kit; received ${s.received.messages} / ${kib(s.received.bytes)} by /stats, ${k.received.messages} / ${kib(k.received.bytes)} delivered by the kit`;
  });
}

const sent = [
  `net.oneWay(n0, n1) before round 1`,
  'POST /nodes/n4/state {"meta":"counted"} before round 3',
  `${ROUNDS} rounds, then POST /nodes/n2/pushpull {"peer":"n3"}`,
];

export const counters: CheckDefinition = {
  id: 'gossip.counters',
  system: 'gossip',
  level: 'required',
  title: 'The /stats traffic counters equal what the network carried',
  criterion: `${SCENARIO}. Once nothing has moved for ${STILL_MS / 1000} s, every node's /stats sent.messages and sent.bytes equal the datagrams (UDP payload bytes) from it that reached the kit, and received.messages and received.bytes the datagrams the kit delivered to it (the contract's "How the kit ends a round").`,
  needsKnobs: ['mode', 'indirectChecks'],
  timeoutMs: 90_000,
  async run(ctx): Promise<CheckOutcome> {
    const o = await runScenario(ctx);
    const clusters: Array<[string, GossipCluster]> = [['cluster', o.c]];
    if (o.problem?.kind === 'missing') return failWith(o.problem.text, clusters, { sent });
    if (o.problem) return unknown(o.problem.text, withCluster(clusters, { sent }));
    const diffs = o.diffs ?? [];
    const observed = table(o);
    if (diffs.length > 0) {
      return failWith(
        `${diffs.length} counter(s) differ from the kit's with nothing in flight, e.g. ${describeDiff(diffs[0] as CounterDiff)}`,
        clusters,
        { sent, observed: [...diffs.map(describeDiff), ...observed], metrics: { differing: diffs.length } },
      );
    }
    const total = [...(o.kit?.values() ?? [])].reduce((a, t) => a + t.sent.messages, 0);
    return passWith(`every node's sent/received messages and bytes equal the kit's link counters (${total} datagrams in all)`, clusters, {
      sent,
      observed,
      metrics: { datagrams: total },
    });
  },
};

export const bookOnly: CheckDefinition = {
  id: 'gossip.book-only',
  system: 'gossip',
  level: 'required',
  title: 'Every datagram goes to an address-book address and leaves from the node’s own socket',
  criterion: `${SCENARIO}. The cluster rule (CLUSTER.md): no datagram reaches the kit from an address that is no node's {listen} address, and no node's /stats show more datagrams sent than reached the kit or more received than the kit delivered (those went to, or came from, an address outside the book).`,
  needsKnobs: ['mode', 'indirectChecks'],
  timeoutMs: 90_000,
  async run(ctx): Promise<CheckOutcome> {
    const o = await runScenario(ctx);
    const clusters: Array<[string, GossipCluster]> = [['cluster', o.c]];
    const stray = o.c.net.unattributed();
    if (stray.messages > 0) {
      return failWith(
        `${stray.messages} datagram(s) (${kib(stray.bytes)}) reached the kit from an address that is no node's {listen} address: sent from another socket`,
        clusters,
        { sent, observed: table(o), metrics: { unattributed: stray.messages } },
      );
    }
    if (o.problem?.kind === 'missing') return unknown(`cannot compare: ${o.problem.text}`, withCluster(clusters, { sent }));
    if (o.problem) return unknown(o.problem.text, withCluster(clusters, { sent }));
    const outside = outsideBook(o.diffs ?? []);
    if (outside.length > 0) {
      const d = outside[0] as CounterDiff;
      const extra = d.stats - d.kit;
      const how = d.field.startsWith('sent')
        ? `sent ${extra} datagram(s) the kit never received: to an address outside its book`
        : `read ${extra} datagram(s) the kit never delivered: from an address outside its book`;
      return failWith(`${d.node} ${how} (${describeDiff(d)}; or its counters over-count)`, clusters, {
        sent,
        observed: [...outside.map(describeDiff), ...table(o)],
        metrics: { nodes: outside.length },
      });
    }
    return passWith(
      'every datagram went through the book: none from a stray address, no node counted traffic the kit did not carry',
      clusters,
      { sent, observed: table(o) },
    );
  },
};
