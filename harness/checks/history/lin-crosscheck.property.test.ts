import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Operation, ReadOp, WriteOp } from './history.ts';
import { buildKeyModel } from './lin-model.ts';
import { findZoneConflict } from './lin-zones.ts';
import { checkLinearizable } from './linearizability.ts';
import { arbRegisterSpecs, executeRegister } from './register-sim.ts';

/**
 * The three stages (patterns, zones, search) must agree with each other and with brute force on
 * arbitrary small histories, linearizable or not.
 */

const arbOps = (maxOps: number): fc.Arbitrary<Operation[]> =>
  fc
    .array(
      fc.record({
        isWrite: fc.boolean(),
        invokeMs: fc.integer({ min: 0, max: 40 }),
        durationMs: fc.integer({ min: 0, max: 15 }),
        outcome: fc.constantFrom('ok', 'ok', 'ok', 'unknown', 'unknown-answered', 'failed', 'no-answer'),
        pick: fc.nat(),
      }),
      { maxLength: maxOps },
    )
    .map((specs) => {
      const values = specs.map((_, i) => `v${i}`).filter((_, i) => specs[i]!.isWrite);
      return specs.map((spec, i): Operation => {
        const completeMs = spec.invokeMs + spec.durationMs;
        if (spec.isWrite) {
          const op: WriteOp = {
            kind: 'write',
            id: `w${i}`,
            client: 'c',
            key: 'k',
            value: `v${i}`,
            invokeMs: spec.invokeMs,
            ok: true,
            completeMs,
          };
          if (spec.outcome === 'failed') op.ok = false;
          if (spec.outcome === 'unknown' || spec.outcome === 'unknown-answered') op.ok = 'unknown';
          if (spec.outcome === 'unknown' || spec.outcome === 'no-answer') delete op.completeMs;
          return op;
        }
        const choices = [null, ...values, 'junk'];
        const op: ReadOp = {
          kind: 'read',
          id: `r${i}`,
          client: 'c',
          key: 'k',
          mode: 'Leader',
          value: choices[spec.pick % choices.length]!,
          invokeMs: spec.invokeMs,
          completeMs,
        };
        if (spec.outcome === 'no-answer') delete op.completeMs;
        return op;
      });
    });

/** Executions of a real register with up to two reads then given another written value (or null). */
const arbNearlyLinearizable: fc.Arbitrary<Operation[]> = fc
  .tuple(arbRegisterSpecs({ maxOps: 14, spanMs: 60, maxDurationMs: 25 }), fc.array(fc.tuple(fc.nat(), fc.nat()), { maxLength: 2 }))
  .map(([specs, mutations]) => {
    const ops = executeRegister(specs);
    const values = [null, ...ops.flatMap((op) => (op.kind === 'write' && op.ok !== false ? [op.value] : []))];
    const reads = ops.filter((op): op is ReadOp => op.kind === 'read');
    for (const [which, value] of mutations) if (reads.length > 0) reads[which % reads.length]!.value = values[value % values.length]!;
    return ops;
  });

/** Brute force: some order of the relevant ops respects real time and register semantics. */
function bruteForce(ops: readonly Operation[]): boolean {
  const relevant = ops.filter((op) => (op.kind === 'write' ? op.ok !== false : op.completeMs !== undefined));
  const ret = (op: Operation): number =>
    op.kind === 'write' && (op.ok !== true || op.completeMs === undefined) ? Infinity : op.completeMs!;
  const used = new Array<boolean>(relevant.length).fill(false);
  const order: Operation[] = [];
  const search = (register: string | null): boolean => {
    if (order.length === relevant.length) return true;
    for (let i = 0; i < relevant.length; i++) {
      if (used[i]) continue;
      const op = relevant[i]!;
      // Every op not yet placed must not have completed strictly before op was invoked.
      if (relevant.some((other, j) => !used[j] && j !== i && ret(other) < op.invokeMs)) continue;
      if (op.kind === 'read' && op.value !== register) continue;
      used[i] = true;
      order.push(op);
      const ok = search(op.kind === 'write' ? op.value : register);
      order.pop();
      used[i] = false;
      if (ok) return true;
    }
    return false;
  };
  return search(null);
}

describe('linearizability stages agree', () => {
  it('zones (auto) and search give the same verdict on arbitrary histories', () => {
    fc.assert(
      fc.property(fc.oneof(arbOps(14), arbNearlyLinearizable), (ops) => {
        const search = checkLinearizable(ops, { strategy: 'search' });
        expect(search.verdict).not.toBe('unknown');
        expect(checkLinearizable(ops).verdict).toBe(search.verdict);
      }),
      { numRuns: 3000 },
    );
  });
  it('the zone check alone (no patterns) decides exactly what the search decides', () => {
    fc.assert(
      fc.property(fc.oneof(arbOps(14), arbNearlyLinearizable), (ops) => {
        const search = checkLinearizable(ops, { strategy: 'search' }).verdict;
        const zones = findZoneConflict(buildKeyModel('k', ops)) ? 'not-linearizable' : 'linearizable';
        expect(zones).toBe(search);
      }),
      { numRuns: 3000 },
    );
  });
  it('and both match brute force on tiny histories', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          arbOps(7),
          arbNearlyLinearizable.filter((ops) => ops.length <= 7),
        ),
        (ops) => {
          const expected = bruteForce(ops) ? 'linearizable' : 'not-linearizable';
          expect(checkLinearizable(ops, { strategy: 'search' }).verdict).toBe(expected);
          expect(checkLinearizable(ops).verdict).toBe(expected);
        },
      ),
      { numRuns: 2000 },
    );
  });
});
