import type { CheckDefinition } from '../../../harness/checks/check.ts';
import { findAnomalies } from '../../../harness/checks/history/session-guarantees.ts';
import { isDump } from '../dump.ts';
import { LEADER, StoreUnderTest, clip } from '../store-under-test.ts';

const LAG_MS = 2000;
/** A read answered this long after its write was sent cannot prove anything: the lag may have elapsed. */
const CONCLUSIVE_MS = LAG_MS - 300;
const ROUNDS = 3;
const MAX_ATTEMPTS = 6;

export const anyFollowerAnomaly: CheckDefinition = {
  id: 'store.any-follower-anomaly',
  system: 'store',
  level: 'required',
  title: 'AnyFollower is naive: it shows the read-after-write anomaly',
  criterion: `With every byte into follower n2 delayed ${LAG_MS} ms, a write followed at once by an AnyFollower read with via=n2 returns the previous value, served by n2, in ${ROUNDS} of ${ROUNDS} rounds: AnyFollower neither checks freshness, nor waits, nor reads the leader.`,
  timeoutMs: 60_000,
  async run(ctx) {
    const sut = await StoreUnderTest.launch(ctx, { sync: ['n1'], async: ['n2'] });
    const keys = Array.from({ length: MAX_ATTEMPTS }, (_, i) => `any-follower/${i + 1}`);
    const previous = new Map<string, string>();
    let last = 0;
    for (const key of keys) {
      const value = `old-${ctx.random.int(0, 1e9)}`;
      const w = await sut.write(key, value);
      if (w.outcome !== 'ack' || w.lsn === undefined)
        return sut.fail(`a baseline write without any fault was not acknowledged (${w.status ?? 'no answer'} ${w.code ?? ''})`, {
          observed: sut.lines,
        });
      previous.set(key, value);
      last = w.lsn;
    }
    const caught = await sut.waitApplied('n2', last, 15_000);
    if (!caught.reached)
      return sut.fail(
        `follower n2 did not apply the baseline writes (LSN ${last}) within 15 s without any fault (appliedLsn ${caught.applied ?? 'no answer'})`,
        { observed: sut.lines },
      );
    sut.act(`baseline: ${keys.length} keys written, n2 applied up to LSN ${last}`);
    sut.lagInto('n2', LAG_MS);

    const observed: string[] = [];
    let demonstrated = 0;
    let inconclusive = 0;
    for (const key of keys) {
      if (demonstrated >= ROUNDS) break;
      const fresh = `new-${ctx.random.int(0, 1e9)}`;
      const w = await sut.write(key, fresh);
      if (w.outcome !== 'ack' || w.lsn === undefined)
        return sut.fail(
          `write ${key}=${fresh} was not acknowledged (${w.status ?? 'no answer'} ${w.code ?? ''}); only the async follower n2 lags`,
          { observed: sut.lines },
        );
      const r = await sut.read(key, 'AnyFollower', { via: 'n2' });
      const elapsed = (r.op.completeMs ?? sut.now()) - w.op.invokeMs;
      const n2 = await sut.appliedLsn('n2');
      const line = `${key}: wrote ${JSON.stringify(fresh)} (LSN ${w.lsn}), AnyFollower via n2 → ${r.ok ? `${JSON.stringify(r.value)} lsn=${r.lsn} servedBy=${r.servedBy}` : `${r.status ?? 'no answer'} ${r.code ?? ''}`}, ${elapsed.toFixed(0)} ms after the write was sent; n2 /status appliedLsn then ${n2 ?? 'no answer'}`;
      observed.push(line);
      if (!r.ok)
        return sut.fail(
          `AnyFollower via n2 did not answer 200 (${r.status ?? 'no answer'} ${r.code ?? ''}${r.malformed ? `: ${r.malformed}` : ''}) although n2 is up and reachable by the router`,
          { observed: [...observed, ...clip(sut.lines)] },
        );
      if (r.servedBy === LEADER)
        return sut.fail(`AnyFollower via n2 was served by the leader ${LEADER}: AnyFollower must never read the leader`, {
          observed: [...observed, ...clip(sut.lines)],
        });
      if (r.servedBy !== 'n2')
        return sut.fail(`AnyFollower via n2 was served by ${r.servedBy}: with via, AnyFollower must read from that follower`, {
          observed: [...observed, ...clip(sut.lines)],
        });
      if (r.value === fresh) {
        if (elapsed < CONCLUSIVE_MS) {
          return sut.fail(
            `AnyFollower via n2 returned the value just written (${JSON.stringify(fresh)}, LSN ${w.lsn}) ${elapsed.toFixed(0)} ms after the write was sent, although every byte into n2 is delayed ${LAG_MS} ms: n2 could not hold it yet (its /status said appliedLsn ${n2 ?? '?'}), so the read was not served by n2's own state as claimed (it read the leader or waited for freshness)`,
            { observed: [...observed, ...clip(sut.lines)] },
          );
        }
        inconclusive++;
        sut.ctx.note(
          `round on ${key} inconclusive: the read answered ${elapsed.toFixed(0)} ms after the write (≥ ${CONCLUSIVE_MS} ms), the lag may have elapsed`,
        );
        continue;
      }
      if (r.value !== previous.get(key)) {
        return sut.fail(
          `AnyFollower via n2 returned ${JSON.stringify(r.value)} for ${key}, neither the previous value ${JSON.stringify(previous.get(key))} nor the new one`,
          { observed: [...observed, ...clip(sut.lines)] },
        );
      }
      demonstrated++;
    }
    if (demonstrated < ROUNDS) {
      const slowest = Math.max(
        0,
        ...sut.history
          .filter((op) => op.kind === 'write' && op.completeMs !== undefined)
          .map((op) => (op.completeMs as number) - op.invokeMs),
      );
      const why =
        slowest >= CONCLUSIVE_MS
          ? `writes took up to ${slowest.toFixed(0)} ms, long enough for the lagging n2 to receive them (do writes wait for the async follower? see store.async-nonblocking)`
          : 'the machine is too loaded';
      return sut.unknown(
        `the anomaly was shown in ${demonstrated} of ${ROUNDS} rounds; ${inconclusive} round(s) answered too late to prove anything: ${why}`,
        { observed },
      );
    }
    sut.net.clearFaults();
    const leaderDump = await sut.dump(LEADER);
    let explanation = '';
    if (isDump(leaderDump)) {
      const anomaly = findAnomalies(sut.recorded(), StoreUnderTest.log(leaderDump)).violations.find(
        (v) => v.guarantee === 'read-your-writes' && v.later.kind === 'read' && v.later.mode === 'AnyFollower',
      );
      if (anomaly) explanation = `: ${anomaly.explanation}`;
    }
    return sut.pass(
      `AnyFollower showed a read-after-write anomaly in ${demonstrated} of ${demonstrated} rounds via the lagging n2${explanation}`,
      {
        observed,
        metrics: { lagMs: LAG_MS, rounds: demonstrated, inconclusive },
      },
    );
  },
};
