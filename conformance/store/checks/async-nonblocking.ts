import type { CheckDefinition } from '../../../harness/checks/check.ts';
import type { Plot } from '../../../harness/common/plot.ts';
import { StoreUnderTest, clip } from '../store-under-test.ts';

const LAG_MS = 5000;
/** "Well under 5 s": half the lag. The reference answers in milliseconds. */
const LIMIT_MS = 2500;
const WRITES = 5;

export const asyncNonblocking: CheckDefinition = {
  id: 'store.async-nonblocking',
  system: 'store',
  level: 'required',
  title: 'An async follower never delays a write',
  criterion: `With ${LAG_MS} ms of lag on every byte sent to the async follower n2 (the sync follower n1 unhindered), every write through the router is acknowledged in under ${LIMIT_MS} ms.`,
  timeoutMs: 60_000,
  async run(ctx) {
    const sut = await StoreUnderTest.launch(ctx, { sync: ['n1'], async: ['n2'] });
    sut.lagInto('n2', LAG_MS);
    const latencies: Array<[number, number]> = [];
    const observed: string[] = [];
    const plot = (): Plot => ({
      title: 'Write latency with a 5 s lag on the async follower',
      xLabel: 'write #',
      yLabel: 'ms',
      series: [
        { name: 'write latency', points: latencies },
        { name: `limit (${LIMIT_MS} ms)`, points: latencies.map(([x]) => [x, LIMIT_MS] as [number, number]) },
      ],
    });
    for (let i = 1; i <= WRITES; i++) {
      const w = await sut.write(`async/${i}`, `v${i}-${ctx.random.int(0, 1e9)}`);
      latencies.push([i, Math.round(w.ms)]);
      if (w.outcome !== 'ack' || w.lsn === undefined) {
        return sut.fail(
          `write ${i} with ${LAG_MS} ms of lag on the async follower n2 was not acknowledged: ${w.status ?? 'no answer'} ${w.code ?? ''} after ${w.ms.toFixed(0)} ms: the leader waited for n2`,
          {
            observed: [...observed, ...clip(sut.lines)],
            plots: [plot()],
          },
        );
      }
      const applied = await sut.appliedLsn('n2');
      observed.push(
        `write ${i}: LSN ${w.lsn} acknowledged after ${w.ms.toFixed(0)} ms; n2 appliedLsn right after: ${applied ?? 'no answer'}`,
      );
      if (w.ms >= LIMIT_MS) {
        return sut.fail(
          `write ${i} (LSN ${w.lsn}) took ${w.ms.toFixed(0)} ms with ${LAG_MS} ms of lag on the async follower n2 only: the leader waits for an async follower (limit ${LIMIT_MS} ms)`,
          {
            observed: [...observed, ...clip(sut.lines)],
            plots: [plot()],
            metrics: { lagMs: LAG_MS, latencyMs: Math.round(w.ms) },
          },
        );
      }
    }
    const max = Math.max(...latencies.map(([, ms]) => ms));
    return sut.pass(`all ${WRITES} writes acknowledged in at most ${max} ms while n2 lagged by ${LAG_MS} ms`, {
      observed,
      metrics: { lagMs: LAG_MS, maxLatencyMs: max },
      plots: [plot()],
    });
  },
};
