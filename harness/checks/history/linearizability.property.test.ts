import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createRandom } from '../../common/random.ts';
import type { Operation, ReadOp, WriteOp } from './history.ts';
import { isAcknowledged } from './history.ts';
import { checkLinearizable, checkLinearizableByKey } from './linearizability.ts';
import { arbRegisterSpecs, clientWorkload, executeRegister, sequentialize } from './register-sim.ts';

const RUNS = { numRuns: 300 };

/** Replaces one read (by position among answered reads) with a copy returning `value`. */
function mutateRead(ops: Operation[], read: ReadOp, value: string | null): Operation[] {
  return ops.map((op) => (op === read ? { ...read, value } : op));
}

const answeredReads = (ops: Operation[]): ReadOp[] => ops.filter((op): op is ReadOp => op.kind === 'read' && op.completeMs !== undefined);

describe('linearizability checker on linearizable histories', () => {
  it('accepts every sequential history applied to a real register (unknown and failed writes included)', () => {
    fc.assert(
      fc.property(arbRegisterSpecs({ maxOps: 40 }), (specs) => {
        const result = checkLinearizable(executeRegister(sequentialize(specs)));
        expect(result.explanation).toBeUndefined();
        expect(result.verdict).toBe('linearizable');
      }),
      RUNS,
    );
  });
  it('accepts every concurrent history produced by a real linearizable execution', () => {
    fc.assert(
      fc.property(arbRegisterSpecs({ maxOps: 40, spanMs: 400 }), (specs) => {
        const result = checkLinearizable(executeRegister(specs));
        expect(result.explanation).toBeUndefined();
        expect(result.verdict).toBe('linearizable');
      }),
      RUNS,
    );
  });
});

describe('linearizability checker on broken histories', () => {
  it('rejects a read mutated to a value never written', () => {
    fc.assert(
      fc.property(arbRegisterSpecs({ minOps: 1, maxOps: 40, spanMs: 400 }), fc.nat(), (specs, pick) => {
        const ops = executeRegister(specs);
        const reads = answeredReads(ops);
        fc.pre(reads.length > 0);
        const result = checkLinearizable(mutateRead(ops, reads[pick % reads.length]!, 'never-written'));
        expect(result.verdict).toBe('not-linearizable');
        expect(result.witness?.map((op) => op.id)).toContain(reads[pick % reads.length]!.id);
      }),
      RUNS,
    );
  });
  it('rejects a read mutated to a stale value (its write completed before a newer one that completed before the read)', () => {
    fc.assert(
      fc.property(arbRegisterSpecs({ minOps: 10, maxOps: 40, spanMs: 600, maxDurationMs: 30 }), fc.nat(), (specs, pick) => {
        const ops = executeRegister(specs);
        const acked = ops.filter((op): op is WriteOp & { completeMs: number } => op.kind === 'write' && isAcknowledged(op));
        const stale = answeredReads(ops).flatMap((read) => {
          const old = acked.filter((a) => acked.some((b) => a.completeMs < b.invokeMs && b.completeMs < read.invokeMs));
          return old
            .map((a) => ({ read, value: a.value as string | null }))
            .concat(acked.some((b) => b.completeMs < read.invokeMs) ? [{ read, value: null }] : []);
        });
        fc.pre(stale.length > 0);
        const { read, value } = stale[pick % stale.length]!;
        expect(checkLinearizable(mutateRead(ops, read, value)).verdict).toBe('not-linearizable');
      }),
      RUNS,
    );
  });
});

describe('linearizability budget', () => {
  it('answers unknown, never linearizable, for a tiny budget on a large history', () => {
    fc.assert(
      fc.property(arbRegisterSpecs({ minOps: 150, maxOps: 250, spanMs: 3000 }), fc.integer({ min: 1, max: 100 }), (specs, maxStates) => {
        const result = checkLinearizable(executeRegister(specs), { maxStates, strategy: 'search' });
        expect(result.verdict).toBe('unknown');
        expect(result.statesExplored).toBeLessThanOrEqual(maxStates + 1);
      }),
      { numRuns: 30 },
    );
  });
});

describe("linearizability at the suite's scale", () => {
  it('decides a 2,000-op, 4-client history on one key within the default budget', () => {
    const history = clientWorkload(createRandom(7), { ops: 2000, clients: 4, keys: 1, unknownRate: 0.05 });
    const result = checkLinearizableByKey(history);
    expect(result.verdict).toBe('linearizable');
  });
});
