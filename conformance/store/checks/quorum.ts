import type { CheckDefinition } from '../../../harness/checks/check.ts';
import type { Plot } from '../../../harness/common/plot.ts';
import { StoreUnderTest, clip } from '../store-under-test.ts';

/**
 * The FIRST sync follower (in `{sync}` order) is the slowest: "any k" means the write waits for the
 * second-fastest (n3), while a leader that waits for the first k followers in order waits for n1.
 */
const LAGS = { n1: 2500, n2: 200, n3: 700 } as const;
const SECOND_FASTEST = 'n3';
const SLOWEST = 'n1';
const K = 2;
const TOLERANCE_MS = 10;
const WRITES = 3;

export const quorum: CheckDefinition = {
  id: 'store.quorum',
  system: 'store',
  level: 'recommended',
  title: 'With k = 2 of 3 sync followers, a write waits for ANY two: the second-fastest, whatever the order',
  criterion: `Three sync followers (in {sync} order n1, n2, n3) with k = ${K} (knob quorum); the first one is the slowest: lags n1 ${LAGS.n1} ms, n2 ${LAGS.n2} ms, n3 ${LAGS.n3} ms. Every write takes at least ${LAGS.n3} ms (it waited for a second follower) and less than ${LAGS.n1} ms (it did not wait for n1: any ${K} suffice, not the first ${K} in order), and when its 200 arrives at least ${K} sync followers show appliedLsn ≥ its LSN.`,
  needsKnobs: ['quorum'],
  timeoutMs: 60_000,
  async run(ctx) {
    const sut = await StoreUnderTest.launch(ctx, { sync: ['n1', 'n2', 'n3'], async: [], quorum: K, knobs: { quorum: K } });
    for (const [node, ms] of Object.entries(LAGS)) sut.lagInto(node, ms);
    const latencies: Array<[number, number]> = [];
    const observed: string[] = [];
    const plot = (): Plot => ({
      title: `Write latency with k = ${K} of 3 sync followers`,
      xLabel: 'write #',
      yLabel: 'ms',
      series: [
        { name: 'write latency', points: latencies },
        ...Object.entries(LAGS).map(([node, ms]) => ({
          name: `lag on ${node}`,
          points: latencies.map(([x]) => [x, ms] as [number, number]),
        })),
      ],
    });
    for (let i = 1; i <= WRITES; i++) {
      const w = await sut.write(`quorum/${i}`, `v${i}-${ctx.random.int(0, 1e9)}`);
      latencies.push([i, Math.round(w.ms)]);
      if (w.outcome !== 'ack' || w.lsn === undefined) {
        return sut.fail(
          `write ${i} was not acknowledged: ${w.status ?? 'no answer'} ${w.code ?? ''} after ${w.ms.toFixed(0)} ms${w.malformed ? ` (${w.malformed})` : ''}`,
          { observed: clip(sut.lines), plots: [plot()] },
        );
      }
      const applied = await Promise.all((['n1', 'n2', 'n3'] as const).map(async (f) => [f, await sut.appliedLsn(f)] as const));
      const holding = applied.filter(([, a]) => a !== undefined && a >= (w.lsn as number)).map(([f]) => f);
      observed.push(
        `write ${i}: LSN ${w.lsn} after ${w.ms.toFixed(0)} ms; appliedLsn right after: ${applied.map(([f, a]) => `${f} ${a ?? '?'}`).join(', ')}`,
      );
      if (w.ms < LAGS[SECOND_FASTEST] - TOLERANCE_MS) {
        return sut.fail(
          `write ${i} (LSN ${w.lsn}) was acknowledged after ${w.ms.toFixed(0)} ms, before the second-fastest sync follower (${SECOND_FASTEST}, ${LAGS[SECOND_FASTEST]} ms of lag) could have applied it: k = ${K} was not honoured`,
          { observed, plots: [plot()] },
        );
      }
      if (w.ms >= LAGS[SLOWEST]) {
        return sut.fail(
          `write ${i} (LSN ${w.lsn}) took ${w.ms.toFixed(0)} ms: it waited for the slowest sync follower (${SLOWEST}, first in {sync} order, ${LAGS[SLOWEST]} ms of lag) although any ${K} of 3 suffice (n2 and n3 had it after ${LAGS[SECOND_FASTEST]} ms)`,
          { observed, plots: [plot()] },
        );
      }
      if (holding.length < K) {
        return sut.fail(
          `write ${i} was acknowledged at LSN ${w.lsn} but only ${holding.length} sync follower(s) (${holding.join(', ') || 'none'}) show appliedLsn ≥ ${w.lsn} right after: k = ${K} must have applied it`,
          { observed, plots: [plot()] },
        );
      }
    }
    const ms = latencies.map(([, v]) => v);
    return sut.pass(
      `every write waited for any 2 sync followers (the second-fastest, not the first in order): ${Math.min(...ms)}–${Math.max(...ms)} ms with lags ${LAGS.n1}/${LAGS.n2}/${LAGS.n3} ms, k = ${K}`,
      {
        observed,
        plots: [plot()],
        metrics: { k: K, minLatencyMs: Math.min(...ms), maxLatencyMs: Math.max(...ms) },
      },
    );
  },
};
