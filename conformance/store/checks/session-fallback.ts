import type { CheckDefinition } from '../../../harness/checks/check.ts';
import { LEADER, StoreUnderTest, clip } from '../store-under-test.ts';

const LAG_MS = 5000;
const WINDOW_MS = 1000;
/** Scheduling slack: a follower is considered unable to hold the write until LAG_MS − MARGIN_MS after it was sent. */
const MARGIN_MS = 300;
const VIAS = ['n1', 'n2', undefined] as const;

export const sessionFallback: CheckDefinition = {
  id: 'store.session-fallback',
  system: 'store',
  level: 'required',
  title: 'SessionConsistent falls back to the leader when every follower lags',
  criterion: `With every byte into both (async) followers delayed ${LAG_MS} ms, a session writes and then reads SessionConsistent back to back for ${WINDOW_MS} ms (via n1, via n2, without via): every read is served by the leader and returns the write.`,
  timeoutMs: 60_000,
  async run(ctx) {
    const sut = await StoreUnderTest.launch(ctx, { sync: [], async: ['n1', 'n2'], quorum: 0 });
    const key = 'fallback/state';
    const base = await sut.write(key, `old-${ctx.random.int(0, 1e9)}`);
    if (base.outcome !== 'ack' || base.lsn === undefined)
      return sut.fail(`the baseline write was not acknowledged (${base.status ?? 'no answer'} ${base.code ?? ''})`, {
        observed: sut.lines,
      });
    for (const f of ['n1', 'n2']) {
      const caught = await sut.waitApplied(f, base.lsn, 15_000);
      if (!caught.reached)
        return sut.fail(`follower ${f} did not apply the baseline write (LSN ${base.lsn}) within 15 s without any fault`, {
          observed: sut.lines,
        });
    }
    sut.lagInto('n1', LAG_MS);
    sut.lagInto('n2', LAG_MS);
    const session = `fallback-${ctx.random.int(0, 1e6)}`;
    const value = `new-${ctx.random.int(0, 1e9)}`;
    const w = await sut.write(key, value, { session });
    if (w.outcome !== 'ack' || w.lsn === undefined)
      return sut.fail(
        `the session's write was not acknowledged (${w.status ?? 'no answer'} ${w.code ?? ''}); followers are async, nothing should wait for them`,
        { observed: sut.lines },
      );
    const start = sut.now();
    const wrong: string[] = [];
    const latency: Array<[number, number]> = [];
    let reads = 0;
    let followerServed = 0;
    // The pause is the scenario: the session's first second of reads.
    while (sut.now() - start < WINDOW_MS) {
      const via = VIAS[reads % VIAS.length];
      const r = await sut.read(key, 'SessionConsistent', via === undefined ? { session } : { session, via });
      reads++;
      latency.push([Math.round(r.op.invokeMs - start), Math.round(r.ms)]);
      const at = `${r.op.id}${via ? ` (via ${via})` : ''} at +${(r.op.invokeMs - start).toFixed(0)} ms`;
      if (!r.ok)
        wrong.push(
          `${at}: ${r.status ?? 'no answer'} ${r.code ?? ''}${r.malformed ? ` ${r.malformed}` : ''}: a session read must fall back to the leader, not fail`,
        );
      else if (r.value !== value)
        wrong.push(
          `${at}: ${JSON.stringify(r.value)} lsn=${r.lsn} servedBy=${r.servedBy}, not the session's own write ${JSON.stringify(value)} (LSN ${w.lsn})`,
        );
      else if (r.servedBy !== LEADER) {
        followerServed++;
        // A follower cannot hold the write before LAG_MS have passed since the write was sent.
        if ((r.op.completeMs ?? sut.now()) - w.op.invokeMs < LAG_MS - MARGIN_MS) {
          wrong.push(
            `${at}: served by ${r.servedBy}, which could not hold LSN ${w.lsn} yet (every byte into it is delayed ${LAG_MS} ms): only the leader can serve this read`,
          );
        }
      }
      if (wrong.length >= 20) break;
    }
    const applied = await Promise.all(['n1', 'n2'].map(async (f) => `${f} appliedLsn ${(await sut.appliedLsn(f)) ?? 'no answer'}`));
    const plots = [
      {
        title: 'SessionConsistent read latency while every follower lags 5 s',
        xLabel: 'ms after the write',
        yLabel: 'ms',
        series: [{ name: 'read latency', points: latency }],
      },
    ];
    const observed = [
      `write ${key}=${JSON.stringify(value)} acknowledged at LSN ${w.lsn} after ${w.ms.toFixed(0)} ms; after the window: ${applied.join(', ')}`,
    ];
    if (wrong.length > 0) {
      return sut.fail(
        `${wrong.length} of ${reads} SessionConsistent reads in the first ${WINDOW_MS} ms were not the leader's answer with the session's write; first: ${wrong[0]}`,
        {
          observed: [...observed, ...wrong, ...clip(sut.lines, 10, 5)],
          proof: wrong.slice(0, 1),
          plots,
        },
      );
    }
    if (followerServed > 0) {
      return sut.unknown(
        `the session's write took ${w.ms.toFixed(0)} ms although both followers are async, so the followers could hold it when ${followerServed} of the ${reads} reads were served by them: the scenario did not hold (see store.async-nonblocking)`,
        { observed, plots },
      );
    }
    return sut.pass(
      `all ${reads} SessionConsistent reads in the first ${WINDOW_MS} ms were served by the leader with the session's write (${applied.join(', ')}, write at LSN ${w.lsn})`,
      {
        observed,
        metrics: { lagMs: LAG_MS, reads },
        plots,
      },
    );
  },
};
