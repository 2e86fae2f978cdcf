import fc from 'fast-check';
import type { Random } from '../../common/random.ts';
import type { Operation, ReadOp, WriteOp } from './history.ts';

/**
 * Linearizable histories by construction, for property tests and benchmarks: every operation gets an
 * interval and a linearization point inside it (after the invocation, unbounded, for unknown writes),
 * the points are applied in order to a real register, and reads return what the register held.
 */

/** What happens to one generated operation. */
export type Outcome = 'ok' | 'unknown-applied' | 'unknown-lost' | 'unknown-answered' | 'failed' | 'no-answer-read';

export interface RegisterOpSpec {
  isWrite: boolean;
  invokeMs: number;
  durationMs: number;
  /** Where in the interval (or after the invocation, for unknown writes) the effect happens, in [0, 1). */
  point: number;
  outcome: Outcome;
  client: number;
}

/** fast-check arbitrary of op specs with random (overlapping) intervals in `[0, spanMs]`. */
export function arbRegisterSpecs(options: {
  minOps?: number;
  maxOps: number;
  spanMs?: number;
  maxDurationMs?: number;
  odd?: boolean;
}): fc.Arbitrary<RegisterOpSpec[]> {
  const outcome: fc.Arbitrary<Outcome> =
    options.odd === false
      ? fc.constant('ok')
      : fc.oneof(
          { weight: 12, arbitrary: fc.constant<Outcome>('ok') },
          {
            weight: 1,
            arbitrary: fc.constantFrom<Outcome>('unknown-applied', 'unknown-lost', 'unknown-answered', 'failed', 'no-answer-read'),
          },
        );
  return fc.array(
    fc.record({
      isWrite: fc.boolean(),
      invokeMs: fc.integer({ min: 0, max: options.spanMs ?? 1000 }),
      durationMs: fc.integer({ min: 0, max: options.maxDurationMs ?? 60 }),
      point: fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }),
      outcome,
      client: fc.integer({ min: 0, max: 3 }),
    }),
    { minLength: options.minOps ?? 0, maxLength: options.maxOps },
  );
}

/** Makes the specs sequential: each op starts `gapMs` after the previous one completes. */
export function sequentialize(specs: readonly RegisterOpSpec[], gapMs = 1): RegisterOpSpec[] {
  let t = 0;
  return specs.map((spec) => {
    const out = { ...spec, invokeMs: t };
    t += spec.durationMs + gapMs;
    return out;
  });
}

/** Runs the specs against a register on `key`; writes `w<i>` write `"<key>-v<i>"`, reads are `r<i>`. */
export function executeRegister(specs: readonly RegisterOpSpec[], key = 'k'): Operation[] {
  const ops: Operation[] = [];
  const effects: { at: number; order: number; op: Operation }[] = [];
  specs.forEach((spec, i) => {
    const completeMs = spec.invokeMs + spec.durationMs;
    const client = `c${spec.client}`;
    if (spec.isWrite) {
      const op: WriteOp = { kind: 'write', id: `w${i}`, client, key, value: `${key}-v${i}`, invokeMs: spec.invokeMs, ok: true, completeMs };
      switch (spec.outcome) {
        case 'failed':
          op.ok = false;
          break;
        case 'unknown-lost':
        case 'unknown-applied':
          op.ok = 'unknown';
          delete op.completeMs;
          break;
        case 'unknown-answered':
          op.ok = 'unknown';
          break;
        default:
          break;
      }
      ops.push(op);
      const late = op.ok === 'unknown' && spec.outcome !== 'unknown-lost';
      if (op.ok === true) effects.push({ at: spec.invokeMs + spec.point * spec.durationMs, order: i, op });
      else if (late) effects.push({ at: spec.invokeMs + spec.point * 4 * (spec.durationMs + 50), order: i, op });
    } else {
      const op: ReadOp = { kind: 'read', id: `r${i}`, client, key, mode: 'Leader', value: null, invokeMs: spec.invokeMs, completeMs };
      if (spec.outcome === 'no-answer-read') {
        delete op.completeMs;
        op.value = 'garbage-never-checked';
      } else effects.push({ at: spec.invokeMs + spec.point * spec.durationMs, order: i, op });
      ops.push(op);
    }
  });
  effects.sort((a, b) => a.at - b.at || a.order - b.order);
  let register: string | null = null;
  for (const { op } of effects) {
    if (op.kind === 'write') register = op.value;
    else op.value = register;
  }
  return ops;
}

/**
 * A client-sequential workload (each client waits for its answer before the next op, like the kit's
 * clients): `ops` operations over `keys` keys from `clients` clients, with a fraction of unknown writes.
 */
export function clientWorkload(random: Random, options: { ops: number; clients: number; keys: number; unknownRate?: number }): Operation[] {
  const specsByKey = new Map<string, RegisterOpSpec[]>();
  const clock = new Array<number>(options.clients).fill(0);
  for (let i = 0; i < options.ops; i++) {
    const client = random.int(0, options.clients - 1);
    const durationMs = random.int(1, 20);
    const invokeMs = clock[client]! + random.int(0, 5);
    clock[client] = invokeMs + durationMs;
    const isWrite = random.chance(0.5);
    const outcome: Outcome = isWrite && random.chance(options.unknownRate ?? 0) ? 'unknown-applied' : 'ok';
    const key = `k${random.int(0, options.keys - 1)}`;
    const list = specsByKey.get(key) ?? [];
    list.push({ isWrite, invokeMs, durationMs, point: random.next(), outcome, client });
    specsByKey.set(key, list);
  }
  return [...specsByKey].flatMap(([key, specs]) => executeRegister(specs, key).map((op) => ({ ...op, id: `${key}.${op.id}` })));
}
