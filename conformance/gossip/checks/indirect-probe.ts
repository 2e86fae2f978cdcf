import type { CheckDefinition } from '../../../harness/checks/check.ts';
import { GossipCluster } from '../gossip-cluster.ts';
import { describeEntry, dumpViews, entryIn, viewsData, type Views } from '../views.ts';
import { allAliveCount, awarePlot, failWith, findStatus, passWith } from './common.ts';

const SIZE = 5;
const K = 2;
const ROUNDS = 20;
const A = 'n0';
const B = 'n1';

export const indirectProbe: CheckDefinition = {
  id: 'gossip.indirect-probe',
  system: 'gossip',
  level: 'required',
  title: 'A dropped direct path is bridged by indirect probes',
  criterion: `${SIZE} nodes, K=${K}; the kit drops every datagram ${A}→${B} (one way) for ${ROUNDS} rounds. ${A}'s direct probes of ${B} fail, its indirect probes through the other nodes succeed: ${B} is alive in ${A}'s view at every round boundary, ${A}'s /stats probes.indirectOk ≥ 1, no member is ever Dead in any view. The link counters of ${A}→${B} (dropped) and of the helper paths are reported.`,
  needsKnobs: ['mode', 'indirectChecks'],
  timeoutMs: 60_000,
  async run(ctx) {
    const c = await GossipCluster.start(ctx, { size: SIZE, mode: 'round', knobs: { indirectChecks: K } });
    const helpers = c.ids.filter((id) => id !== A && id !== B);
    c.net.oneWay(A, B);
    const measure = (v: Views) => ({
      'B alive for A': entryIn(v, A, B)?.status === 'alive' ? 1 : 0,
      'views all alive': allAliveCount(v, c.ids, c.ids),
    });
    await c.record(measure);
    const { violation } = await c.until(
      () => false,
      ROUNDS,
      measure,
      (v) => {
        const e = entryIn(v, A, B);
        if (e?.status !== 'alive') return `round ${c.round}: ${A} holds ${describeEntry(e, B)}`;
        const dead = findStatus(v, c.ids, c.ids, 'dead');
        if (dead) return `round ${c.round}: ${dead.viewer} holds ${describeEntry(dead.entry)} (nobody failed)`;
        return undefined;
      },
    );
    const stats = await c.stats(A);
    const probes = (stats.probes ?? {}) as Record<string, unknown>;
    const indirectOk = typeof probes.indirectOk === 'number' ? probes.indirectOk : undefined;
    const byType = ((stats.sent as { byType?: Record<string, { messages?: number }> } | undefined)?.byType ?? {}) as Record<
      string,
      { messages?: number }
    >;
    const links = c.links([
      [A, B],
      [B, A],
      ...helpers.flatMap(
        (h) =>
          [
            [A, h],
            [h, B],
            [B, h],
            [h, A],
          ] as Array<[string, string]>,
      ),
    ]);
    const ab = c.net.linkCounters(A, B);
    const observed = [
      ...links,
      `per round, ${B} alive in ${A}'s view: ${c.log
        .series('B alive for A')
        .map(([r, n]) => `${r}:${n ? 'yes' : 'NO'}`)
        .join(' ')}`,
      `${A} /stats probes: ${JSON.stringify(probes)}${byType['ping-req'] ? `; ping-req sent ${byType['ping-req'].messages}` : ''}`,
    ];
    const plots = [
      awarePlot(
        `${A}→${B} dropped: views holding every member alive`,
        [{ name: 'views all alive', points: c.log.series('views all alive') }],
        'views',
      ),
    ];
    const metrics: Record<string, number | string> = {
      rounds: c.round,
      droppedAtoB: ab.dropped.messages,
      indirectOk: indirectOk ?? 'not reported',
      directOk: typeof probes.directOk === 'number' ? probes.directOk : 'not reported',
    };
    const clusters: Array<[string, GossipCluster]> = [['cluster', c]];
    if (violation) {
      return failWith(
        `${violation} while ${A}→${B} was cut (${ab.dropped.messages} datagrams dropped): indirect probes did not bridge the path`,
        clusters,
        {
          sent: [`net.oneWay(${A}, ${B}) before round 1`],
          observed: [...dumpViews(c.lastViews), ...observed],
          metrics,
          data: { plots, views: viewsData(c.lastViews) },
        },
      );
    }
    if (ab.dropped.messages === 0) {
      return failWith(`${A} sent nothing to ${B} in ${ROUNDS} rounds: ${A} never probed ${B} (every member must be probed)`, clusters, {
        observed,
        metrics,
        data: { plots },
      });
    }
    if (indirectOk === undefined || indirectOk < 1) {
      return failWith(
        `${B} stayed alive for ${A}, but ${A}'s /stats reports probes.indirectOk = ${indirectOk ?? 'nothing'}: no probe of ${B} confirmed through a helper`,
        clusters,
        { observed, metrics, data: { plots } },
      );
    }
    return passWith(
      `${B} alive for ${A} through ${ROUNDS} rounds; ${ab.dropped.messages} datagrams ${A}→${B} dropped; ${indirectOk} indirect probe(s) ok`,
      clusters,
      {
        sent: [`net.oneWay(${A}, ${B}) before round 1`],
        observed,
        metrics,
        data: { plots },
      },
    );
  },
};
