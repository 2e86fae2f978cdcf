import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Operation, ReadOp, WriteOp } from './history.ts';
import { checkSessionGuarantees, findAnomalies } from './session-guarantees.ts';
import { arbSessionSteps, simulateSessions, valueAt, type SimulatedRun } from './session-sim.ts';

const RUNS = { numRuns: 300 };

/** (guarantee, later id) pairs, for comparing verdicts. */
const keys = (run: SimulatedRun, check = checkSessionGuarantees): Set<string> =>
  new Set(check(run.history, run.log).violations.map((v) => `${v.guarantee}:${v.later.id}`));

describe('session checker on a correct simulated store', () => {
  it('never reports a violation (reads at non-decreasing positions ≥ the session token, unknown writes included)', () => {
    fc.assert(
      fc.property(arbSessionSteps(60), (steps) => {
        const run = simulateSessions(steps);
        const result = checkSessionGuarantees(run.history, run.log);
        expect(result.violations.map((v) => v.explanation)).toEqual([]);
        expect(result.ok).toBe(true);
      }),
      RUNS,
    );
  });
});

describe("a read served below the session's last write to its key", () => {
  it('is always reported as read-your-writes, with that read as the later op and the latest overtaken write as the earlier', () => {
    fc.assert(
      fc.property(
        arbSessionSteps(60),
        fc.nat(),
        fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }),
        fc.boolean(),
        (steps, pick, where, hide) => {
          const run = simulateSessions(steps);
          const before = (read: ReadOp): WriteOp[] =>
            run.history.filter(
              (op): op is WriteOp & { lsn: number } =>
                op.kind === 'write' &&
                op.ok === true &&
                op.lsn !== undefined &&
                op.session === read.session &&
                op.key === read.key &&
                op.invokeMs < read.invokeMs,
            );
          const candidates = run.history.filter(
            (op): op is ReadOp => op.kind === 'read' && op.session !== undefined && before(op).some((w) => (w.lsn ?? 0) > 1),
          );
          fc.pre(candidates.length > 0);
          const read = candidates[pick % candidates.length]!;
          const own = before(read);
          const top = Math.max(...own.map((w) => w.lsn!));
          const served = Math.floor(where * top); // in [0, top - 1]
          const stale: ReadOp = { ...read, value: valueAt(run.log, read.key, served), servedBy: 'n2' };
          if (hide) delete stale.servedLsn;
          else stale.servedLsn = served;
          const history = run.history.map((op) => (op === read ? stale : op));

          const result = checkSessionGuarantees(history, run.log);
          const ryw = result.violations.filter((v) => v.guarantee === 'read-your-writes');
          expect(ryw.map((v) => v.later.id)).toEqual([read.id]);
          // The earlier op is the session's latest acknowledged write to the key that the read missed.
          const seenLsn = run.log.find((e) => e.key === read.key && e.value === stale.value)?.lsn ?? 0;
          const expected = own.filter((w) => w.lsn! > seenLsn).at(-1)!;
          expect(ryw[0]!.earlier?.id).toBe(expected.id);
          expect(ryw[0]!.session).toBe(read.session);
        },
      ),
      RUNS,
    );
  });
});

describe('unknown writes', () => {
  it('never create violations: relabelling writes as unknown only removes violations, even on a faulty store', () => {
    fc.assert(
      fc.property(arbSessionSteps(50), fc.array(fc.boolean(), { maxLength: 50 }), fc.boolean(), (steps, flips, keepAnswer) => {
        const run = simulateSessions(steps, 'faulty');
        let n = 0;
        const relabelled: Operation[] = run.history.map((op) => {
          if (op.kind !== 'write' || !flips[n++]) return op;
          const unknown: WriteOp = { ...op, ok: 'unknown' };
          if (!keepAnswer) delete unknown.completeMs;
          return unknown;
        });
        for (const check of [checkSessionGuarantees, findAnomalies]) {
          const original = keys(run, check);
          const after = keys({ history: relabelled, log: run.log }, check);
          for (const key of after) expect(original).toContain(key);
        }
      }),
      RUNS,
    );
  });
  it('a faulty store is caught (sanity check of the generator)', () => {
    let caught = 0;
    fc.assert(
      fc.property(arbSessionSteps(50, 20), (steps) => {
        const run = simulateSessions(steps, 'faulty');
        if (!checkSessionGuarantees(run.history, run.log).ok) caught++;
      }),
      { numRuns: 200, seed: 42 },
    );
    expect(caught).toBeGreaterThan(100);
  });
});

/**
 * A direct transcription of the definitions (O(n²), LSNs straight from the log), valid for the
 * simulator's histories: unique values, one op at a time, so every earlier answered op precedes.
 */
function reference(run: SimulatedRun, allModes: boolean): string[] {
  const lsn = new Map(run.log.map((e) => [`${e.key}\u0000${e.value}`, e.lsn]));
  const posOf = (key: string, value: string | null): number | undefined => (value === null ? 0 : lsn.get(`${key}\u0000${value}`));
  const written = new Set(run.history.filter((op) => op.kind === 'write' && op.ok !== false).map((op) => `${op.key}\u0000${op.value}`));
  const phantom = (read: ReadOp): boolean => read.value !== null && !written.has(`${read.key}\u0000${read.value}`);
  const obs = (op: Operation): number | undefined => (op.kind === 'read' && !phantom(op) ? posOf(op.key, op.value) : undefined);
  const out: string[] = [];
  const prefixBroken = new Set<string>();
  for (const read of run.history) {
    if (read.kind !== 'read') continue;
    if (phantom(read))
      out.push(`phantom:${run.history.find((o) => o.kind === 'write' && o.key === read.key && o.value === read.value)?.id}:${read.id}`);
    else if (read.servedLsn !== undefined && read.value !== valueAt(run.log, read.key, read.servedLsn) && obs(read) !== undefined) {
      prefixBroken.add(read.id);
      const seen = obs(read)!;
      const expected = run.log.filter((e) => e.key === read.key && e.lsn <= read.servedLsn!).at(-1);
      const blame = seen > read.servedLsn ? read.value : expected?.value;
      out.push(
        `consistent-prefix:${run.history.find((o) => o.kind === 'write' && o.key === read.key && o.value === blame)?.id}:${read.id}`,
      );
    }
  }
  const groups = new Map<string, Operation[]>();
  for (const op of run.history) {
    const label = op.session ?? (allModes ? `client:${op.client}` : undefined);
    if (label !== undefined) groups.set(label, [...(groups.get(label) ?? []), op]);
  }
  for (const ops of groups.values()) {
    ops.forEach((later, i) => {
      const before = ops.slice(0, i).reverse();
      const find = (guarantee: string, test: (op: Operation) => boolean): void => {
        const earlier = before.find(test);
        if (earlier) out.push(`${guarantee}:${earlier.id}:${later.id}`);
      };
      const acked = (op: Operation): boolean => op.kind === 'write' && op.ok === true && op.completeMs !== undefined;
      if (later.kind === 'write') {
        const pos = posOf(later.key, later.value);
        if (pos === undefined) return;
        find('monotonic-writes', (op) => acked(op) && (posOf(op.key, op.kind === 'write' ? op.value : null) ?? -1) > pos);
        find('writes-follow-reads', (op) => op.kind === 'read' && (obs(op) ?? -1) >= pos && op.value !== null);
        return;
      }
      if (!allModes && later.mode === 'AnyFollower') return;
      const seen = obs(later);
      if (seen === undefined) return;
      find('read-your-writes', (op) => acked(op) && op.key === later.key && (posOf(op.key, (op as WriteOp).value) ?? -1) > seen);
      find('monotonic-reads', (op) => op.kind === 'read' && op.key === later.key && (obs(op) ?? -1) > seen);
      const missed = run.log.find((e) => e.key === later.key && e.lsn > seen)?.lsn;
      if (missed !== undefined && !prefixBroken.has(later.id)) {
        find('consistent-prefix', (op) => op.kind === 'read' && op.key !== later.key && (obs(op) ?? -1) > missed);
      }
    });
  }
  return out.sort();
}

describe('session checker against a transcription of the definitions', () => {
  it('reports exactly the same (guarantee, earlier, later) triples on faulty and correct stores', () => {
    const arbSteps = fc.integer({ min: 1, max: 3 }).chain((keys) => arbSessionSteps(50, 1, keys));
    fc.assert(
      fc.property(arbSteps, fc.constantFrom<'correct' | 'faulty'>('correct', 'faulty'), fc.boolean(), (steps, mode, allModes) => {
        const run = simulateSessions(steps, mode);
        const result = (allModes ? findAnomalies : checkSessionGuarantees)(run.history, run.log);
        const got = result.violations.map((v) => `${v.guarantee}:${v.earlier?.id}:${v.later.id}`).sort();
        expect(got).toEqual(reference(run, allModes));
      }),
      { numRuns: 500 },
    );
  });
});
