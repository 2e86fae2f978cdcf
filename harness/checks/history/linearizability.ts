/**
 * Linearizability of a key-value history, key by key (P-compositionality: a history is linearizable
 * iff each key's sub-history is), each key a read/write register whose initial value is null.
 *
 * Per key, three stages:
 * 1. `pattern`: a scan for small sound counter-examples (lin-patterns.ts: phantom, future, stale,
 *    inverted and ABA reads), which give the most readable explanations;
 * 2. `zones` (strategy `auto`, when no two writes of the key share a value, the kit's convention): an
 *    exact O(n log n) decision for read-mapped registers (lin-zones.ts, Gibbons & Korach 1997), so
 *    highly concurrent histories never exhaust a budget;
 * 3. `search` (repeated values, or strategy `search`): Wing & Gong's search with Lowe's memoisation
 *    (lin-search.ts), bounded by the budget.
 * Outcomes are treated as Knossos and Porcupine do (lin-model.ts): unknown writes may take effect any
 * time after their invocation or never, failed writes never, unanswered reads are ignored.
 *
 * Budget (search only): it stops after `maxStates` new (linearized set, register value) configurations
 * per key, or when `timeBudgetMs` (for the whole call) runs out; the verdict is then `unknown`, never
 * `linearizable`. The exact stages need no budget and explore no states.
 */
import { KitError } from '../../common/errors.ts';
import { interval, opName, quote } from './describe.ts';
import type { History, Operation, ReadMode } from './history.ts';
import { groupByKey, validateHistory } from './history.ts';
import { buildKeyModel, type KeyModel } from './lin-model.ts';
import { findObviousViolation } from './lin-patterns.ts';
import { findZoneConflict } from './lin-zones.ts';
import { searchLinearization, type Frontier } from './lin-search.ts';

/** `unknown`: the budget ran out before a verdict; never read it as a pass. */
export type LinearizabilityVerdict = 'linearizable' | 'not-linearizable' | 'unknown';

/** Budget of {@link checkLinearizable}. */
export interface LinearizabilityOptions {
  /** New configurations the search may explore per key (default {@link DEFAULT_MAX_STATES}). */
  maxStates?: number;
  /** Wall-clock budget for the whole call, in ms (default: none). */
  timeBudgetMs?: number;
  /** `auto` (default): exact zone check when write values are unique, search otherwise; `search`: always search. */
  strategy?: 'auto' | 'search';
}

/** Options of {@link checkLinearizableByKey}. */
export interface LinearizabilityByKeyOptions extends LinearizabilityOptions {
  /**
   * Reads to include, by mode (default: every read). Pass `['Leader']` to check only the reads the
   * store promises to be linearizable; follower reads are allowed to be stale.
   */
  readModes?: readonly ReadMode[];
}

export interface LinearizabilityResult {
  verdict: LinearizabilityVerdict;
  /** The key the verdict is about (the failing one, or the first undecided one). */
  key?: string;
  /** Why it is not linearizable (or why undecided), in one or two sentences. */
  explanation?: string;
  /** A small set of operations that cannot be ordered (the read that cannot be placed and the writes that bound it). */
  witness?: Operation[];
  /** Configurations explored by the search (summed over keys). */
  statesExplored: number;
  /** The stage that decided (for the key reported; `zones` or `search` for a linearizable history). */
  method?: 'pattern' | 'zones' | 'search';
}

export interface LinearizabilityByKeyResult extends LinearizabilityResult {
  /** Keys checked before the answer (all of them unless one failed). */
  keysChecked: number;
  /** Keys whose verdict was `unknown`. */
  unknownKeys: string[];
}

/** Default per-key state budget. */
export const DEFAULT_MAX_STATES = 100_000;

/**
 * Checks one key's operations (all must share the key).
 * @throws KitError `HISTORY_MIXED_KEYS` when they do not, `HISTORY_INVALID` on a malformed history.
 */
export function checkLinearizable(ops: History, options: LinearizabilityOptions = {}): LinearizabilityResult {
  validateHistory(ops);
  const keys = new Set(ops.map((op) => op.key));
  if (keys.size > 1) {
    throw new KitError(
      'HISTORY_MIXED_KEYS',
      `checkLinearizable checks one register; got keys ${[...keys].join(', ')} (use checkLinearizableByKey)`,
      {
        keys: [...keys],
      },
    );
  }
  const key = ops[0]?.key;
  if (key === undefined) return { verdict: 'linearizable', statesExplored: 0 };
  return checkKey(key, ops, options, deadlineOf(options));
}

/**
 * Splits the history by key and checks each; reports the first failing key (in order of first
 * appearance). Undecided keys make the verdict `unknown` unless some key fails.
 */
export function checkLinearizableByKey(history: History, options: LinearizabilityByKeyOptions = {}): LinearizabilityByKeyResult {
  validateHistory(history);
  const modes = options.readModes && new Set(options.readModes);
  const kept = modes ? history.filter((op) => op.kind === 'write' || modes.has(op.mode)) : history;
  const deadline = deadlineOf(options);
  let statesExplored = 0;
  let keysChecked = 0;
  const unknownKeys: string[] = [];
  let firstUnknown: LinearizabilityResult | undefined;
  for (const [key, ops] of groupByKey(kept)) {
    const result = checkKey(key, ops, options, deadline);
    statesExplored += result.statesExplored;
    keysChecked++;
    if (result.verdict === 'not-linearizable') return { ...result, statesExplored, keysChecked, unknownKeys };
    if (result.verdict === 'unknown') {
      unknownKeys.push(key);
      firstUnknown ??= result;
    }
  }
  if (firstUnknown) return { ...firstUnknown, statesExplored, keysChecked, unknownKeys };
  return { verdict: 'linearizable', statesExplored, keysChecked, unknownKeys, method: options.strategy === 'search' ? 'search' : 'zones' };
}

function deadlineOf(options: LinearizabilityOptions): number {
  return options.timeBudgetMs === undefined ? Number.POSITIVE_INFINITY : performance.now() + options.timeBudgetMs;
}

function checkKey(key: string, ops: readonly Operation[], options: LinearizabilityOptions, deadline: number): LinearizabilityResult {
  const model = buildKeyModel(key, ops);
  const obvious = findObviousViolation(model);
  if (obvious) return { verdict: 'not-linearizable', key, ...obvious, statesExplored: 0, method: 'pattern' };
  if (model.uniqueValues && options.strategy !== 'search') {
    const conflict = findZoneConflict(model);
    if (conflict) return { verdict: 'not-linearizable', key, ...conflict, statesExplored: 0, method: 'zones' };
    return { verdict: 'linearizable', key, statesExplored: 0, method: 'zones' };
  }
  const maxStates = options.maxStates ?? DEFAULT_MAX_STATES;
  const search = searchLinearization(model.ops, { maxStates, deadline });
  switch (search.outcome) {
    case 'linearizable':
      return { verdict: 'linearizable', key, statesExplored: search.statesExplored, method: 'search' };
    case 'budget':
      return {
        verdict: 'unknown',
        key,
        explanation:
          `the search for a linearization of the ${model.ops.length} operations on ${key} ran out of ` +
          (search.reason === 'states' ? `its state budget (${maxStates} states)` : 'its time budget') +
          ' before deciding',
        statesExplored: search.statesExplored,
        method: 'search',
      };
    case 'not-linearizable':
      return {
        verdict: 'not-linearizable',
        key,
        ...explainFrontier(model, search.frontier),
        statesExplored: search.statesExplored,
        method: 'search',
      };
  }
}

/** Explanation when no pattern applies: the furthest partial linearization and the op it could not place. */
function explainFrontier(model: KeyModel, frontier: Frontier): { explanation: string; witness: Operation[] } {
  const stuck = model.ops[frontier.stuck]!.source;
  const writer = frontier.writer >= 0 ? model.ops[frontier.writer]!.source : undefined;
  const holding = `${quote(model.values[frontier.state] ?? null)}${writer ? ` (from write ${writer.id} ${interval(writer)})` : ''}`;
  const what = stuck.kind === 'read' ? `read ${stuck.id} returning ${quote(stuck.value)}` : `write ${stuck.id} of ${quote(stuck.value)}`;
  const source = stuck.kind === 'read' && stuck.value !== null ? model.writerOf.get(stuck.value) : undefined;
  const witness = [stuck, ...(writer && writer !== stuck ? [writer] : []), ...(source && source !== writer ? [source] : [])];
  return {
    explanation:
      `no order of the ${model.ops.length} operations on ${model.key} respects both real time and register semantics: ` +
      `the furthest attempt placed ${frontier.placed} of them with the register holding ${holding}, and then ${what} ` +
      `${interval(stuck)} could not be placed before it completed (witness: ${witness.map(opName).join(', ')})`,
    witness,
  };
}
