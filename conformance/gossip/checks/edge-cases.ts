import type { CheckDefinition } from '../../../harness/checks/check.ts';
import { CandidateError, describeExit } from '../../../harness/process/supervisor.ts';
import { GossipCluster } from '../gossip-cluster.ts';
import { describeEntry, dumpViews, entryIn, viewsData, type Entry, type NodeView, type Views } from '../views.ts';
import { failWith, findStatus, passWith } from './common.ts';

const ROUNDS = 20;

/** Every host process still running; else a description of the exit. */
function crashed(c: GossipCluster): string | undefined {
  const dead = c.cluster.hosts.find((h) => !h.proc.running);
  return dead
    ? `the process hosting ${dead.nodeIds.join(',')} exited (${dead.proc.exitInfo ? describeExit(dead.proc.exitInfo) : 'unknown'})`
    : undefined;
}

/** No member other than alive, anywhere (healthy cluster). */
function falseSuspicion(v: Views, ids: readonly string[]): string | undefined {
  const s = findStatus(v, ids, ids, 'suspected') ?? findStatus(v, ids, ids, 'dead');
  return s ? `${s.viewer} holds ${describeEntry(s.entry)}` : undefined;
}

/** The 1-node steps: 3 rounds, a per-node tick, a state change, a round, the view; a candidate error is a failure. */
async function soloRun(one: GossipCluster): Promise<{ me: Entry; v1: NodeView } | { failure: string }> {
  try {
    for (let i = 0; i < 3; i++) await one.step();
    const single = await one.nodeRequest('n0', 'POST', '/tick');
    if (single.status !== 200)
      return { failure: `POST /nodes/n0/tick answered ${single.status} ${JSON.stringify(single.response).slice(0, 120)}` };
    const me = await one.state('n0', { meta: 'alone' });
    await one.step();
    return { me, v1: await one.view('n0') };
  } catch (error) {
    if (error instanceof CandidateError) return { failure: `${error.code}: ${error.message}` };
    throw error;
  }
}

export const edgeCases: CheckDefinition = {
  id: 'gossip.edge-cases',
  system: 'gossip',
  level: 'required',
  title: 'Tiny clusters and K larger than the available peers',
  criterion: `1 node: ticks, a state change and its view work (only itself, alive, the new generation and meta). 2 nodes: ${ROUNDS} rounds with no suspicion anywhere, and an update crosses within 5 rounds. 4 nodes with K=10 and n0→n1 dropped: ${ROUNDS} rounds, n1 stays alive in n0's view (2 helpers only), no member ever Dead. No process exits, no request fails.`,
  needsKnobs: ['mode', 'indirectChecks'],
  timeoutMs: 90_000,
  async run(ctx) {
    const done: string[] = [];

    // One node.
    const one = await GossipCluster.start(ctx, { size: 1, mode: 'round', label: '1 node' });
    const c1: Array<[string, GossipCluster]> = [['1 node', one]];
    // A lone node that cannot tick or answer is this part's failure, reported with its cluster's logs and timeline.
    const solo = await soloRun(one);
    if ('failure' in solo)
      return failWith(`1 node: ${solo.failure}`, c1, {
        sent: ['3 rounds (POST /tick), POST /nodes/n0/tick, POST /nodes/n0/state {"meta":"alone"}, 1 round, GET /nodes/n0/view'],
      });
    const { me, v1 } = solo;
    const self = v1.members.find((m) => m.id === 'n0');
    if (v1.members.length !== 1 || self?.status !== 'alive' || self.generation < me.generation || self.meta !== 'alone') {
      return failWith(
        `1 node: view after a state change is ${v1.members.map((m) => describeEntry(m)).join(', ') || '(empty)'}, want only n0 alive@≥${me.generation} "alone"`,
        c1,
        { observed: [JSON.stringify(v1)] },
      );
    }
    const gone1 = crashed(one);
    if (gone1) return failWith(`1 node: ${gone1}`, c1);
    done.push(`1 node: 5 rounds and a state change, view ${describeEntry(self)}`);

    // Two nodes.
    const two = await GossipCluster.start(ctx, { size: 2, mode: 'round', label: '2 nodes' });
    const c2: Array<[string, GossipCluster]> = [['2 nodes', two]];
    let update: { gen: number; at: number } | undefined;
    let crossedAt: number | undefined;
    for (let r = 1; r <= ROUNDS; r++) {
      if (r === 6) update = { gen: (await two.state('n1', { meta: 'pair' })).generation, at: two.round };
      const v = await two.step();
      const bad = falseSuspicion(v, two.ids);
      if (bad)
        return failWith(`2 nodes, round ${r}: ${bad} in a healthy pair`, c2, { observed: dumpViews(v), data: { views: viewsData(v) } });
      const e = entryIn(v, 'n0', 'n1');
      if (update && crossedAt === undefined && e !== undefined && e.generation >= update.gen && e.meta === 'pair')
        crossedAt = two.round - update.at;
      if (update && crossedAt === undefined && two.round - update.at >= 5) {
        return failWith(
          `2 nodes: n1's update @${update.gen} "pair" not in n0's view 5 rounds later (n0 holds ${describeEntry(e, 'n1')})`,
          c2,
          { observed: dumpViews(v) },
        );
      }
    }
    const gone2 = crashed(two);
    if (gone2) return failWith(`2 nodes: ${gone2}`, c2);
    done.push(`2 nodes: ${ROUNDS} rounds all alive, n1's update crossed in ${crossedAt} round(s)`);

    // Four nodes, K=10 > the 2 available helpers, n0→n1 dropped.
    const four = await GossipCluster.start(ctx, { size: 4, mode: 'round', knobs: { indirectChecks: 10 }, label: '4 nodes K=10' });
    const c4: Array<[string, GossipCluster]> = [['4 nodes K=10', four]];
    four.net.oneWay('n0', 'n1');
    let violation: string | undefined;
    for (let r = 1; r <= ROUNDS && violation === undefined; r++) {
      const v = await four.step();
      const e = entryIn(v, 'n0', 'n1');
      if (e?.status !== 'alive') violation = `round ${r}: n0 holds ${describeEntry(e, 'n1')}`;
      const dead = findStatus(v, four.ids, four.ids, 'dead');
      if (!violation && dead) violation = `round ${r}: ${dead.viewer} holds ${describeEntry(dead.entry)}`;
    }
    const links = four.links([
      ['n0', 'n1'],
      ['n0', 'n2'],
      ['n0', 'n3'],
      ['n2', 'n1'],
      ['n3', 'n1'],
    ]);
    const gone4 = crashed(four);
    const all: Array<[string, GossipCluster]> = [...c1, ...c2, ...c4];
    if (violation || gone4) {
      return failWith(`4 nodes, K=10, n0→n1 dropped: ${violation ?? gone4}`, c4, {
        observed: [...dumpViews(four.lastViews), ...links],
        data: { views: viewsData(four.lastViews) },
      });
    }
    done.push(
      `4 nodes, K=10, n0→n1 dropped: n1 alive for n0 through ${ROUNDS} rounds (${four.net.linkCounters('n0', 'n1').dropped.messages} datagrams dropped)`,
    );
    return passWith('1 node, 2 nodes and K=10 with 2 helpers: no crash, no false suspicion', all, { observed: [...done, ...links] });
  },
};
