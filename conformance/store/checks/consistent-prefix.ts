import type { CheckDefinition } from '../../../harness/checks/check.ts';
import { checkSessionGuarantees } from '../../../harness/checks/history/session-guarantees.ts';
import type { ReadMode } from '../../../harness/checks/history/history.ts';
import { delay } from '../../../harness/common/wait.ts';
import { type Dump, denseProblem, isDump, lostWrites, prefixProblem } from '../dump.ts';
import { LEADER, StoreUnderTest, clip } from '../store-under-test.ts';
import { proofLines, violationLines } from '../violations.ts';

const KEYS = 5;
const PHASES = 3;
const WRITES_PER_PHASE = 40;
const CATCH_UP_MS = 15_000;
/** A phase stops writing after this long (a candidate whose writes wait for the lagging follower). */
const PHASE_BUDGET_MS = 8_000;

interface Reader {
  client: string;
  mode: ReadMode;
  session?: string;
  vias: ReadonlyArray<string | undefined>;
}

export const consistentPrefix: CheckDefinition = {
  id: 'store.consistent-prefix',
  system: 'store',
  level: 'required',
  title: "Every observed state is a prefix of the leader's log, also after link resets",
  criterion: `A chain of ${PHASES * WRITES_PER_PHASE} writes over ${KEYS} keys runs while readers read every mode via both followers (n1 lagging 5–15 ms, n2 250–500 ms), and every replication link is reset between phases. Every read's value must be the leader's log's value for its key at the read's LSN (consistent-prefix checker); every /dump taken along the way and after the followers catch up (≤ ${CATCH_UP_MS / 1000} s) is dense and a prefix of the leader's log, which holds every acknowledged write at its LSN.`,
  timeoutMs: 90_000,
  async run(ctx) {
    const sut = await StoreUnderTest.launch(ctx, { sync: ['n1'], async: ['n2'] });
    sut.lagInto('n1', 5, 10);
    sut.lagInto('n2', 250, 250);
    const random = ctx.random.fork('readers');
    const readers: Reader[] = [
      { client: 'any-reader', mode: 'AnyFollower', vias: ['n1', 'n2'] },
      { client: 'session-reader', mode: 'SessionConsistent', session: `cp-${ctx.random.int(0, 1e6)}`, vias: ['n2', 'n1', undefined] },
      { client: 'fresh-reader', mode: 'BestEffortFresh', vias: ['n2', undefined] },
    ];
    let stop = false;
    const readFailures: string[] = [];
    const loops = readers.map(async (reader) => {
      for (let i = 0; !stop && !ctx.scope.signal.aborted; i++) {
        const via = reader.vias[i % reader.vias.length];
        const options = {
          client: reader.client,
          ...(via === undefined ? {} : { via }),
          ...(reader.session === undefined ? {} : { session: reader.session }),
        };
        const r = await sut.read(`prefix/${random.int(0, KEYS - 1)}`, reader.mode, options);
        if (r.malformed) readFailures.push(`${r.op.id}: ${r.malformed}`);
        await delay(3, ctx.scope.signal);
      }
    });
    const snapshots: Dump[] = [];
    const problems: string[] = [];
    let n = 0;
    try {
      for (let phase = 1; phase <= PHASES; phase++) {
        const phaseStart = performance.now();
        let written = 0;
        for (; written < WRITES_PER_PHASE && performance.now() - phaseStart < PHASE_BUDGET_MS; written++, n++) {
          const w = await sut.write(`prefix/${n % KEYS}`, `p${phase}-${n}`, { client: 'writer' });
          if (w.outcome === 'rejected' || w.malformed)
            problems.push(`${w.op.id} was answered ${w.status} ${w.code ?? ''}${w.malformed ? ` ${w.malformed}` : ''}`);
        }
        for (const f of sut.followers) {
          const d = await sut.dump(f);
          if (isDump(d)) snapshots.push(d);
          else problems.push(d.problem);
        }
        sut.act(`phase ${phase}: ${written} writes done, follower dumps taken`);
        if (phase < PHASES)
          for (const [a, b] of [
            [LEADER, 'n1'],
            [LEADER, 'n2'],
            ['n1', 'n2'],
          ] as const)
            sut.resetPair(a, b);
      }
    } finally {
      stop = true;
      await Promise.all(loops);
    }
    if (problems.length > 0 || readFailures.length > 0)
      return sut.fail(`${problems.length + readFailures.length} answer(s) broke the contract: ${[...problems, ...readFailures][0]}`, {
        observed: [...problems, ...readFailures].slice(0, 10),
      });
    // The writes are over: the leader's log is final. Judge what was observed first, then the catch-up.
    const leader = await sut.dump(LEADER);
    if (!isDump(leader)) return sut.fail(leader.problem);
    const dense = denseProblem(leader);
    if (dense) return sut.fail(dense);
    const lost = lostWrites(
      sut.acknowledged().map((w) => ({ id: w.id, lsn: w.lsn, key: w.key, value: w.value })),
      leader,
    );
    if (lost.length > 0)
      return sut.fail(`${lost.length} acknowledged write(s) not on the leader at their LSN; first: ${lost[0]}`, {
        observed: lost.slice(0, 10),
      });
    const plots = [sut.servedLsnPlot('LSN each node served reads at (resets between phases)')];
    const snapshotProblems: string[] = [];
    for (const snap of snapshots) {
      const problem = prefixProblem(snap, leader);
      if (problem)
        snapshotProblems.push(
          `mid-run /dump of ${snap.node} (appliedLsn ${snap.appliedLsn}): ${problem}; its LSNs in order: ${snap.entries
            .slice(0, 40)
            .map((e) => e.lsn)
            .join(',')}${snap.entries.length > 40 ? ',…' : ''}`,
        );
    }
    const result = checkSessionGuarantees(sut.recorded(), StoreUnderTest.log(leader), { guarantees: ['consistent-prefix', 'phantom'] });
    const reads = sut.history.filter((op) => op.kind === 'read' && op.completeMs !== undefined).length;
    if (!result.ok) {
      return sut.fail(
        `${result.violations.length} of ${reads} reads observed a state that is not a prefix of the leader's log; first: ${result.violations[0]?.explanation}`,
        {
          observed: [...violationLines(sut, result.violations, 8), ...snapshotProblems.slice(0, 3)],
          proof: proofLines(sut, result.violations[0]),
          metrics: { reads, writes: n },
          plots,
        },
      );
    }
    if (snapshotProblems.length > 0)
      return sut.fail(snapshotProblems[0] as string, { observed: snapshotProblems.slice(0, 5), metrics: { reads, writes: n }, plots });
    sut.net.clearFaults();
    sut.act('faults cleared; waiting for the followers to catch up');
    const leaderLsn = leader.appliedLsn;
    for (const f of sut.followers) {
      const caught = await sut.waitApplied(f, leaderLsn, CATCH_UP_MS);
      if (!caught.reached)
        return sut.fail(
          `follower ${f} did not catch up to the leader's LSN ${leaderLsn} within ${CATCH_UP_MS / 1000} s after the faults were removed (appliedLsn ${caught.applied ?? 'no answer'})`,
          { observed: clip(sut.lines, 5, 10), plots },
        );
    }
    for (const f of sut.followers) {
      const d = await sut.dump(f);
      if (!isDump(d)) return sut.fail(d.problem);
      const problem = prefixProblem(d, leader, true);
      if (problem) return sut.fail(`after catching up, ${problem}`);
    }
    return sut.pass(
      `${reads} reads in every mode and ${snapshots.length + sut.followers.length} follower dumps were all prefixes of the leader's ${leader.entries.length}-entry log, across ${PHASES - 1} rounds of link resets`,
      {
        metrics: { reads, writes: n, resets: PHASES - 1 },
        plots,
      },
    );
  },
};
