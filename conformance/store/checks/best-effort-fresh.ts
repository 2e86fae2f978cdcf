import type { CheckDefinition } from '../../../harness/checks/check.ts';
import { LEADER, StoreUnderTest, clip } from '../store-under-test.ts';

const LAG_MS = 2000;
const ROUNDS = 8;
/** The sync follower: it has applied every acknowledged write when the 200 arrives, so it is caught up. */
const SYNC = 'n1';
/** The async follower, every byte into it delayed LAG_MS: it cannot hold a write the kit just made. */
const LAGGING = 'n2';
const BUDGET_MS = 25_000;

export const bestEffortFresh: CheckDefinition = {
  id: 'store.best-effort-fresh',
  system: 'store',
  level: 'required',
  title: 'BestEffortFresh returns every write the router acknowledged before the read, from a caught-up follower when it can',
  criterion: `Sync follower ${SYNC}, async follower ${LAGGING} with every byte into it delayed ${LAG_MS} ms. ${ROUNDS} rounds of: a write without a session, then BestEffortFresh reads of its key via ${LAGGING}, via ${SYNC} and without via. Every read returns the write (it was acknowledged by this router before the read started; ${LAGGING} cannot hold it, so that read falls back to the leader), and the read via ${SYNC}, which is caught up, is served by ${SYNC}. Finally BestEffortFresh and SessionConsistent (minLsn = the last write's LSN) reads with via naming the leader ${LEADER} are valid requests: 200 with the last write, served by ${LEADER} (the leader is always caught up).`,
  timeoutMs: 60_000,
  async run(ctx) {
    const sut = await StoreUnderTest.launch(ctx, { sync: [SYNC], async: [LAGGING] });
    sut.lagInto(LAGGING, LAG_MS);
    const stale: string[] = [];
    const bypassed: string[] = [];
    const started = performance.now();
    let rounds = 0;
    for (let i = 0; i < ROUNDS && performance.now() - started < BUDGET_MS; i++, rounds++) {
      const key = `fresh/${i % 3}`;
      const value = `f${i}-${ctx.random.int(0, 1e9)}`;
      const w = await sut.write(key, value, { client: 'writer' });
      if (w.outcome !== 'ack' || w.lsn === undefined)
        return sut.fail(
          `write ${key}=${value} was not acknowledged (${w.status ?? 'no answer'} ${w.code ?? ''}); only the async follower lags`,
          { observed: clip(sut.lines) },
        );
      for (const via of [LAGGING, SYNC, undefined]) {
        const r = await sut.read(key, 'BestEffortFresh', via === undefined ? { client: 'reader' } : { via, client: 'reader' });
        const what = `${r.op.id} BestEffortFresh${via ? ` with via=${via}` : ''}`;
        if (!r.ok)
          return sut.fail(
            `${what} failed (${r.status ?? 'no answer'} ${r.code ?? ''}${r.malformed ? `: ${r.malformed}` : ''}); it must fall back to the leader, never fail`,
            { observed: clip(sut.lines) },
          );
        if (r.value !== value)
          stale.push(
            `${what} returned ${JSON.stringify(r.value)} (served by ${r.servedBy} at LSN ${r.lsn}) although ${w.op.id} wrote ${JSON.stringify(value)} at LSN ${w.lsn}, acknowledged before the read started`,
          );
        else if (via === SYNC && r.servedBy !== SYNC)
          bypassed.push(
            `${what} was served by ${r.servedBy} although ${SYNC} (sync) had applied LSN ${w.lsn} before the write's 200 arrived`,
          );
      }
    }
    const last = sut.acknowledged().at(-1);
    const viaLeader: string[] = [];
    if (last && rounds === ROUNDS) {
      for (const mode of ['BestEffortFresh', 'SessionConsistent'] as const) {
        const r = await sut.read(
          last.key,
          mode,
          mode === 'SessionConsistent' ? { via: LEADER, minLsn: last.lsn, client: 'reader' } : { via: LEADER, client: 'reader' },
        );
        const what = `${r.op.id} ${mode} with via=${LEADER} (the leader)`;
        if (!r.ok)
          viaLeader.push(
            `${what} was answered ${r.status ?? 'no answer'} ${r.code ?? ''}${r.malformed ? ` (${r.malformed})` : ''}: via naming the leader is an error only for AnyFollower`,
          );
        else if (r.value !== last.value || r.servedBy !== LEADER)
          viaLeader.push(
            `${what} returned ${JSON.stringify(r.value)} served by ${r.servedBy}; expected ${JSON.stringify(last.value)} (LSN ${last.lsn}) served by ${LEADER}, which is named and always caught up`,
          );
      }
    }
    if (stale.length > 0) {
      return sut.fail(
        `${stale.length} BestEffortFresh read(s) missed a write this router had acknowledged before the read; first: ${stale[0]}`,
        { observed: [...stale.slice(0, 5), ...clip(sut.lines, 10, 10)], proof: stale.slice(0, 1) },
      );
    }
    if (bypassed.length > 0) {
      return sut.fail(
        `${bypassed.length} BestEffortFresh read(s) via the caught-up sync follower ${SYNC} were not served by it; first: ${bypassed[0]}`,
        { observed: [...bypassed.slice(0, 5), ...clip(sut.lines, 10, 10)], proof: bypassed.slice(0, 1) },
      );
    }
    if (viaLeader.length > 0) {
      return sut.fail(`${viaLeader.length} read(s) with via naming the leader were not served by it; first: ${viaLeader[0]}`, {
        observed: [...viaLeader, ...clip(sut.lines, 5, 10)],
        proof: viaLeader.slice(0, 1),
      });
    }
    if (rounds < ROUNDS) {
      return sut.unknown(
        `only ${rounds} of ${ROUNDS} rounds fit in ${BUDGET_MS / 1000} s (writes are slow although only the async follower lags: see store.async-nonblocking); those rounds were fresh`,
        { observed: clip(sut.lines) },
      );
    }
    const servedBy = new Map<string, number>();
    for (const op of sut.history) if (op.kind === 'read' && op.servedBy) servedBy.set(op.servedBy, (servedBy.get(op.servedBy) ?? 0) + 1);
    const byLeader = servedBy.get(LEADER) ?? 0;
    return sut.pass(
      `${rounds * 3} BestEffortFresh reads all returned the write just acknowledged; reads via ${SYNC} were served by ${SYNC} (served by ${[...servedBy].map(([n, c]) => `${n}×${c}`).join(', ')}; leader ${byLeader})`,
      {
        metrics: { lagMs: LAG_MS, reads: rounds * 3 },
      },
    );
  },
};
