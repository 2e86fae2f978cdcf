import type { CheckDefinition } from '../../../harness/checks/check.ts';
import { describeBound, disseminationBound, DISSEMINATION_C, mean } from '../bounds.ts';
import { GossipCluster } from '../gossip-cluster.ts';
import { convergenceLine, kib } from '../rounds.ts';
import { countAware, describeEntry, offending, type Entry, type Views } from '../views.ts';
import { awarePlot, failWith, findStatus, passWith, relative } from './common.ts';

/** One scale check: its size and how much it does at that size. */
export interface ScaleOptions {
  size: number;
  level: CheckDefinition['level'];
  warmup: number;
  updates: number;
  timeoutMs: number;
  /** Not run by default (see {@link CheckDefinition.optIn}). */
  optIn?: string;
}

/** The scale check at `size` nodes: the same criterion and bound (2·⌈log2 N⌉) at any N. */
export function scaleCheck(o: ScaleOptions): CheckDefinition {
  const { size: SIZE, warmup: WARMUP, updates: UPDATES } = o;
  return {
    id: `gossip.scale-${SIZE}`,
    system: 'gossip',
    level: o.level,
    heavy: true,
    ...(o.optIn ? { optIn: o.optIn } : {}),
    title: `${SIZE.toLocaleString('en-US')} nodes: O(log N) dissemination, memory and bytes per round`,
    criterion: `${SIZE} nodes (hosted per the manifest's nodesPerProcess), ${WARMUP} warm-up rounds, then ${UPDATES} state changes from nodes in different processes, one after another: each reaches all ${SIZE} views within ${describeBound(SIZE)} rounds (O(log N): push gossip needs log2 N + ln N rounds at fanout 1, so c = ${DISSEMINATION_C} covers any fanout ≥ 1; a relay that is not logarithmic needs ~N/fanout). No member is ever Dead. Reported: membership.bytes per node (/stats), bytes per round (the kit's link counters), rounds and seconds to converge.`,
    needsKnobs: ['mode'],
    timeoutMs: o.timeoutMs,
    async run(ctx) {
      const bound = disseminationBound(SIZE);
      const c = await GossipCluster.start(ctx, { size: SIZE, mode: 'round' });
      const clusters: Array<[string, GossipCluster]> = [['cluster', c]];
      const noDead = (v: Views) => {
        const d = findStatus(v, c.ids, c.ids, 'dead');
        return d ? `round ${c.round}: ${d.viewer} holds ${describeEntry(d.entry)} (nobody failed)` : undefined;
      };
      const warm = await c.until(() => false, WARMUP, undefined, noDead);
      if (warm.violation) return failWith(warm.violation, clusters);
      const steadyBytes = c.log.meanBytes(1, WARMUP);
      const steadyMessages = mean(c.log.records.filter((r) => r.round >= 1 && r.round <= WARMUP).map((r) => r.messages));

      // Sources spread over the processes (n0, n50, … with 50 per process).
      const per = Math.max(1, Math.floor(SIZE / UPDATES));
      const sources = Array.from({ length: UPDATES }, (_, i) => `n${i * per + ctx.random.int(0, Math.min(per, 10) - 1)}`);
      const rounds: number[] = [];
      const seconds: number[] = [];
      const series: Array<{ name: string; points: Array<[number, number]> }> = [];
      const lines: string[] = [];
      for (const [i, src] of sources.entries()) {
        const meta = `load=${i}.${ctx.random.int(0, 99)}`;
        const me = await c.state(src, { meta });
        const news = (e: Entry | undefined) => e !== undefined && e.generation >= me.generation && e.meta === meta;
        const name = `aware of ${src}`;
        const measure = (v: Views) => ({ [name]: countAware(v, c.ids, src, news) });
        const base = c.round;
        const t0 = performance.now();
        await c.record(measure);
        const r = await c.until((v) => countAware(v, c.ids, src, news) === SIZE, bound, measure, noDead);
        const points = relative(c.log.series(name), base);
        series.push({ name: `${src}@${me.generation}`, points });
        lines.push(`${src}'s update: ${convergenceLine(points)}`);
        if (r.violation) return failWith(r.violation, clusters, { observed: lines });
        if (r.round === undefined) {
          return failWith(
            `${src}'s update reached ${countAware(c.lastViews, c.ids, src, news)}/${SIZE} views in ${bound} rounds (bound ${describeBound(SIZE)}: not O(log N))`,
            clusters,
            {
              observed: [...offending(c.lastViews, c.ids, [src], (e) => (news(e) ? undefined : 'not updated'), 6), ...lines],
              metrics: { nodes: SIZE, bound, convergedUpdates: rounds.length },
              data: { plots: [awarePlot(`${SIZE} nodes: nodes aware per round`, series)] },
            },
          );
        }
        rounds.push(r.round - base);
        seconds.push((performance.now() - t0) / 1000);
      }
      const spreadingBytes = c.log.meanBytes(WARMUP + 1);

      // Membership memory as each node reports it.
      const mem: number[] = [];
      for (const id of c.ids) {
        const m = (await c.stats(id)).membership as { bytes?: unknown } | undefined;
        if (typeof m?.bytes === 'number') mem.push(m.bytes);
      }
      const memMean = mean(mem);
      const metrics: Record<string, number | string> = {
        nodes: SIZE,
        processes: c.cluster.hosts.length,
        boundRounds: bound,
        convergenceRoundsMean: Number(mean(rounds).toFixed(2)),
        convergenceRoundsMax: Math.max(...rounds),
        convergenceRounds: rounds.join(','),
        convergenceSecondsMean: Number(mean(seconds).toFixed(2)),
        convergenceSecondsMax: Number(Math.max(...seconds).toFixed(2)),
        membershipBytesPerNodeMean: mem.length ? Math.round(memMean) : 'not reported',
        membershipBytesPerNodeMax: mem.length ? Math.max(...mem) : 'not reported',
        bytesPerRoundSteady: Math.round(steadyBytes),
        bytesPerRoundSpreading: Math.round(spreadingBytes),
        bytesPerNodePerRound: Math.round(steadyBytes / SIZE),
        datagramsPerRoundSteady: Math.round(steadyMessages),
        roundMsMean: Math.round(mean(c.log.records.filter((r) => r.round > 0).map((r) => r.ms))),
      };
      const summary = `${UPDATES} updates in ${mean(rounds).toFixed(1)} rounds avg (max ${Math.max(...rounds)}, ${mean(seconds).toFixed(1)} s; bound ${bound}); ${mem.length ? `${kib(memMean)}/node` : 'memory n/a'}; ${kib(steadyBytes)}/round`;
      return passWith(summary, clusters, {
        observed: [
          ...lines,
          `membership per node (/stats membership.bytes): mean ${kib(memMean)}, max ${kib(Math.max(0, ...mem))} (${mem.length}/${SIZE} nodes reported)`,
          `kit-counted traffic: ${kib(steadyBytes)} per round steady (${Math.round(steadyMessages)} datagrams, ${Math.round(steadyBytes / SIZE)} B per node), ${kib(spreadingBytes)} per round while updates spread`,
          `wall time per round (tick + settle + reading ${SIZE} views): ${metrics.roundMsMean} ms mean`,
        ],
        metrics,
        notes: [
          `bound: ${describeBound(SIZE)} rounds. Pittel: push rumour spreading with fanout 1 informs all N nodes in log2 N + ln N + O(1) rounds (≈ ${(Math.log2(SIZE) + Math.log(SIZE)).toFixed(1)} at N = ${SIZE}); fanout > 1 and push-pull only shorten it. Seconds are the kit's round-driven wall time (each round is driven and settled explicitly), not a production period.`,
        ],
        data: { plots: [awarePlot(`${SIZE} nodes: nodes aware per round, ${UPDATES} updates`, series)] },
      });
    },
  };
}

export const scale250 = scaleCheck({ size: 250, level: 'required', warmup: 5, updates: 5, timeoutMs: 240_000 });

/**
 * 1,000 nodes (issue 14): recommended, and opt-in because one round moves ~N² view entries (1M at N = 1,000)
 * through the kit: minutes, not the seconds of a grade.
 */
export const scale1000 = scaleCheck({
  size: 1000,
  level: 'recommended',
  warmup: 3,
  updates: 3,
  timeoutMs: 900_000,
  optIn:
    'runs only with --strict or when --only names gossip.scale-1000: minutes of wall time (every round reads 1,000 views of 1,000 members)',
});
