import type { CheckDefinition } from '../../../harness/checks/check.ts';
import { checkSessionGuarantees } from '../../../harness/checks/history/session-guarantees.ts';
import { isDump } from '../dump.ts';
import { LEADER, StoreUnderTest, clip } from '../store-under-test.ts';
import { proofLines, violationLines } from '../violations.ts';

const LAG_MS = 2000;
const SESSION_ROUNDS = 24;
const TOKEN_ROUNDS = 6;
const VIAS = ['n2', 'n1', undefined, 'n2'] as const;
/** The sync follower: it has applied every acknowledged write when the 200 arrives, so it is caught up. */
const SYNC = 'n1';
/** Writes are fast here (only the async follower lags); a candidate whose writes wait for it is cut short. */
const BUDGET_MS = 20_000;

export const sessionRyw: CheckDefinition = {
  id: 'store.session-ryw',
  system: 'store',
  level: 'required',
  title: 'SessionConsistent reads its own writes under lag',
  criterion: `With every byte into follower n2 delayed ${LAG_MS} ms, a session that writes and then reads SessionConsistent (via n2, via n1 or without via) always gets its own write back (${SESSION_ROUNDS} rounds), and so does a read carrying the write's LSN as minLsn (${TOKEN_ROUNDS} rounds). Checked on the recorded history by the read-your-writes checker. A read via n1 (the sync follower, which holds the write when its 200 arrives, so it is caught up) is served by n1: SessionConsistent uses a caught-up follower when one exists and \`via\` names it.`,
  timeoutMs: 60_000,
  async run(ctx) {
    const sut = await StoreUnderTest.launch(ctx, { sync: ['n1'], async: ['n2'] });
    sut.lagInto('n2', LAG_MS);
    const session = `ryw-${ctx.random.int(0, 1e6)}`;
    const direct: string[] = [];
    /** Reads via the caught-up sync follower n1 that were not served by it. */
    const bypassed: string[] = [];
    const started = performance.now();
    const overBudget = (): boolean => performance.now() - started > BUDGET_MS;
    let rounds = 0;
    for (let i = 0; i < SESSION_ROUNDS && !overBudget(); i++, rounds++) {
      const key = `ryw/${i % 4}`;
      const value = `s${i}-${ctx.random.int(0, 1e9)}`;
      const w = await sut.write(key, value, { session });
      if (w.outcome !== 'ack')
        return sut.fail(
          `session write ${key}=${value} was not acknowledged (${w.status ?? 'no answer'} ${w.code ?? ''}); only the async follower lags`,
          { observed: clip(sut.lines) },
        );
      const via = VIAS[i % VIAS.length];
      const r = await sut.read(key, 'SessionConsistent', via === undefined ? { session } : { session, via });
      if (!r.ok)
        return sut.fail(
          `SessionConsistent read of ${key} in session ${session}${via ? ` via ${via}` : ''} failed (${r.status ?? 'no answer'} ${r.code ?? ''}${r.malformed ? `: ${r.malformed}` : ''}); it must fall back to the leader, never fail`,
          { observed: clip(sut.lines) },
        );
      if (r.value !== value)
        direct.push(
          `${r.op.id}: read ${JSON.stringify(r.value)} (servedBy ${r.servedBy}, lsn ${r.lsn}) right after the session wrote ${JSON.stringify(value)} (LSN ${w.lsn}) in ${w.op.id}`,
        );
      else if (via === SYNC && r.servedBy !== SYNC) {
        bypassed.push(
          `${r.op.id}: SessionConsistent via ${SYNC} was served by ${r.servedBy} although ${SYNC} (sync) had applied LSN ${w.lsn} before the write's 200 arrived`,
        );
      }
    }
    for (let i = 0; i < TOKEN_ROUNDS && !overBudget(); i++, rounds++) {
      const key = `ryw-token/${i}`;
      const value = `t${i}-${ctx.random.int(0, 1e9)}`;
      const w = await sut.write(key, value, { client: 'token-writer' });
      if (w.outcome !== 'ack' || w.lsn === undefined)
        return sut.fail(`write ${key}=${value} was not acknowledged (${w.status ?? 'no answer'} ${w.code ?? ''})`, {
          observed: clip(sut.lines),
        });
      const r = await sut.read(key, 'SessionConsistent', { minLsn: w.lsn, via: 'n2', client: 'token-reader' });
      if (!r.ok)
        return sut.fail(
          `SessionConsistent read of ${key} with minLsn=${w.lsn} via n2 failed (${r.status ?? 'no answer'} ${r.code ?? ''}${r.malformed ? `: ${r.malformed}` : ''}); it must fall back to the leader`,
          { observed: clip(sut.lines) },
        );
      if (r.value !== value) {
        direct.push(
          `${r.op.id}: SessionConsistent with minLsn=${w.lsn} via n2 read ${JSON.stringify(r.value)} (servedBy ${r.servedBy}, lsn ${r.lsn}) although ${w.op.id} wrote ${JSON.stringify(value)} at LSN ${w.lsn}: the token was ignored`,
        );
      }
    }
    sut.net.clearFaults();
    const leader = await sut.dump(LEADER);
    if (!isDump(leader)) return sut.fail(leader.problem, { observed: clip(sut.lines) });
    const result = checkSessionGuarantees(sut.recorded(), StoreUnderTest.log(leader), { guarantees: ['read-your-writes', 'phantom'] });
    if (!result.ok || direct.length > 0) {
      const first = result.violations[0];
      const summary = first
        ? `${result.violations.length} read-your-writes violation(s) under ${LAG_MS} ms of lag on n2; first: ${first.explanation}`
        : `${direct.length} read(s) did not return the value just written: ${direct[0]}`;
      return sut.fail(summary, {
        observed: [...violationLines(sut, result.violations), ...direct.slice(0, 5), ...clip(sut.lines, 10, 10)],
        proof: first ? proofLines(sut, first) : direct.slice(0, 1),
      });
    }
    if (bypassed.length > 0) {
      return sut.fail(
        `${bypassed.length} SessionConsistent read(s) via the caught-up sync follower ${SYNC} were not served by it (a caught-up follower named by via must serve); first: ${bypassed[0]}`,
        {
          observed: [...bypassed.slice(0, 5), ...clip(sut.lines, 10, 10)],
          proof: bypassed.slice(0, 1),
        },
      );
    }
    if (rounds < SESSION_ROUNDS + TOKEN_ROUNDS) {
      const writes = sut.history
        .filter((op) => op.kind === 'write' && op.completeMs !== undefined)
        .map((op) => (op.completeMs as number) - op.invokeMs);
      return sut.unknown(
        `only ${rounds} of ${SESSION_ROUNDS + TOKEN_ROUNDS} rounds fit in ${BUDGET_MS / 1000} s (writes took up to ${Math.round(Math.max(...writes))} ms with only the async follower lagging: see store.async-nonblocking); those rounds read their own writes`,
        { observed: clip(sut.lines) },
      );
    }
    const servedBy = new Map<string, number>();
    for (const op of sut.history) if (op.kind === 'read' && op.servedBy) servedBy.set(op.servedBy, (servedBy.get(op.servedBy) ?? 0) + 1);
    return sut.pass(
      `${SESSION_ROUNDS} session reads and ${TOKEN_ROUNDS} minLsn reads all returned the write just made (served by ${[...servedBy].map(([n, c]) => `${n}×${c}`).join(', ')})`,
      {
        metrics: { lagMs: LAG_MS, reads: SESSION_ROUNDS + TOKEN_ROUNDS },
      },
    );
  },
};
