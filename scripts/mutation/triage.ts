/**
 * Triage of surviving mutants, keyed by `mutantKey` (file:line:column mutator → replacement). Every
 * survivor is either an equivalent mutant (no observable behaviour changes; excluded from the score, with
 * the reason) or a gap (a clause or scenario no check exercises; the missing check is named so it can be
 * added to the suite). A survivor with no entry is reported as UNTRIAGED.
 */
export interface Triage {
  readonly verdict: 'equivalent' | 'gap';
  readonly note: string;
}

export const TRIAGE: Readonly<Record<string, Triage>> = {
  // broker/broadcast-ring.ts (checks: broker.2-fanout, broker.3-slow-handler)
  'reference/broker/broadcast-ring.ts:22:9 ConditionalExpression → false': { verdict: 'equivalent', note: 'Capacity guard: config.ts already rejects MERIDIAN_CAPACITY < 1 (readInt min 1), so the ring is never built with a bad capacity in the broker process.' },
  'reference/broker/broadcast-ring.ts:22:9 LogicalOperator → !Number.isInteger(capacity) && capacity < 1': { verdict: 'equivalent', note: 'Same guard: unreachable from the broker, config.ts validates the capacity first.' },
  'reference/broker/broadcast-ring.ts:22:40 ConditionalExpression → false': { verdict: 'equivalent', note: 'Same guard: unreachable from the broker, config.ts validates the capacity first.' },
  'reference/broker/broadcast-ring.ts:22:40 EqualityOperator → capacity <= 1': { verdict: 'gap', note: 'Capacity 1 (the smallest legal ring) would crash the broker at start; no check sets the capacity knob to 1. Missing: a broker.3-slow-handler variant (or an edge-case check) at capacity 1.' },
  'reference/broker/broadcast-ring.ts:22:75 StringLiteral → ``': { verdict: 'equivalent', note: 'Message of an exception that cannot be thrown from the broker (see the guard above).' },
  'reference/broker/broadcast-ring.ts:23:18 ArrayDeclaration → new Array()': { verdict: 'equivalent', note: 'JS arrays grow on assignment: an empty slots array behaves like a pre-sized one.' },
  'reference/broker/broadcast-ring.ts:26:22 BlockStatement → {}': { verdict: 'equivalent', note: "size → undefined makes the fan-out never idle, so shutdown always waits out its 10 s drain deadline; the process still exits inside the contract's 11 s bound, which is all the contract requires (the shutdown checks are not mapped to this file either)." },
  'reference/broker/broadcast-ring.ts:31:12 ConditionalExpression → true': { verdict: 'equivalent', note: '`full` only decides when a runnable handler drains its ring synchronously before a push; draining on every push instead changes scheduling, not what any handler receives (a sleeping handler is unaffected).' },
  'reference/broker/broadcast-ring.ts:31:12 EqualityOperator → this.count !== this.capacity': { verdict: 'equivalent', note: 'Same: the runnable handler drains before every non-full push instead, so it never loses a frame either; delivery, order and lag reports are unchanged.' },
  'reference/broker/broadcast-ring.ts:36:5 UpdateOperator → this.pushed--': { verdict: 'equivalent', note: '`pushed` is never read by the broker (dead counter).' },
  'reference/broker/broadcast-ring.ts:41:19 ConditionalExpression → true': { verdict: 'gap', note: "After an eviction the head jumps to slot 0, so the slow handler's ring no longer keeps the newest frames in order (drop-oldest broken). Missing: a check of WHICH frames the slow handler kept (issue 10: drop-oldest is never checked) — broker.3-slow-handler counts only." },
  'reference/broker/broadcast-ring.ts:41:19 EqualityOperator → this.head + 1 !== cap': { verdict: 'gap', note: 'Same as above: the head wraps wrongly on eviction, so the slow handler receives frames out of order / not the newest ones. Missing: drop-oldest content check in broker.3-slow-handler.' },
  'reference/broker/broadcast-ring.ts:42:7 UpdateOperator → this.missed--': { verdict: 'gap', note: "The `stats` lines then report negative `missed` counts; no check compares a handler's stats `missed` with its lag reports or with frames sent − received. Missing: stats/lag consistency in broker.3-slow-handler (if the contract makes stats normative; otherwise equivalent)." },
  'reference/broker/broadcast-ring.ts:43:7 OptionalChaining → this.onDrop(evicted)': { verdict: 'equivalent', note: 'Every ring in the broker is built with an onDrop callback.' },
  'reference/broker/broadcast-ring.ts:64:39 BlockStatement → {}': { verdict: 'equivalent', note: 'clear() is never called by the broker (dead code).' },
  'reference/broker/broadcast-ring.ts:65:35 ConditionalExpression → false': { verdict: 'equivalent', note: 'clear() is never called by the broker (dead code).' },
  'reference/broker/broadcast-ring.ts:65:35 EqualityOperator → item === undefined': { verdict: 'equivalent', note: 'clear() is never called by the broker (dead code).' },
  'reference/broker/broadcast-ring.ts:65:76 OptionalChaining → fn(item)': { verdict: 'equivalent', note: 'clear() is never called by the broker (dead code).' },
};
