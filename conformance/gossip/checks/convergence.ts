import type { CheckDefinition } from '../../../harness/checks/check.ts';
import { delay } from '../../../harness/common/wait.ts';
import { GossipCluster } from '../gossip-cluster.ts';
import { arrowLine, convergenceLine } from '../rounds.ts';
import { countAware, dumpViews, offending, viewsData, type Entry, type Views } from '../views.ts';
import { awarePlot, failWith, passWith, relative } from './common.ts';

const SIZE = 20;
const ROUND_BOUND = 5;
const PERIOD_MS = 100;
/** Free mode: the 5-round equivalent is 0.5 s; 6× slack for a loaded 2-core machine… */
const FREE_BOUND_MS = 3000;
/** …unless the nodes ran fewer than 3× the round bound by then (their clocks starved), up to a cap. */
const FREE_ROUNDS = 3 * ROUND_BOUND;
const FREE_CAP_MS = 30_000;

/** Median over the nodes read both times of the rounds each ran between two readings (view.round). */
export function medianRoundsSince(before: Views, now: Views): number {
  const runs: number[] = [];
  for (const [id, v] of now) {
    const b = before.get(id);
    if (b !== undefined && b.round >= 0 && v.round >= 0) runs.push(v.round - b.round);
  }
  if (runs.length === 0) return 0;
  runs.sort((x, y) => x - y);
  return runs[Math.floor(runs.length / 2)] as number;
}

export const convergence: CheckDefinition = {
  id: 'gossip.convergence',
  system: 'gossip',
  level: 'required',
  title: 'A state change reaches all 20 nodes within 5 rounds',
  criterion: `${SIZE} nodes, 2 warm-up rounds, then n0 changes its state (POST /nodes/n0/state {meta}): every view shows n0 at ≥ the returned generation with that meta within ${ROUND_BOUND} rounds (round-driven). Free-running (periodMs ${PERIOD_MS}): every view within ${FREE_BOUND_MS / 1000} s (the ${ROUND_BOUND}-round equivalent, ${(ROUND_BOUND * PERIOD_MS) / 1000} s, with 6× slack), or, on a machine so loaded that the nodes have not run ${FREE_ROUNDS} rounds by then (their view.round), within ${FREE_ROUNDS} rounds of their own clocks (${FREE_CAP_MS / 1000} s at most). The per-round count of nodes aware is reported.`,
  needsKnobs: ['mode'],
  timeoutMs: 120_000,
  async run(ctx) {
    const meta = `load=0.${ctx.random.int(10, 99)};conv`;
    const isNews = (g: number) => (e: Entry | undefined) => e !== undefined && e.generation >= g && e.meta === meta;

    // Round-driven.
    const c = await GossipCluster.start(ctx, { size: SIZE, mode: 'round', label: 'round' });
    await c.step();
    await c.step();
    const me = await c.state('n0', { meta });
    if (me.meta !== meta)
      return failWith(`POST /nodes/n0/state {meta:${JSON.stringify(meta)}} answered meta ${JSON.stringify(me.meta)}`, [['round', c]]);
    const aware = (v: Views) => ({ aware: countAware(v, c.ids, 'n0', isNews(me.generation)) });
    const base = c.round;
    await c.record(aware);
    const { round } = await c.until((v) => aware(v).aware === SIZE, ROUND_BOUND, aware);
    const roundPoints = relative(c.log.series('aware'), base);
    const table = convergenceLine(roundPoints);
    const bytesPerRound = Math.round(c.log.meanBytes(base + 1));
    if (round === undefined) {
      const views = c.lastViews;
      return failWith(
        `only ${aware(views).aware}/${SIZE} views hold n0@${me.generation} ${JSON.stringify(meta)} after ${ROUND_BOUND} rounds (${arrowLine(roundPoints)})`,
        [['round', c]],
        {
          sent: [`POST /nodes/n0/state ${JSON.stringify({ meta })} → generation ${me.generation}`],
          observed: [
            ...offending(
              views,
              c.ids,
              ['n0'],
              (e) => (isNews(me.generation)(e) ? undefined : `want ≥ @${me.generation} ${JSON.stringify(meta)}`),
              10,
            ),
            `round-driven: ${table}`,
          ],
          metrics: { nodes: SIZE, roundsBound: ROUND_BOUND, bytesPerRound },
          data: {
            plots: [awarePlot('n0’s update: nodes aware per round (round-driven)', [{ name: 'round-driven', points: roundPoints }])],
            views: viewsData(views),
          },
        },
      );
    }
    const took = round - base;

    // Free-running: the same change under real timers. The time bound is 3 s, stretched when the machine
    // is so loaded that the nodes' own round counters show fewer than FREE_ROUNDS rounds run by then.
    const f = await GossipCluster.start(ctx, { size: SIZE, mode: 'free', knobs: { periodMs: PERIOD_MS }, label: 'free' });
    const period = ctx.candidate.manifest.knobs.periodMs ? PERIOD_MS : undefined;
    await delay(3 * PERIOD_MS); // a few periods of healthy running before the change
    const fme = await f.state('n0', { meta });
    const t0 = performance.now();
    const before = await f.readViews(); // round counters just after the change took effect
    const samples: Array<{ ms: number; aware: number; rounds: number }> = [];
    let freeMs: number | undefined;
    let views: Views = new Map();
    for (;;) {
      views = await f.readViews();
      const aware = countAware(views, f.ids, 'n0', isNews(fme.generation));
      const ms = performance.now() - t0;
      const rounds = medianRoundsSince(before, views);
      samples.push({ ms, aware, rounds });
      if (aware === SIZE) {
        freeMs = ms;
        break;
      }
      if (ms > FREE_CAP_MS || (ms > FREE_BOUND_MS && rounds > FREE_ROUNDS)) break;
      await delay(25);
    }
    const last = samples.at(-1) as { ms: number; aware: number; rounds: number };
    const freePoints: Array<[number, number]> = samples.map(({ ms, aware }) => [Number((ms / PERIOD_MS).toFixed(2)), aware]);
    const freeLine = samples
      .filter((_, i) => i % 4 === 0 || i === samples.length - 1)
      .map((x) => `${(x.ms / 1000).toFixed(2)} s (${x.rounds} rounds run): ${x.aware}`)
      .join(', ');
    const plots = [
      awarePlot(`n0’s update: nodes aware per round (free-running: elapsed / ${PERIOD_MS} ms)`, [
        { name: 'round-driven', points: roundPoints },
        { name: `free-running (${PERIOD_MS} ms periods)`, points: freePoints },
      ]),
    ];
    const observed = [`round-driven: ${table}`, `free-running: ${freeLine}`];
    const metrics = {
      nodes: SIZE,
      roundsToConverge: took,
      roundsBound: ROUND_BOUND,
      bytesPerRound,
      freeRunningMs: freeMs === undefined ? 'never' : Math.round(freeMs),
      freeRunningRounds: last.rounds,
      freeRunningBoundMs: FREE_BOUND_MS,
    };
    const notes = [
      ...(period === undefined ? ['the manifest declares no periodMs knob: free mode ran with the candidate’s own period'] : []),
      `free-running bound: ${FREE_BOUND_MS / 1000} s, extended while the nodes' own round counters (view.round, median) show at most ${FREE_ROUNDS} rounds run since the change (a starved machine), ${FREE_CAP_MS / 1000} s at most`,
    ];
    const clusters: Array<[string, GossipCluster]> = [
      ['round', c],
      ['free', f],
    ];
    if (freeMs === undefined) {
      return failWith(
        `free-running: only ${last.aware}/${SIZE} views hold n0’s update after ${(last.ms / 1000).toFixed(1)} s and ${last.rounds} rounds run (round-driven took ${took} rounds)`,
        clusters,
        {
          observed: [
            ...dumpViews(views, f.ids, 6),
            ...offending(views, f.ids, ['n0'], (e) => (isNews(fme.generation)(e) ? undefined : 'not updated'), 8),
            ...observed,
          ],
          metrics,
          notes,
          data: { plots, views: viewsData(views) },
        },
      );
    }
    return passWith(
      `${SIZE}/${SIZE} aware in ${took} rounds (${arrowLine(roundPoints)}; bound ${ROUND_BOUND}); free-running in ${(freeMs / 1000).toFixed(2)} s`,
      clusters,
      {
        sent: [
          `POST /nodes/n0/state ${JSON.stringify({ meta })} → generation ${me.generation} (round-driven), ${fme.generation} (free-running)`,
        ],
        observed,
        metrics,
        notes,
        data: { plots, table: roundPoints },
      },
    );
  },
};
