import type { CheckDefinition } from '../../../harness/checks/check.ts';
import { GossipCluster } from '../gossip-cluster.ts';
import { describeEntry, dumpViews, offending, viewsData, type Views } from '../views.ts';
import { allAliveCount, awarePlot, failWith, findStatus, passWith } from './common.ts';

const SIZE = 20;
const LOSS = 0.1;
const LOSSY_ROUNDS = 30;
const CLEAN_ROUNDS = 10;
const S = 8;

export const lossy: CheckDefinition = {
  id: 'gossip.lossy',
  system: 'gossip',
  level: 'recommended',
  title: '10% loss on every link: no healthy node declared Dead',
  criterion: `${SIZE} nodes, S=${S}, ${LOSS * 100}% loss on every directed link for ${LOSSY_ROUNDS} rounds, then ${CLEAN_ROUNDS} clean rounds: no view ever holds a member Dead (transient suspicions are allowed and reported), and every view holds every member alive at the end.`,
  needsKnobs: ['mode', 'suspicionRounds'],
  timeoutMs: 120_000,
  async run(ctx) {
    const c = await GossipCluster.start(ctx, { size: SIZE, mode: 'round', knobs: { suspicionRounds: S } });
    const suspicions = (v: Views) => {
      let n = 0;
      for (const x of c.ids) n += v.get(x)?.members.filter((m) => m.status === 'suspected').length ?? 0;
      return n;
    };
    const measure = (v: Views) => ({ 'views all alive': allAliveCount(v, c.ids, c.ids), 'suspected entries': suspicions(v) });
    await c.step();
    for (const a of c.ids) for (const b of c.ids) if (a !== b) c.net.loss(a, b, LOSS);
    c.mark('loss on every link', { p: LOSS });
    const start = c.round;
    const noDead = (v: Views) => {
      const d = findStatus(v, c.ids, c.ids, 'dead');
      return d ? `round ${c.round - start}: ${d.viewer} holds ${describeEntry(d.entry)}` : undefined;
    };
    const lossyPhase = await c.until(() => false, LOSSY_ROUNDS, measure, noDead);
    const dropped = c.net.totals().dropped.messages;
    let violation = lossyPhase.violation;
    if (violation === undefined) {
      c.net.clearFaults();
      c.mark('loss removed');
      violation = (await c.until(() => false, CLEAN_ROUNDS, measure, noDead)).violation;
    }
    const series = c.log.series('suspected entries').filter(([r]) => r > start);
    const peak = Math.max(0, ...series.map(([, n]) => n));
    const roundsWithSuspicion = series.filter(([, n]) => n > 0).length;
    const plots = [
      awarePlot(
        `${LOSS * 100}% loss for ${LOSSY_ROUNDS} rounds, then clean`,
        [
          { name: 'views all alive', points: c.log.series('views all alive') },
          { name: 'suspected entries (all views)', points: c.log.series('suspected entries') },
        ],
        'views / entries',
      ),
    ];
    const metrics = { rounds: c.round - start, datagramsDropped: dropped, roundsWithSuspicion, peakSuspectedEntries: peak };
    const observed = [`suspected entries across all views per round: ${series.map(([r, n]) => `${r - start}:${n}`).join(' ')}`];
    const clusters: Array<[string, GossipCluster]> = [['cluster', c]];
    if (violation) {
      return failWith(`a healthy node declared Dead under ${LOSS * 100}% loss: ${violation}`, clusters, {
        observed: [...dumpViews(c.lastViews), ...observed],
        metrics,
        data: { plots, views: viewsData(c.lastViews) },
      });
    }
    const end = c.lastViews;
    if (allAliveCount(end, c.ids, c.ids) !== SIZE) {
      return failWith(
        `${CLEAN_ROUNDS} clean rounds after the loss, ${allAliveCount(end, c.ids, c.ids)}/${SIZE} views hold every member alive`,
        clusters,
        {
          observed: [...observed, ...offending(end, c.ids, c.ids, (e) => (e?.status === 'alive' ? undefined : 'want alive'))],
          metrics,
          data: { plots, views: viewsData(end) },
        },
      );
    }
    return passWith(
      `${LOSSY_ROUNDS} rounds at ${LOSS * 100}% loss (${dropped} dropped): no Dead; suspicions in ${roundsWithSuspicion} round(s), all refuted`,
      clusters,
      { observed, metrics, data: { plots } },
    );
  },
};
