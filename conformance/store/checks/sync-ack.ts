import type { CheckDefinition } from '../../../harness/checks/check.ts';
import type { Plot } from '../../../harness/common/plot.ts';
import { StoreUnderTest, clip } from '../store-under-test.ts';

const LAG_MS = 500;
/** Timer granularity of the kit's delay scheduler and of Node's clock: a write under the lag cannot be faster. */
const TOLERANCE_MS = 10;
const WRITES = 5;

export const syncAck: CheckDefinition = {
  id: 'store.sync-ack',
  system: 'store',
  level: 'required',
  title: 'A write waits for the sync follower',
  criterion: `With ${LAG_MS} ms of lag on every byte sent to the sync follower n1, every write through the router takes at least ${LAG_MS} ms, and when its 200 arrives n1's /status already shows appliedLsn ≥ its LSN.`,
  timeoutMs: 60_000,
  async run(ctx) {
    const sut = await StoreUnderTest.launch(ctx, { sync: ['n1'], async: ['n2'] });
    sut.lagInto('n1', LAG_MS);
    const latencies: Array<[number, number]> = [];
    const observed: string[] = [];
    for (let i = 1; i <= WRITES; i++) {
      const w = await sut.write(`sync-ack/${i}`, `v${i}-${ctx.random.int(0, 1e9)}`);
      latencies.push([i, Math.round(w.ms)]);
      if (w.outcome !== 'ack' || w.lsn === undefined) {
        return sut.fail(
          `write ${i} under ${LAG_MS} ms of sync lag was not acknowledged: ${w.status ?? 'no answer'} ${w.code ?? ''} after ${w.ms.toFixed(0)} ms${w.malformed ? ` (${w.malformed})` : ''}`,
          { observed: sut.lines },
        );
      }
      const applied = await sut.appliedLsn('n1');
      observed.push(
        `write ${i}: LSN ${w.lsn} acknowledged after ${w.ms.toFixed(0)} ms; n1 appliedLsn right after: ${applied ?? 'no answer'}`,
      );
      const plots = [latencyPlot(latencies)];
      if (w.ms < LAG_MS - TOLERANCE_MS) {
        return sut.fail(
          `write ${i} (LSN ${w.lsn}) was acknowledged after ${w.ms.toFixed(0)} ms although every byte to the sync follower n1 is delayed ${LAG_MS} ms: it was acknowledged before n1 could have applied it (n1 appliedLsn right after: ${applied ?? 'no answer'})`,
          {
            observed: [...observed, ...clip(sut.lines)],
            plots,
            metrics: { lagMs: LAG_MS, latencyMs: Math.round(w.ms) },
          },
        );
      }
      if (applied === undefined || applied < w.lsn) {
        return sut.fail(
          `write ${i} was acknowledged at LSN ${w.lsn} but the sync follower n1 reports appliedLsn ${applied ?? '(no answer)'} right after: the ack did not wait for n1 to apply it`,
          {
            observed: [...observed, ...clip(sut.lines)],
            plots,
          },
        );
      }
    }
    const min = Math.min(...latencies.map(([, ms]) => ms));
    return sut.pass(
      `all ${WRITES} writes waited for n1: latency ${min}–${Math.max(...latencies.map(([, ms]) => ms))} ms under ${LAG_MS} ms of lag, n1 had applied each one when its 200 arrived`,
      {
        observed,
        metrics: { lagMs: LAG_MS, minLatencyMs: min },
        plots: [latencyPlot(latencies)],
      },
    );
  },
};

function latencyPlot(latencies: Array<[number, number]>): Plot {
  return {
    title: 'Write latency under sync-follower lag',
    xLabel: 'write #',
    yLabel: 'ms',
    series: [
      { name: 'write latency', points: latencies },
      { name: `lag on n1 (${LAG_MS} ms)`, points: latencies.map(([x]) => [x, LAG_MS] as [number, number]) },
    ],
  };
}
