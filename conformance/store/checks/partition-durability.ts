import type { CheckDefinition } from '../../../harness/checks/check.ts';
import { waitFor } from '../../../harness/common/wait.ts';
import type { Plot } from '../../../harness/common/plot.ts';
import { denseProblem, isDump, lostWrites, prefixProblem } from '../dump.ts';
import { LEADER, ROUTER, StoreUnderTest, clip } from '../store-under-test.ts';

const ASYNC_LAG_MS = 1000;
const WRITES = 100;
const WRITES_AFTER = 20;
const WRITE_PHASE_BUDGET_MS = 30_000;
const AFTER_BUDGET_MS = 15_000;
const CATCH_UP_MS = 15_000;
const NEW_LEADER = 'n1';
const ASYNC = 'n2';

export const partitionDurability: CheckDefinition = {
  id: 'store.partition-durability',
  system: 'store',
  level: 'required',
  title: 'No acknowledged write is lost across a leader crash and promotion',
  criterion: `Leader n0, sync follower n1, async follower n2 lagging ${ASYNC_LAG_MS} ms. ${WRITES} writes; then partition n0 from n2, SIGKILL n0, promote n1, point n2 and the router at it, heal, ${WRITES_AFTER} more writes. Every acknowledged write is on n1 at its LSN, n2 catches up to n1's exact log within ${CATCH_UP_MS / 1000} s, and n0, restarted as a follower of n1, catches up too.`,
  timeoutMs: 200_000,
  async run(ctx) {
    const sut = await StoreUnderTest.launch(ctx, { sync: [NEW_LEADER], async: [ASYNC] });
    sut.lagInto(ASYNC, ASYNC_LAG_MS);
    const started = performance.now();
    for (let i = 0; i < WRITES; i++) {
      const w = await sut.write(`durable/${i % 10}`, `before-${i}-${ctx.random.int(0, 1e9)}`);
      if (w.malformed) return sut.fail(w.malformed, { observed: clip(sut.lines) });
      if (performance.now() - started > WRITE_PHASE_BUDGET_MS) {
        return sut.unknown(
          `could not set up the scenario: ${i + 1} writes took over ${WRITE_PHASE_BUDGET_MS / 1000} s with lag only on the async follower's path (last: ${w.ms.toFixed(0)} ms): writes wait for the async follower (see store.async-nonblocking)`,
          { observed: clip(sut.lines) },
        );
      }
    }
    const ackedBefore = sut.acknowledged().length;
    const lastLsn = sut.acknowledged().at(-1)?.lsn ?? 0;
    sut.net.partition([LEADER], [ASYNC]);
    sut.act(`partition: ${LEADER} | ${ASYNC}`);
    const behind = await sut.appliedLsn(ASYNC);
    const syncHas = await sut.appliedLsn(NEW_LEADER);
    sut.act(
      `${ackedBefore} of ${WRITES} writes acknowledged (last LSN ${lastLsn}); ${ASYNC} appliedLsn ${behind ?? '?'}, ${NEW_LEADER} appliedLsn ${syncHas ?? '?'}`,
    );
    await sut.cluster.crash(LEADER);
    sut.act(`SIGKILL ${LEADER}`);

    const promoted = await sut.admin(NEW_LEADER, '/promote', {});
    const role =
      promoted && typeof promoted.response === 'object' && promoted.response !== null
        ? (promoted.response as Record<string, unknown>)['role']
        : undefined;
    if (promoted?.status !== 200 || role !== 'leader') {
      return sut.fail(
        `POST /promote on ${NEW_LEADER} did not answer 200 with role "leader": ${promoted ? `${promoted.status} ${JSON.stringify(promoted.response).slice(0, 200)}` : 'no answer'}`,
        { observed: clip(sut.lines, 5, 5) },
      );
    }
    const followed = await sut.admin(ASYNC, '/follow', { leader: NEW_LEADER });
    if (followed?.status !== 200)
      return sut.fail(`POST /follow on ${ASYNC} did not answer 200: ${followed ? followed.status : 'no answer'}`);
    const routed = await sut.admin(ROUTER, '/admin/leader', { id: NEW_LEADER });
    if (routed?.status !== 200)
      return sut.fail(`POST /admin/leader on the router did not answer 200: ${routed ? routed.status : 'no answer'}`);
    sut.leader = NEW_LEADER;
    sut.net.heal();
    sut.act('heal');

    const afterStart = performance.now();
    for (let i = 0; i < WRITES_AFTER && performance.now() - afterStart < AFTER_BUDGET_MS; i++) {
      const w = await sut.write(`durable/${i % 10}`, `after-${i}-${ctx.random.int(0, 1e9)}`);
      if (w.malformed) return sut.fail(w.malformed, { observed: clip(sut.lines) });
    }
    const ackedAfter = sut.acknowledged().length - ackedBefore;
    if (ackedAfter === 0)
      return sut.fail(`none of the ${WRITES_AFTER} writes after the failover was acknowledged by the new leader ${NEW_LEADER}`, {
        observed: clip(sut.lines, 5, 10),
      });
    const target = await sut.appliedLsn(NEW_LEADER);
    if (target === undefined) return sut.fail(`the new leader ${NEW_LEADER} does not answer /status`);

    const leaderDump = await sut.dump(NEW_LEADER);
    if (!isDump(leaderDump)) return sut.fail(leaderDump.problem);
    const dense = denseProblem(leaderDump);
    if (dense) return sut.fail(`the new leader's log: ${dense}`);
    const acked = sut.acknowledged().map((w) => ({ id: w.id, lsn: w.lsn, key: w.key, value: w.value }));
    const lost = lostWrites(acked, leaderDump);
    if (lost.length > 0) {
      return sut.fail(
        `${lost.length} of ${acked.length} acknowledged writes are missing from the promoted leader ${NEW_LEADER} (its log has ${leaderDump.entries.length} entries); first: ${lost[0]}`,
        {
          observed: [
            ...lost.slice(0, 10),
            `${NEW_LEADER} log: LSN ${leaderDump.entries[0]?.lsn ?? '-'}…${leaderDump.entries.at(-1)?.lsn ?? '-'}`,
          ],
          metrics: { acknowledged: acked.length, lost: lost.length },
        },
      );
    }

    const progress: Record<string, Array<[number, number]>> = { [ASYNC]: [], [NEW_LEADER]: [] };
    const t0 = sut.now();
    const catchUp = async (node: string): Promise<number | undefined> => {
      let applied: number | undefined;
      const ok = await waitFor(
        async () => {
          applied = await sut.appliedLsn(node);
          (progress[node] ??= []).push([Math.round(sut.now() - t0), applied ?? 0]);
          return applied !== undefined && applied >= target ? true : undefined;
        },
        { timeoutMs: CATCH_UP_MS, intervalMs: 100, signal: ctx.scope.signal },
      );
      return ok ? undefined : (applied ?? -1);
    };
    const plot = (): Plot => ({
      title: `Catch-up to the new leader (LSN ${target})`,
      xLabel: 'ms after the checks started polling',
      yLabel: 'appliedLsn',
      series: Object.entries(progress)
        .filter(([, pts]) => pts.length > 0)
        .map(([name, points]) => ({ name, points })),
    });
    const stuck = await catchUp(ASYNC);
    if (stuck !== undefined) {
      return sut.fail(
        `after the heal, the async follower ${ASYNC} did not catch up to the new leader's LSN ${target} within ${CATCH_UP_MS / 1000} s (appliedLsn ${stuck < 0 ? 'no answer' : stuck}; it was at ${behind ?? '?'} when partitioned)`,
        { plots: [plot()], observed: clip(sut.lines, 3, 5) },
      );
    }
    const asyncDump = await sut.dump(ASYNC);
    if (!isDump(asyncDump)) return sut.fail(asyncDump.problem);
    const asyncProblem = prefixProblem(asyncDump, leaderDump, true);
    if (asyncProblem) return sut.fail(`after catching up: ${asyncProblem}`, { plots: [plot()] });

    await sut.restart(LEADER, { role: 'follower', leader: NEW_LEADER, sync: '', quorum: '0', followers: [LEADER, ASYNC].join(',') });
    progress[LEADER] = [];
    const oldStuck = await catchUp(LEADER);
    if (oldStuck !== undefined) {
      return sut.fail(
        `the old leader ${LEADER}, restarted as a follower of ${NEW_LEADER}, did not catch up to LSN ${target} within ${CATCH_UP_MS / 1000} s (appliedLsn ${oldStuck < 0 ? 'no answer' : oldStuck})`,
        { plots: [plot()] },
      );
    }
    const oldDump = await sut.dump(LEADER);
    if (!isDump(oldDump)) return sut.fail(oldDump.problem);
    const oldProblem = prefixProblem(oldDump, leaderDump, true);
    if (oldProblem) return sut.fail(`the restarted old leader: ${oldProblem}`, { plots: [plot()] });

    return sut.pass(
      `all ${acked.length} acknowledged writes (${ackedBefore} before the crash, ${ackedAfter} after) are on ${NEW_LEADER} at their LSNs; ${ASYNC} (at LSN ${behind ?? '?'} when partitioned) and the restarted ${LEADER} caught up to its ${target}-entry log`,
      {
        plots: [plot()],
        metrics: { acknowledged: acked.length, asyncBehindAtPartition: behind ?? -1, leaderLsn: target },
      },
    );
  },
};
