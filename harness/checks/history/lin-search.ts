import type { LinOp } from './lin-model.ts';

/**
 * Wing & Gong's linearizability search with Lowe's memoisation (as in Porcupine's `checkSingle`), for
 * one register. Events (calls and returns) sit in a doubly linked list ordered by time, calls before
 * returns at equal times (equal timestamps count as concurrent: the conservative reading). The search
 * repeatedly linearizes the first pending call whose effect is legal and whose resulting
 * (set of linearized ops, register value) configuration was never seen; reaching a return whose op is
 * not yet linearized means the current partial order is a dead end, so it backtracks. Internal to the
 * linearizability checker.
 */

/** The furthest any attempt got, for explanations. */
export interface Frontier {
  /** Number of ops linearized at that point. */
  placed: number;
  /** Index (in the ops array) of the op that could not be placed before its return. */
  stuck: number;
  /** Index of the write that set the register at that point (-1: initial value). */
  writer: number;
  /** Interned register value at that point. */
  state: number;
}

export type SearchOutcome =
  | { outcome: 'linearizable'; statesExplored: number }
  | { outcome: 'not-linearizable'; statesExplored: number; frontier: Frontier }
  | { outcome: 'budget'; statesExplored: number; reason: 'states' | 'time' };

export interface SearchBudget {
  maxStates: number;
  /** `performance.now()` deadline. */
  deadline: number;
}

const CALL = 0;
const RETURN = 1;
const NONE = -1;

/** Set of linearized ops, with an incrementally maintained hash for the memo table. */
class OpSet {
  readonly words: Uint32Array;
  hash = 0;
  constructor(
    size: number,
    private readonly salt: Uint32Array,
  ) {
    this.words = new Uint32Array(Math.ceil(size / 32) || 1);
  }
  toggle(i: number): void {
    this.words[i >>> 5]! ^= 1 << (i & 31);
    this.hash ^= this.salt[i]!;
  }
}

/** Deterministic 32-bit salts (splitmix-like), so runs are reproducible. */
function salts(n: number): Uint32Array {
  const out = new Uint32Array(n);
  let x = 0x9e3779b9;
  for (let i = 0; i < n; i++) {
    x = (x + 0x6d2b79f5) >>> 0;
    let t = Math.imul(x ^ (x >>> 15), x | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    out[i] = (t ^ (t >>> 14)) >>> 0;
  }
  return out;
}

/** Memo of visited (op set, register value) configurations. */
class Memo {
  private readonly table = new Map<number, { words: Uint32Array; state: number }[]>();
  /** Adds the configuration; false when it was already there. */
  add(set: OpSet, state: number): boolean {
    const slot = (set.hash ^ Math.imul(state + 1, 0x9e3779b1)) >>> 0;
    const bucket = this.table.get(slot);
    if (bucket) {
      for (const seen of bucket) if (seen.state === state && equalWords(seen.words, set.words)) return false;
      bucket.push({ words: set.words.slice(), state });
    } else this.table.set(slot, [{ words: set.words.slice(), state }]);
    return true;
  }
}

function equalWords(a: Uint32Array, b: Uint32Array): boolean {
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

export function searchLinearization(ops: readonly LinOp[], budget: SearchBudget): SearchOutcome {
  const n = ops.length;
  if (n === 0) return { outcome: 'linearizable', statesExplored: 0 };
  if (performance.now() >= budget.deadline) return { outcome: 'budget', statesExplored: 0, reason: 'time' };

  // Node 0 is the head sentinel; nodes 1..2n are the events in time order.
  const events: { time: number; kind: number; op: number }[] = [];
  ops.forEach((op, i) => {
    events.push({ time: op.call, kind: CALL, op: i });
    events.push({ time: op.ret, kind: RETURN, op: i });
  });
  events.sort((a, b) => (a.time < b.time ? -1 : a.time > b.time ? 1 : a.kind - b.kind || a.op - b.op));
  const size = 2 * n + 1;
  const next = new Int32Array(size);
  const prev = new Int32Array(size);
  const kind = new Uint8Array(size);
  const opOf = new Int32Array(size);
  const match = new Int32Array(size);
  const returnNode = new Int32Array(n);
  events.forEach((event, index) => {
    const node = index + 1;
    kind[node] = event.kind;
    opOf[node] = event.op;
    if (event.kind === RETURN) returnNode[event.op] = node;
  });
  for (let node = 0; node < size; node++) {
    next[node] = node + 1 < size ? node + 1 : NONE;
    prev[node] = node - 1;
    if (node > 0 && kind[node] === CALL) match[node] = returnNode[opOf[node]!]!;
  }

  const lift = (e: number): void => {
    next[prev[e]!] = next[e]!;
    if (next[e]! !== NONE) prev[next[e]!] = prev[e]!;
    const m = match[e]!;
    next[prev[m]!] = next[m]!;
    if (next[m]! !== NONE) prev[next[m]!] = prev[m]!;
  };
  const unlift = (e: number): void => {
    const m = match[e]!;
    next[prev[m]!] = m;
    if (next[m]! !== NONE) prev[next[m]!] = m;
    next[prev[e]!] = e;
    if (next[e]! !== NONE) prev[next[e]!] = e;
  };

  const set = new OpSet(n, salts(n));
  const memo = new Memo();
  const stackNode = new Int32Array(n);
  const stackState = new Int32Array(n);
  const stackWriter = new Int32Array(n);
  let depth = 0;
  let state = 0;
  let writer = -1;
  let statesExplored = 0;
  let iterations = 0;
  const frontier: Frontier = { placed: -1, stuck: -1, writer: -1, state: 0 };

  let entry = next[0]!;
  while (next[0]! !== NONE) {
    if ((++iterations & 1023) === 0 && performance.now() > budget.deadline) {
      return { outcome: 'budget', statesExplored, reason: 'time' };
    }
    if (kind[entry] === CALL) {
      const i = opOf[entry]!;
      const op = ops[i]!;
      if (op.isWrite || op.value === state) {
        const after = op.isWrite ? op.value : state;
        set.toggle(i);
        if (memo.add(set, after)) {
          if (++statesExplored > budget.maxStates) return { outcome: 'budget', statesExplored, reason: 'states' };
          stackNode[depth] = entry;
          stackState[depth] = state;
          stackWriter[depth] = writer;
          depth++;
          state = after;
          if (op.isWrite) writer = i;
          lift(entry);
          entry = next[0]!;
          continue;
        }
        set.toggle(i);
      }
      entry = next[entry]!;
    } else {
      if (depth > frontier.placed) Object.assign(frontier, { placed: depth, stuck: opOf[entry]!, writer, state });
      if (depth === 0) return { outcome: 'not-linearizable', statesExplored, frontier };
      depth--;
      const top = stackNode[depth]!;
      state = stackState[depth]!;
      writer = stackWriter[depth]!;
      set.toggle(opOf[top]!);
      unlift(top);
      entry = next[top]!;
    }
  }
  return { outcome: 'linearizable', statesExplored };
}
