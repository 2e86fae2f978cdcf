import type { CheckDefinition } from '../../../harness/checks/check.ts';
import { checkSessionGuarantees } from '../../../harness/checks/history/session-guarantees.ts';
import { delay } from '../../../harness/common/wait.ts';
import { isDump } from '../dump.ts';
import { LEADER, StoreUnderTest, clip } from '../store-under-test.ts';
import { proofLines, violationLines } from '../violations.ts';

const FAST_LAG_MS = 30;
const SLOW_LAG_MS = 1500;
const CONCLUSIVE_MS = SLOW_LAG_MS - 300;
const SESSION_READS = 1000;
const WRITE_EVERY_MS = 10;
const ANY_ROUNDS = 2;
const VIAS = ['n1', 'n2', undefined] as const;
/** 1000 reads take 2–4 s on the reference; a crawling router is judged on the reads it managed. */
const PART_B_BUDGET_MS = 40_000;

export const monotonicReads: CheckDefinition = {
  id: 'store.monotonic-reads',
  system: 'store',
  level: 'required',
  title: 'Monotonic reads: AnyFollower may go back in time, SessionConsistent never does',
  criterion: `Followers n1 and n2 lag by ${FAST_LAG_MS} ms and ${SLOW_LAG_MS} ms. AnyFollower reads alternating via n1 then n2 are shown to regress (${ANY_ROUNDS} rounds); ${SESSION_READS} SessionConsistent reads of one session alternating via n1, n2 and no via, while a writer keeps writing the key, never return an older value than an earlier read of the session (monotonic-reads checker).`,
  timeoutMs: 90_000,
  async run(ctx) {
    const sut = await StoreUnderTest.launch(ctx, { sync: [], async: ['n1', 'n2'], quorum: 0 });
    sut.lagInto('n1', FAST_LAG_MS);
    sut.lagInto('n2', SLOW_LAG_MS);

    // Part A: AnyFollower regresses when it goes from the fresh follower to the lagging one.
    const observed: string[] = [];
    let demonstrated = 0;
    for (let attempt = 1; attempt <= ANY_ROUNDS + 3 && demonstrated < ANY_ROUNDS; attempt++) {
      const key = 'monotonic/any';
      const value = `a${attempt}-${ctx.random.int(0, 1e9)}`;
      const w = await sut.write(key, value);
      if (w.outcome !== 'ack' || w.lsn === undefined)
        return sut.fail(
          `write ${key}=${value} was not acknowledged (${w.status ?? 'no answer'} ${w.code ?? ''}); both followers are async`,
          { observed: clip(sut.lines) },
        );
      const onN1 = await sut.waitApplied('n1', w.lsn, 10_000);
      if (!onN1.reached)
        return sut.fail(`n1 (${FAST_LAG_MS} ms of lag) did not apply LSN ${w.lsn} within 10 s`, { observed: clip(sut.lines) });
      const r1 = await sut.read(key, 'AnyFollower', { via: 'n1' });
      const r2 = await sut.read(key, 'AnyFollower', { via: 'n2' });
      const elapsed = (r2.op.completeMs ?? sut.now()) - w.op.invokeMs;
      observed.push(
        `${key}: wrote ${JSON.stringify(value)} (LSN ${w.lsn}); via n1 → ${JSON.stringify(r1.value)} (${r1.servedBy}, lsn ${r1.lsn}); then via n2 → ${JSON.stringify(r2.value)} (${r2.servedBy}, lsn ${r2.lsn}), ${elapsed.toFixed(0)} ms after the write`,
      );
      if (!r1.ok || !r2.ok)
        return sut.fail(
          `an AnyFollower read failed (${r1.ok ? '' : `via n1: ${r1.status ?? 'no answer'} ${r1.code ?? ''} `}${r2.ok ? '' : `via n2: ${r2.status ?? 'no answer'} ${r2.code ?? ''}`}) although both followers are up`,
          { observed },
        );
      if (r1.servedBy !== 'n1' || r2.servedBy !== 'n2')
        return sut.fail(
          `AnyFollower with via was served by ${r1.servedBy} (via n1) and ${r2.servedBy} (via n2): with via it must read from that follower`,
          { observed },
        );
      if (r1.value !== value) continue; // n1 had not served the fresh value: nothing to regress from
      if (r2.value === value) {
        if (elapsed < CONCLUSIVE_MS) {
          return sut.fail(
            `AnyFollower via n2 returned ${JSON.stringify(value)} (LSN ${w.lsn}) ${elapsed.toFixed(0)} ms after it was written, although every byte into n2 is delayed ${SLOW_LAG_MS} ms: it was not served from n2's own state, so AnyFollower cannot regress as it must be allowed to`,
            { observed },
          );
        }
        continue;
      }
      demonstrated++;
    }
    if (demonstrated < ANY_ROUNDS) {
      const slowest = Math.max(
        0,
        ...sut.history
          .filter((op) => op.kind === 'write' && op.completeMs !== undefined)
          .map((op) => (op.completeMs as number) - op.invokeMs),
      );
      const why =
        slowest >= CONCLUSIVE_MS
          ? `writes took up to ${slowest.toFixed(0)} ms although both followers are async, long enough for n2 to receive them (see store.async-nonblocking)`
          : 'the machine is too loaded';
      return sut.unknown(
        `AnyFollower regression shown in ${demonstrated} of ${ANY_ROUNDS} rounds; the other attempts answered too late to prove anything: ${why}`,
        { observed },
      );
    }
    observed.push(`AnyFollower regressed (fresh via n1, then older via n2) in ${demonstrated} rounds`);

    // Part B: a session's reads never go back, whichever follower they are pointed at.
    const key = 'monotonic/session';
    const session = `mono-${ctx.random.int(0, 1e6)}`;
    let stop = false;
    let writes = 0;
    const writer = (async () => {
      while (!stop && !ctx.scope.signal.aborted) {
        writes++;
        await sut.write(key, `c${writes}`, { client: 'writer' });
        await delay(WRITE_EVERY_MS, ctx.scope.signal);
      }
    })();
    const seen: Array<[number, number]> = [];
    const failures: string[] = [];
    const partStart = performance.now();
    let highest = 0;
    let regressions = 0;
    let readsDone = 0;
    const directRegressions: string[] = [];
    try {
      for (let i = 0; i < SESSION_READS; i++) {
        const via = VIAS[i % VIAS.length];
        const r = await sut.read(
          key,
          'SessionConsistent',
          via === undefined ? { session, client: 'reader' } : { session, via, client: 'reader' },
        );
        readsDone++;
        if (!r.ok) {
          failures.push(`${r.op.id}: ${r.status ?? 'no answer'} ${r.code ?? ''}${r.malformed ? ` ${r.malformed}` : ''}`);
          if (failures.length >= 5) break;
          continue;
        }
        const counter = r.value === null || r.value === undefined ? 0 : Number(r.value.slice(1));
        seen.push([i, counter]);
        if (counter < highest) {
          directRegressions.push(
            `${r.op.id} read ${JSON.stringify(r.value)} (servedBy ${r.servedBy}, lsn ${r.lsn}) after the session had already read c${highest}`,
          );
          if (++regressions >= 5) break; // enough evidence; the checker names the pairs
        }
        highest = Math.max(highest, counter);
        if (performance.now() - partStart > PART_B_BUDGET_MS) break;
      }
    } finally {
      stop = true;
      await writer;
    }
    const plots = [
      {
        title: 'Value read by the session (writer counter) per read',
        xLabel: 'session read #',
        yLabel: 'counter read',
        series: [{ name: 'SessionConsistent', points: seen }],
      },
    ];
    if (failures.length > 0)
      return sut.fail(
        `SessionConsistent reads failed (${failures.length}); they must fall back to the leader, never fail: ${failures[0]}`,
        { observed: [...observed, ...failures, ...clip(sut.lines, 5, 10)], plots },
      );
    sut.net.clearFaults();
    const leader = await sut.dump(LEADER);
    if (!isDump(leader)) return sut.fail(leader.problem, { observed, plots });
    const result = checkSessionGuarantees(sut.recorded(), StoreUnderTest.log(leader), { guarantees: ['monotonic-reads', 'phantom'] });
    if (!result.ok) {
      return sut.fail(
        `${result.violations.length} monotonic-read violation(s) in ${readsDone} SessionConsistent reads; first: ${result.violations[0]?.explanation}`,
        {
          observed: [...violationLines(sut, result.violations), ...observed],
          proof: proofLines(sut, result.violations[0]),
          plots,
          metrics: { reads: SESSION_READS, writes },
        },
      );
    }
    if (directRegressions.length > 0) {
      return sut.fail(`the session went back in time: ${directRegressions[0]}`, {
        observed: [...directRegressions, ...observed],
        plots,
        proof: directRegressions.slice(0, 1),
      });
    }
    if (seen.length < SESSION_READS) {
      return sut.unknown(
        `only ${seen.length} of ${SESSION_READS} SessionConsistent reads fit in ${PART_B_BUDGET_MS / 1000} s; none regressed`,
        { observed, plots },
      );
    }
    const servedBy = new Map<string, number>();
    for (const op of sut.history)
      if (op.kind === 'read' && op.client === 'reader' && op.servedBy) servedBy.set(op.servedBy, (servedBy.get(op.servedBy) ?? 0) + 1);
    return sut.pass(
      `AnyFollower regressed in ${demonstrated} of ${demonstrated} rounds; ${SESSION_READS} SessionConsistent reads during ${writes} writes never regressed (served by ${[...servedBy].map(([n, c]) => `${n}×${c}`).join(', ')})`,
      {
        observed,
        plots,
        metrics: { reads: SESSION_READS, writes },
      },
    );
  },
};
