import type { CheckDefinition } from '../../../harness/checks/check.ts';
import { waitFor } from '../../../harness/common/wait.ts';
import { denseProblem, isDump, lostWrites, prefixProblem } from '../dump.ts';
import { LEADER, ROUTER, StoreUnderTest, clip } from '../store-under-test.ts';

const NEW_LEADER = 'n1';
const AHEAD = 'n2';
const BASELINE = 3;
/** Writes only the async follower receives: they become its suffix beyond the new leader's log. */
const SUFFIX = 3;
/** More than the suffix, so the new leader writes over every LSN of the discarded suffix. */
const WRITES_AFTER = SUFFIX + 3;
/** A write that cannot be acknowledged (its sync follower is cut off) is abandoned after this long: unknown. */
const UNKNOWN_WRITE_MS = 800;
const SETUP_MS = 10_000;
const CATCH_UP_MS = 15_000;

export const divergence: CheckDefinition = {
  id: 'store.divergence',
  system: 'store',
  level: 'required',
  title: 'After a failover, a follower that is ahead of the new leader discards its unacknowledged suffix',
  criterion: `Leader n0, sync follower ${NEW_LEADER}, async follower ${AHEAD}. ${BASELINE} acknowledged writes; then every byte n0 sends to ${NEW_LEADER} is cut and ${SUFFIX} writes are made, which only ${AHEAD} receives (unknown outcome: never acknowledged), so ${AHEAD} is ahead of ${NEW_LEADER}. SIGKILL n0, promote ${NEW_LEADER}, /follow ${AHEAD} to it, point the router at it, ${WRITES_AFTER} more writes. Within ${CATCH_UP_MS / 1000} s ${AHEAD}'s /dump is exactly ${NEW_LEADER}'s log (contract §7: it keeps the shared prefix, discards its own entries beyond it and never skips a new-leader entry because its LSN counter was past it), and every acknowledged write is on ${NEW_LEADER} at its LSN.`,
  timeoutMs: 120_000,
  async run(ctx) {
    const sut = await StoreUnderTest.launch(ctx, { sync: [NEW_LEADER], async: [AHEAD] });
    for (let i = 0; i < BASELINE; i++) {
      const w = await sut.write(`diverge/${i}`, `base-${i}-${ctx.random.int(0, 1e9)}`);
      if (w.outcome !== 'ack' || w.lsn === undefined)
        return sut.fail(
          `baseline write ${i} was not acknowledged without any fault (${w.status ?? 'no answer'} ${w.code ?? ''}${w.malformed ? `: ${w.malformed}` : ''})`,
          { observed: clip(sut.lines) },
        );
    }
    const base = sut.acknowledged().at(-1)?.lsn ?? 0;
    const baseApplied = await sut.waitApplied(AHEAD, base, SETUP_MS);
    if (!baseApplied.reached)
      return sut.fail(
        `${AHEAD} did not apply the baseline (LSN ${base}) within ${SETUP_MS / 1000} s without any fault (appliedLsn ${baseApplied.applied ?? 'no answer'})`,
        { observed: clip(sut.lines) },
      );

    sut.net.oneWay(LEADER, NEW_LEADER);
    sut.act(`cut: every byte ${LEADER} → ${NEW_LEADER} held`);
    for (let i = 0; i < SUFFIX; i++) {
      const w = await sut.write(`diverge/${i}`, `suffix-${i}-${ctx.random.int(0, 1e9)}`, { timeoutMs: UNKNOWN_WRITE_MS });
      if (w.outcome === 'ack') {
        return sut.fail(
          `write ${w.op.id} was acknowledged at LSN ${w.lsn} although every byte to the sync follower ${NEW_LEADER} was cut: it cannot have applied it`,
          { observed: clip(sut.lines) },
        );
      }
    }
    const ahead = await waitFor(
      async () => {
        const [a, b] = await Promise.all([sut.appliedLsn(AHEAD), sut.appliedLsn(NEW_LEADER)]);
        return a !== undefined && b !== undefined && a >= base + SUFFIX ? { a, b } : undefined;
      },
      { timeoutMs: SETUP_MS, intervalMs: 50, signal: ctx.scope.signal },
    );
    const syncAt = await sut.appliedLsn(NEW_LEADER);
    if (!ahead || syncAt === undefined || syncAt >= ahead.a) {
      return sut.unknown(
        `could not set up the divergence: ${AHEAD} did not get ahead of ${NEW_LEADER} within ${SETUP_MS / 1000} s (appliedLsn ${AHEAD} ${ahead?.a ?? (await sut.appliedLsn(AHEAD)) ?? '?'}, ${NEW_LEADER} ${syncAt ?? '?'}, expected ${AHEAD} at ${base + SUFFIX})`,
        { observed: clip(sut.lines) },
      );
    }
    const aheadDump = await sut.dump(AHEAD);
    sut.act(`${AHEAD} is ahead: appliedLsn ${ahead.a} vs ${NEW_LEADER} ${syncAt} (unacknowledged suffix ${syncAt + 1}…${ahead.a})`);

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
    // The old leader is dead: drop whatever the cut still holds from it rather than deliver it late.
    sut.resetPair(LEADER, NEW_LEADER);
    sut.net.clearFaults();
    sut.act('faults cleared');
    const followed = await sut.admin(AHEAD, '/follow', { leader: NEW_LEADER });
    if (followed?.status !== 200)
      return sut.fail(
        `POST /follow on ${AHEAD} did not answer 200: ${followed ? `${followed.status} ${JSON.stringify(followed.response).slice(0, 200)}` : 'no answer'}`,
      );
    const routed = await sut.admin(ROUTER, '/admin/leader', { id: NEW_LEADER });
    if (routed?.status !== 200)
      return sut.fail(`POST /admin/leader on the router did not answer 200: ${routed ? routed.status : 'no answer'}`);
    sut.leader = NEW_LEADER;

    for (let i = 0; i < WRITES_AFTER; i++) {
      const w = await sut.write(`diverge/${i}`, `after-${i}-${ctx.random.int(0, 1e9)}`);
      if (w.outcome !== 'ack')
        return sut.fail(
          `write ${w.op.id} to the new leader ${NEW_LEADER} (no sync follower) was not acknowledged: ${w.status ?? 'no answer'} ${w.code ?? ''}${w.malformed ? ` (${w.malformed})` : ''}`,
          { observed: clip(sut.lines, 5, 10) },
        );
    }
    const target = await sut.appliedLsn(NEW_LEADER);
    if (target === undefined) return sut.fail(`the new leader ${NEW_LEADER} does not answer /status`);
    const leaderDump = await sut.dump(NEW_LEADER);
    if (!isDump(leaderDump)) return sut.fail(leaderDump.problem);
    const dense = denseProblem(leaderDump);
    if (dense) return sut.fail(`the new leader's log: ${dense}`);
    const lost = lostWrites(
      sut.acknowledged().map((w) => ({ id: w.id, lsn: w.lsn, key: w.key, value: w.value })),
      leaderDump,
    );
    if (lost.length > 0)
      return sut.fail(`${lost.length} acknowledged write(s) are not on the new leader ${NEW_LEADER} at their LSN; first: ${lost[0]}`, {
        observed: [...lost.slice(0, 10), ...clip(sut.lines, 5, 10)],
      });

    const before = isDump(aheadDump)
      ? aheadDump.entries.slice(syncAt).map((e) => `${AHEAD} before the failover: LSN ${e.lsn} ${e.key}=${JSON.stringify(e.value)}`)
      : [];
    let last: string | undefined;
    const converged = await waitFor(
      async () => {
        const dump = await sut.dump(AHEAD);
        if (!isDump(dump)) {
          last = dump.problem;
          return undefined;
        }
        last = prefixProblem(dump, leaderDump, true);
        return last === undefined ? true : undefined;
      },
      { timeoutMs: CATCH_UP_MS, intervalMs: 200, signal: ctx.scope.signal },
    );
    if (!converged) {
      return sut.fail(
        `${AHEAD}, which was ahead of the new leader by an unacknowledged suffix (LSN ${syncAt + 1}…${ahead.a}), did not end up with ${NEW_LEADER}'s log within ${CATCH_UP_MS / 1000} s: ${last}`,
        {
          observed: [
            ...before,
            `${NEW_LEADER} after the failover: ${leaderDump.entries
              .slice(syncAt)
              .map((e) => `LSN ${e.lsn} ${e.key}=${JSON.stringify(e.value)}`)
              .join('; ')}`,
            ...clip(sut.lines, 5, 10),
          ],
          metrics: { suffixFrom: syncAt + 1, suffixTo: ahead.a, leaderLsn: target },
        },
      );
    }
    return sut.pass(
      `${AHEAD} was ahead of ${NEW_LEADER} by LSN ${syncAt + 1}…${ahead.a} (never acknowledged); after the failover it holds exactly ${NEW_LEADER}'s ${target}-entry log`,
      {
        observed: before,
        metrics: { suffixFrom: syncAt + 1, suffixTo: ahead.a, leaderLsn: target },
      },
    );
  },
};
