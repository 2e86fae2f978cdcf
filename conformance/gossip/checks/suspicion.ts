import type { CheckDefinition, CheckOutcome } from '../../../harness/checks/check.ts';
import { detectionBound } from '../bounds.ts';
import { GossipCluster } from '../gossip-cluster.ts';
import { countAware, describeEntry, dumpViews, entryIn, offending, viewsData, type Entry, type Views } from '../views.ts';
import { allAliveCount, awarePlot, failWith, findStatus, passWith } from './common.ts';

const SIZE = 10;
const S_FAIL = 5;
const S_REFUTE = 8;

interface Tracking {
  firstNonAlive?: { round: number; viewer: string; entry: Entry };
  firstDead?: { round: number; viewer: string; entry: Entry };
}

/** Part A: a node that truly fails goes Suspected, then Dead after S rounds, in every other view. */
async function trueFailure(c: GossipCluster, victim: string): Promise<{ outcome?: CheckOutcome; summary: string; observed: string[] }> {
  const healthy = c.ids.filter((id) => id !== victim);
  const isSuspected = (e: Entry | undefined) => e?.status === 'suspected';
  const isDead = (e: Entry | undefined) => e?.status === 'dead';
  const measure = (v: Views) => ({ suspected: countAware(v, healthy, victim, isSuspected), dead: countAware(v, healthy, victim, isDead) });
  await c.step();
  await c.step();
  c.net.isolate(victim);
  const start = c.round;
  await c.record(measure);
  const t: Tracking = {};
  const table = () =>
    c.log.records
      .filter((r) => r.round >= start && 'suspected' in r.counts)
      .map((r) => `round ${r.round - start}: ${r.counts.suspected ?? 0} suspect, ${r.counts.dead ?? 0} dead`)
      .join('; ');
  const clusters: Array<[string, GossipCluster]> = [['true failure', c]];
  const fail = (summary: string, views: Views): { outcome: CheckOutcome; summary: string; observed: string[] } => ({
    outcome: failWith(summary, clusters, {
      sent: [`2 warm-up rounds, then net.isolate(${victim}) (its process keeps running: the kit cuts its links)`],
      observed: [
        ...dumpViews(views, healthy),
        `${victim} as seen by the ${healthy.length} others, per round since the isolation: ${table()}`,
      ],
      metrics: {
        suspicionRounds: S_FAIL,
        firstNonAlive: t.firstNonAlive ? t.firstNonAlive.round - start : 'never',
        firstDead: t.firstDead ? t.firstDead.round - start : 'never',
      },
      data: { plots: [plotOf(c, start, victim)], views: viewsData(views) },
    }),
    summary,
    observed: [],
  });
  const limit = detectionBound(SIZE) + S_FAIL + 10;
  for (let i = 0; i < limit; i++) {
    const views = await c.step(measure);
    const r = c.round;
    // Healthy members are never Dead anywhere.
    const wrongDead = findStatus(views, healthy, healthy, 'dead');
    if (wrongDead) return fail(`round ${r - start}: ${wrongDead.viewer} holds healthy ${describeEntry(wrongDead.entry)} Dead`, views);
    for (const v of healthy) {
      const e = entryIn(views, v, victim);
      if (e === undefined || e.status === 'alive') continue;
      if (!t.firstNonAlive) t.firstNonAlive = { round: r, viewer: v, entry: e };
      if (e.status === 'dead' && !t.firstDead) t.firstDead = { round: r, viewer: v, entry: e };
    }
    if (t.firstNonAlive && t.firstNonAlive.entry.status === 'dead') {
      return fail(
        `${victim} went straight to Dead: ${t.firstNonAlive.viewer} holds ${describeEntry(t.firstNonAlive.entry)} at round ${r - start} and no view ever held it Suspected`,
        views,
      );
    }
    if (t.firstNonAlive && t.firstDead && t.firstDead.round < t.firstNonAlive.round + S_FAIL) {
      return fail(
        `${victim} Dead too early: first Suspected at round ${t.firstNonAlive.round - start}, Dead in ${t.firstDead.viewer}'s view at round ${t.firstDead.round - start} (< ${S_FAIL} rounds later)`,
        views,
      );
    }
    if (!t.firstNonAlive && r - start >= detectionBound(SIZE)) {
      return fail(`${victim} isolated for ${r - start} rounds and still alive in every view (bound ${detectionBound(SIZE)} = 2N)`, views);
    }
    if (t.firstNonAlive && r - t.firstNonAlive.round > S_FAIL + 10) {
      return fail(
        `${victim} not Dead everywhere ${r - t.firstNonAlive.round} rounds after the first suspicion (bound S+10 = ${S_FAIL + 10})`,
        views,
      );
    }
    if (countAware(views, healthy, victim, isDead) === healthy.length) {
      const s = t.firstNonAlive as NonNullable<Tracking['firstNonAlive']>;
      const d = t.firstDead as NonNullable<Tracking['firstDead']>;
      return {
        summary: `failed node Suspected at +${s.round - start}, Dead at +${d.round - start}, everywhere at +${r - start}`,
        observed: [`true failure (S=${S_FAIL}): ${victim} per round since isolation: ${table()}`],
      };
    }
  }
  return fail(`${victim} not Dead in every view after ${limit} rounds`, c.lastViews);
}

function plotOf(c: GossipCluster, start: number, victim: string) {
  const at = (name: string) =>
    c.log
      .series(name)
      .filter(([r]) => r >= start)
      .map(([r, n]) => [r - start, n] as [number, number]);
  return awarePlot(
    `${victim} isolated: views holding it Suspected / Dead per round`,
    [
      { name: 'suspected', points: at('suspected') },
      { name: 'dead', points: at('dead') },
    ],
    'views',
  );
}

/** Part B: a node cut off until it is suspected, then healed, refutes inside the window. */
async function refutation(c: GossipCluster, victim: string): Promise<{ outcome?: CheckOutcome; summary: string; observed: string[] }> {
  const healthy = c.ids.filter((id) => id !== victim);
  const measure = (v: Views) => ({
    suspected: countAware(v, healthy, victim, (e) => e?.status === 'suspected'),
    'all alive': allAliveCount(v, c.ids, c.ids),
  });
  await c.step();
  await c.step();
  c.net.isolate(victim);
  const cut = c.round;
  const clusters: Array<[string, GossipCluster]> = [['refutation', c]];
  const table = () =>
    c.log.records
      .filter((r) => r.round > cut)
      .map((r) => `round ${r.round - cut}: ${r.counts.suspected ?? 0} suspect, ${r.counts['all alive'] ?? 0} views all alive`)
      .join('; ');
  let claim: Entry | undefined;
  let neverDead: string | undefined;
  const noDeadVictim = (v: Views): string | undefined => {
    const d = findStatus(v, healthy, [victim], 'dead');
    return d ? `round ${c.round - cut}: ${d.viewer} holds ${describeEntry(d.entry)}` : undefined;
  };
  const suspected = await c.until(
    (v) => {
      for (const h of healthy) {
        const e = entryIn(v, h, victim);
        if (e?.status === 'suspected' && (claim === undefined || e.generation > claim.generation)) claim = e;
      }
      return claim !== undefined;
    },
    detectionBound(SIZE),
    measure,
    (v) => (neverDead = noDeadVictim(v)),
  );
  const fail = (summary: string, views: Views, extra: string[] = []) => ({
    outcome: failWith(summary, clusters, {
      sent: [`2 warm-up rounds, net.isolate(${victim}) until a view holds it Suspected, then net.heal()`],
      observed: [...dumpViews(views), `refutation (S=${S_REFUTE}), per round since the cut: ${table()}`, ...extra],
      metrics: { suspicionRounds: S_REFUTE, claimGeneration: claim?.generation ?? 'none' },
      data: {
        views: viewsData(views),
        plots: [
          awarePlot(
            `${victim} cut then healed: views holding every member alive`,
            [
              {
                name: 'all alive',
                points: c.log
                  .series('all alive')
                  .filter(([r]) => r >= cut)
                  .map(([r, n]) => [r - cut, n] as [number, number]),
              },
            ],
            'views',
          ),
        ],
      },
    }),
    summary,
    observed: [],
  });
  if (neverDead) return fail(`${victim} declared Dead while merely cut off: ${neverDead}`, c.lastViews);
  if (suspected.round === undefined || claim === undefined)
    return fail(`${victim} cut off for ${detectionBound(SIZE)} rounds and never Suspected`, c.lastViews);
  const g = claim.generation;
  c.net.heal();
  const healed = c.round;
  const refuted = (v: Views) =>
    allAliveCount(v, c.ids, c.ids) === c.ids.length && c.ids.every((viewer) => (entryIn(v, viewer, victim)?.generation ?? -1) > g);
  const done = await c.until(refuted, S_REFUTE - 1, measure, (v) => (neverDead = noDeadVictim(v)));
  if (neverDead) return fail(`${victim} recovered inside the window but was declared Dead: ${neverDead}`, c.lastViews);
  if (done.round === undefined) {
    const views = c.lastViews;
    const bad = offending(views, c.ids, c.ids, (e, _v, m) =>
      e?.status !== 'alive' ? 'not alive' : m === victim && e.generation <= g ? `generation not above the claim's ${g}` : undefined,
    );
    return fail(
      `${victim} healed ${S_REFUTE - 1} rounds ago after being suspected at @${g}: not every view holds every member alive with ${victim} above @${g} (no refutation?)`,
      views,
      bad,
    );
  }
  const gen = entryIn(c.lastViews, healthy[0] as string, victim)?.generation;
  return {
    summary: `a recovered node refuted in ${done.round - healed} round(s) (@${g} → @${gen})`,
    observed: [
      `refutation (S=${S_REFUTE}): ${victim} suspected at @${g} ${suspected.round - cut} round(s) after the cut; healed; all alive with ${victim}@${gen} after ${done.round - healed} round(s). Per round: ${table()}`,
    ],
  };
}

export const suspicion: CheckDefinition = {
  id: 'gossip.suspicion',
  system: 'gossip',
  level: 'required',
  title: 'Suspicion before death; refutation with a higher generation',
  criterion: `${SIZE} nodes. True failure (S=${S_FAIL}): a node cut off for good is Suspected in some view within 2N rounds, no view holds it Dead before S rounds after it was first seen Suspected, it is Dead in every other view within S+10 rounds of that, and no healthy member is ever Dead. Recovery (S=${S_REFUTE}): a node cut off until some view holds it Suspected at generation g, then reconnected, refutes: within S−1 rounds every view holds every member alive and it at a generation > g, and it is never Dead anywhere.`,
  needsKnobs: ['mode', 'suspicionRounds'],
  timeoutMs: 120_000,
  async run(ctx) {
    const victim = `n${ctx.random.int(1, SIZE - 1)}`;
    const a = await GossipCluster.start(ctx, { size: SIZE, mode: 'round', knobs: { suspicionRounds: S_FAIL }, label: 'true failure' });
    const partA = await trueFailure(a, victim);
    if (partA.outcome) return partA.outcome;
    const b = await GossipCluster.start(ctx, { size: SIZE, mode: 'round', knobs: { suspicionRounds: S_REFUTE }, label: 'refutation' });
    const partB = await refutation(b, victim);
    if (partB.outcome) return partB.outcome;
    const start = a.log.records.find((r) => r.counts.suspected !== undefined)?.round ?? 0;
    return passWith(
      `${partA.summary}; ${partB.summary}`,
      [
        ['true failure', a],
        ['refutation', b],
      ],
      {
        observed: [...partA.observed, ...partB.observed],
        data: {
          plots: [
            plotOf(a, start, victim),
            awarePlot(
              `${victim} cut then healed: views holding every member alive`,
              [{ name: 'all alive', points: b.log.series('all alive') }],
              'views',
            ),
          ],
        },
      },
    );
  },
};
