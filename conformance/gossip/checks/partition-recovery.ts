import type { CheckDefinition } from '../../../harness/checks/check.ts';
import { partitionDeadBound } from '../bounds.ts';
import { GossipCluster } from '../gossip-cluster.ts';
import { arrowLine, convergenceLine } from '../rounds.ts';
import { countAware, describeEntry, dumpViews, entryIn, offending, viewsData, type Entry, type Views } from '../views.ts';
import { allAliveCount, awarePlot, failWith, findStatus, passWith, relative } from './common.ts';

const SIZE = 10;
const S = 4;
const HEAL_BOUND = 30;
/** Rounds the split is held once complete, so probes started before it have ended when the partition heals. */
const HOLD = 3;

export const partitionRecovery: CheckDefinition = {
  id: 'gossip.partition-recovery',
  system: 'gossip',
  level: 'required',
  title: 'A 7+3 partition: each side declares the other Dead, and all heal after it ends',
  criterion: `${SIZE} nodes, S=${S}; partition {n0…n6} / {n7…n9}; during it n0 changes its state. Each side holds the other side Dead in every view within 2N+S+10 = ${partitionDeadBound(SIZE, S)} rounds, no view holds a member of its own side Dead, and the 3 never see n0's new meta while cut. The split is held ${HOLD} more rounds, then healed. After heal, within ${HEAL_BOUND} rounds every view holds all ${SIZE} members alive and n0's new meta.`,
  needsKnobs: ['mode', 'suspicionRounds'],
  timeoutMs: 120_000,
  async run(ctx) {
    const c = await GossipCluster.start(ctx, { size: SIZE, mode: 'round', knobs: { suspicionRounds: S } });
    const seven = c.ids.slice(0, 7);
    const three = c.ids.slice(7);
    const meta = `zone=${ctx.random.int(100, 999)};partition`;
    const side = (id: string) => (seven.includes(id) ? seven : three);
    const isDead = (e: Entry | undefined) => e?.status === 'dead';
    let gen = Number.POSITIVE_INFINITY;
    const hasMeta = (e: Entry | undefined) => e !== undefined && e.generation >= gen && e.meta === meta;
    const crossDead = (v: Views, viewers: readonly string[], others: readonly string[]) =>
      viewers.filter((x) => others.every((o) => isDead(entryIn(v, x, o)))).length;
    const measure = (v: Views) => ({
      '7 holding the 3 Dead': crossDead(v, seven, three),
      '3 holding the 7 Dead': crossDead(v, three, seven),
      'views all alive': allAliveCount(v, c.ids, c.ids),
      "aware of n0's meta": countAware(v, c.ids, 'n0', hasMeta),
    });
    await c.step();
    await c.step();
    c.net.partition(seven, three);
    const cut = c.round;
    const me = await c.state('n0', { meta });
    gen = me.generation;
    await c.record(measure);
    const clusters: Array<[string, GossipCluster]> = [['cluster', c]];
    /** Datagrams that entered the kit on links across the cut (both directions). */
    const across = () => {
      let n = 0;
      for (const a of seven) for (const b of three) n += c.net.linkCounters(a, b).sent.messages + c.net.linkCounters(b, a).sent.messages;
      return n;
    };
    let acrossAtHeal: number | undefined;
    const plot = () =>
      awarePlot(
        '7+3 partition then heal (round 0 = partition)',
        ['7 holding the 3 Dead', '3 holding the 7 Dead', 'views all alive', "aware of n0's meta"].map((name) => ({
          name,
          points: relative(c.log.series(name), cut),
        })),
        'views',
      );
    const fail = (summary: string, extra: string[] = []) =>
      failWith(summary, clusters, {
        sent: [
          `2 warm-up rounds; net.partition([${seven.join(',')}], [${three.join(',')}]) then POST /nodes/n0/state ${JSON.stringify({ meta })} → @${gen}`,
        ],
        // The terminal report shows the last lines: the most telling ones go last.
        observed: [
          ...dumpViews(c.lastViews),
          ...c.links([
            ['n0', 'n7'],
            ['n7', 'n0'],
            ['n6', 'n9'],
            ['n9', 'n6'],
          ]),
          `per round since the partition: views all alive ${arrowLine(relative(c.log.series('views all alive'), cut))}; 7 holding the 3 Dead ${arrowLine(relative(c.log.series('7 holding the 3 Dead'), cut))}; 3 holding the 7 Dead ${arrowLine(relative(c.log.series('3 holding the 7 Dead'), cut))}`,
          ...extra,
          ...(acrossAtHeal === undefined ? [] : [`datagrams sent across the former cut since the heal: ${across() - acrossAtHeal}`]),
        ],
        metrics: { suspicionRounds: S },
        data: { plots: [plot()], views: viewsData(c.lastViews) },
      });

    const deadBound = partitionDeadBound(SIZE, S);
    const split = await c.until(
      (v) => crossDead(v, seven, three) === seven.length && crossDead(v, three, seven) === three.length,
      deadBound,
      measure,
      (v) => {
        for (const x of c.ids) {
          const own = side(x);
          const bad = findStatus(v, [x], own, 'dead');
          if (bad) return `round ${c.round - cut}: ${x} holds ${describeEntry(bad.entry)} Dead although both are on the same side`;
        }
        const leak = three.find((x) => entryIn(v, x, 'n0')?.meta === meta);
        if (leak)
          return `round ${c.round - cut}: ${leak} holds n0's new meta across the partition (${describeEntry(entryIn(v, leak, 'n0'))})`;
        return undefined;
      },
    );
    if (split.violation) return fail(split.violation);
    if (split.round === undefined) {
      const bad = [
        ...offending(c.lastViews, seven, three, (e) => (isDead(e) ? undefined : 'want dead')),
        ...offending(c.lastViews, three, seven, (e) => (isDead(e) ? undefined : 'want dead')),
      ];
      return fail(
        `after ${deadBound} rounds of partition the sides do not hold each other Dead (7 holding the 3 Dead: ${crossDead(c.lastViews, seven, three)}/7, 3 holding the 7 Dead: ${crossDead(c.lastViews, three, seven)}/3)`,
        bad,
      );
    }
    const splitRounds = split.round - cut;
    const hold = await c.until(
      () => false,
      HOLD,
      measure,
      (v) =>
        crossDead(v, seven, three) === seven.length && crossDead(v, three, seven) === three.length
          ? undefined
          : `round ${c.round - cut}: a side no longer holds the other Dead while still cut`,
    );
    if (hold.violation) return fail(hold.violation);
    acrossAtHeal = across();
    c.net.heal();
    c.mark('healed');
    const healed = c.round;
    const whole = (v: Views) => allAliveCount(v, c.ids, c.ids) === SIZE && countAware(v, c.ids, 'n0', hasMeta) === SIZE;
    const back = await c.until(whole, HEAL_BOUND, measure);
    const afterHeal = relative(c.log.series('views all alive'), healed);
    if (back.round === undefined) {
      const bad = offending(c.lastViews, c.ids, c.ids, (e, _v, m) =>
        e?.status !== 'alive' ? 'want alive' : m === 'n0' && !hasMeta(e) ? `want @≥${gen} ${JSON.stringify(meta)}` : undefined,
      );
      return fail(
        `healed ${HEAL_BOUND} rounds ago, ${across() - (acrossAtHeal ?? 0)} datagrams crossed the former cut since; ${allAliveCount(c.lastViews, c.ids, c.ids)}/${SIZE} views hold all ${SIZE} alive, ${countAware(c.lastViews, c.ids, 'n0', hasMeta)}/${SIZE} hold n0's new meta (${arrowLine(afterHeal)})`,
        [`after heal, views all alive: ${convergenceLine(afterHeal, 'views')}`, ...bad],
      );
    }
    return passWith(
      `sides Dead to each other after ${splitRounds} rounds; after heal all ${SIZE} alive + n0's meta in ${back.round - healed} rounds`,
      clusters,
      {
        observed: [
          `after heal, views holding all ${SIZE} alive: ${convergenceLine(afterHeal, 'views')}`,
          `during the partition, 7 holding the 3 Dead: ${arrowLine(relative(c.log.series('7 holding the 3 Dead'), cut).filter(([r]) => r <= splitRounds))}`,
        ],
        metrics: { roundsUntilSplit: splitRounds, roundsToHeal: back.round - healed, deadBound, healBound: HEAL_BOUND },
        data: { plots: [plot()] },
      },
    );
  },
};
