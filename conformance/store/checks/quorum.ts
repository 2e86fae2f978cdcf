import type { CheckDefinition } from '../../../harness/checks/check.ts';
import type { Plot } from '../../../harness/report/plot.ts';
import { StoreUnderTest, clip } from '../store-under-test.ts';

const LAGS = { n1: 200, n2: 700, n3: 2500 } as const;
const K = 2;
const TOLERANCE_MS = 10;
const WRITES = 3;

export const quorum: CheckDefinition = {
  id: 'store.quorum',
  system: 'store',
  level: 'recommended',
  title: 'With k = 2 of 3 sync followers, a write waits for the second-fastest',
  criterion: `Three sync followers with k = ${K} (knob quorum) and lags n1 ${LAGS.n1} ms, n2 ${LAGS.n2} ms, n3 ${LAGS.n3} ms: every write takes at least ${LAGS.n2} ms and less than ${LAGS.n3} ms, and when its 200 arrives at least ${K} sync followers show appliedLsn ≥ its LSN.`,
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
        ...Object.entries(LAGS).map(([node, ms]) => ({ name: `lag on ${node}`, points: latencies.map(([x]) => [x, ms] as [number, number]) })),
      ],
    });
    for (let i = 1; i <= WRITES; i++) {
      const w = await sut.write(`quorum/${i}`, `v${i}-${ctx.random.int(0, 1e9)}`);
      latencies.push([i, Math.round(w.ms)]);
      if (w.outcome !== 'ack' || w.lsn === undefined) {
        return sut.fail(`write ${i} was not acknowledged: ${w.status ?? 'no answer'} ${w.code ?? ''} after ${w.ms.toFixed(0)} ms${w.malformed ? ` (${w.malformed})` : ''}`, { observed: clip(sut.lines), plots: [plot()] });
      }
      const applied = await Promise.all((['n1', 'n2', 'n3'] as const).map(async (f) => [f, await sut.appliedLsn(f)] as const));
      const holding = applied.filter(([, a]) => a !== undefined && a >= (w.lsn as number)).map(([f]) => f);
      observed.push(`write ${i}: LSN ${w.lsn} after ${w.ms.toFixed(0)} ms; appliedLsn right after: ${applied.map(([f, a]) => `${f} ${a ?? '?'}`).join(', ')}`);
      if (w.ms < LAGS.n2 - TOLERANCE_MS) {
        return sut.fail(`write ${i} (LSN ${w.lsn}) was acknowledged after ${w.ms.toFixed(0)} ms, before the second-fastest sync follower (n2, ${LAGS.n2} ms of lag) could have applied it: k = ${K} was not honoured`, { observed, plots: [plot()] });
      }
      if (w.ms >= LAGS.n3) {
        return sut.fail(`write ${i} (LSN ${w.lsn}) took ${w.ms.toFixed(0)} ms: it waited for the slowest sync follower (n3, ${LAGS.n3} ms of lag) although k = ${K} of 3 suffice`, { observed, plots: [plot()] });
      }
      if (holding.length < K) {
        return sut.fail(`write ${i} was acknowledged at LSN ${w.lsn} but only ${holding.length} sync follower(s) (${holding.join(', ') || 'none'}) show appliedLsn ≥ ${w.lsn} right after: k = ${K} must have applied it`, { observed, plots: [plot()] });
      }
    }
    const ms = latencies.map(([, v]) => v);
    return sut.pass(`every write waited for the second-fastest sync follower: ${Math.min(...ms)}–${Math.max(...ms)} ms with lags ${LAGS.n1}/${LAGS.n2}/${LAGS.n3} ms, k = ${K}`, {
      observed,
      plots: [plot()],
      metrics: { k: K, minLatencyMs: Math.min(...ms), maxLatencyMs: Math.max(...ms) },
    });
  },
};
