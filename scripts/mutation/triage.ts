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
  'reference/broker/broadcast-ring.ts:22:9 ConditionalExpression → false': {
    verdict: 'equivalent',
    note: 'Capacity guard: config.ts already rejects MERIDIAN_CAPACITY < 1 (readInt min 1), so the ring is never built with a bad capacity in the broker process.',
  },
  'reference/broker/broadcast-ring.ts:22:9 LogicalOperator → !Number.isInteger(capacity) && capacity < 1': {
    verdict: 'equivalent',
    note: 'Same guard: unreachable from the broker, config.ts validates the capacity first.',
  },
  'reference/broker/broadcast-ring.ts:22:40 ConditionalExpression → false': {
    verdict: 'equivalent',
    note: 'Same guard: unreachable from the broker, config.ts validates the capacity first.',
  },
  'reference/broker/broadcast-ring.ts:22:40 EqualityOperator → capacity <= 1': {
    verdict: 'gap',
    note: 'Capacity 1 (the smallest legal ring) would crash the broker at start; no check sets the capacity knob to 1. Missing: a broker.3-slow-handler variant (or an edge-case check) at capacity 1.',
  },
  'reference/broker/broadcast-ring.ts:22:75 StringLiteral → ``': {
    verdict: 'equivalent',
    note: 'Message of an exception that cannot be thrown from the broker (see the guard above).',
  },
  'reference/broker/broadcast-ring.ts:23:18 ArrayDeclaration → new Array()': {
    verdict: 'equivalent',
    note: 'JS arrays grow on assignment: an empty slots array behaves like a pre-sized one.',
  },
  'reference/broker/broadcast-ring.ts:26:22 BlockStatement → {}': {
    verdict: 'equivalent',
    note: "size → undefined makes the fan-out never idle, so shutdown always waits out its 10 s drain deadline; the process still exits inside the contract's 11 s bound, which is all the contract requires (the shutdown checks are not mapped to this file either).",
  },
  'reference/broker/broadcast-ring.ts:31:12 ConditionalExpression → true': {
    verdict: 'equivalent',
    note: '`full` only decides when a runnable handler drains its ring synchronously before a push; draining on every push instead changes scheduling, not what any handler receives (a sleeping handler is unaffected).',
  },
  'reference/broker/broadcast-ring.ts:31:12 EqualityOperator → this.count !== this.capacity': {
    verdict: 'equivalent',
    note: 'Same: the runnable handler drains before every non-full push instead, so it never loses a frame either; delivery, order and lag reports are unchanged.',
  },
  'reference/broker/broadcast-ring.ts:36:5 UpdateOperator → this.pushed--': {
    verdict: 'equivalent',
    note: '`pushed` is never read by the broker (dead counter).',
  },
  'reference/broker/broadcast-ring.ts:41:19 ConditionalExpression → true': {
    verdict: 'gap',
    note: "After an eviction the head jumps to slot 0, so the slow handler's ring no longer keeps the newest frames in order (drop-oldest broken). Missing: a check of WHICH frames the slow handler kept (issue 10: drop-oldest is never checked) — broker.3-slow-handler counts only.",
  },
  'reference/broker/broadcast-ring.ts:41:19 EqualityOperator → this.head + 1 !== cap': {
    verdict: 'gap',
    note: 'Same as above: the head wraps wrongly on eviction, so the slow handler receives frames out of order / not the newest ones. Missing: drop-oldest content check in broker.3-slow-handler.',
  },
  'reference/broker/broadcast-ring.ts:42:7 UpdateOperator → this.missed--': {
    verdict: 'gap',
    note: "The `stats` lines then report negative `missed` counts; no check compares a handler's stats `missed` with its lag reports or with frames sent − received. Missing: stats/lag consistency in broker.3-slow-handler (if the contract makes stats normative; otherwise equivalent).",
  },
  'reference/broker/broadcast-ring.ts:43:7 OptionalChaining → this.onDrop(evicted)': {
    verdict: 'equivalent',
    note: 'Every ring in the broker is built with an onDrop callback.',
  },
  'reference/broker/broadcast-ring.ts:64:39 BlockStatement → {}': {
    verdict: 'equivalent',
    note: 'clear() is never called by the broker (dead code).',
  },
  'reference/broker/broadcast-ring.ts:65:35 ConditionalExpression → false': {
    verdict: 'equivalent',
    note: 'clear() is never called by the broker (dead code).',
  },
  'reference/broker/broadcast-ring.ts:65:35 EqualityOperator → item === undefined': {
    verdict: 'equivalent',
    note: 'clear() is never called by the broker (dead code).',
  },
  'reference/broker/broadcast-ring.ts:65:76 OptionalChaining → fn(item)': {
    verdict: 'equivalent',
    note: 'clear() is never called by the broker (dead code).',
  },
  // broker/frame-reader.ts lines 116-138, the fast path (checks: framing, max-frame, 2 framing fixtures, reconnect, 4-mid-frame, shutdown fixture)
  'reference/broker/frame-reader.ts:116:11 ConditionalExpression → false': {
    verdict: 'equivalent',
    note: 'Disables the fast path (whole header in the chunk), so every header goes through the byte-by-byte slow path, which is correct for every input: a performance change only.',
  },
  'reference/broker/frame-reader.ts:117:13 ConditionalExpression → false': {
    verdict: 'equivalent',
    note: "With no bytes left both branches end the loop: the slow path's loop does not run and `headerHave < 4` breaks.",
  },
  'reference/broker/frame-reader.ts:118:13 ConditionalExpression → false': {
    verdict: 'equivalent',
    note: 'Disables the fast path (whole header in the chunk), so every header goes through the byte-by-byte slow path, which is correct for every input: a performance change only.',
  },
  'reference/broker/frame-reader.ts:118:13 EqualityOperator → left > 4': {
    verdict: 'equivalent',
    note: 'A chunk ending exactly after a header takes the slow path: same result.',
  },
  'reference/broker/frame-reader.ts:118:24 BlockStatement → {}': {
    verdict: 'equivalent',
    note: 'Disables the fast path (whole header in the chunk), so every header goes through the byte-by-byte slow path, which is correct for every input: a performance change only.',
  },
  'reference/broker/frame-reader.ts:122:17 ConditionalExpression → false': {
    verdict: 'equivalent',
    note: 'An oversize header right after the frame that completed at a stop is logged as a violation instead of a quiet stop: either way the connection closes with nothing more delivered.',
  },
  'reference/broker/frame-reader.ts:123:38 ArithmeticOperator → this.base - pos': {
    verdict: 'equivalent',
    note: 'Only the stream offset inside the violation log line changes; broker.max-frame checks that a reason is logged and nothing oversized delivered, and the contract does not grade the offset.',
  },
  'reference/broker/frame-reader.ts:125:15 ConditionalExpression → false': {
    verdict: 'equivalent',
    note: 'Disables the zero-copy delivery of a frame wholly inside one chunk, so it is assembled by copy instead: same bytes delivered.',
  },
  'reference/broker/frame-reader.ts:125:15 EqualityOperator → left - 4 > length': {
    verdict: 'equivalent',
    note: 'Disables the zero-copy delivery of a frame wholly inside one chunk, so it is assembled by copy instead: same bytes delivered.',
  },
  'reference/broker/frame-reader.ts:125:35 BlockStatement → {}': {
    verdict: 'equivalent',
    note: 'Disables the zero-copy delivery of a frame wholly inside one chunk, so it is assembled by copy instead: same bytes delivered.',
  },
  'reference/broker/frame-reader.ts:128:13 UpdateOperator → this.frames--': {
    verdict: 'equivalent',
    note: '`frames` is a per-reader counter the broker never reports.',
  },
  'reference/broker/frame-reader.ts:129:24 ConditionalExpression → false': {
    verdict: 'equivalent',
    note: 'An empty subarray instead of the shared EMPTY buffer: the same zero-length payload.',
  },
  'reference/broker/frame-reader.ts:130:17 ConditionalExpression → false': {
    verdict: 'equivalent',
    note: "After the frame in progress at a stop has completed, the reader goes on to assemble the next, incomplete frame instead of stopping, so the session waits for it until the broker's drain deadline (10 s). Frames are still delivered whole and the process exits within the contract's 11 s bound, which is all the contract requires: equivalent under the contract (a check of prompt exit after the drain would kill it).",
  },
  'reference/broker/frame-reader.ts:130:49 BooleanLiteral → false': {
    verdict: 'equivalent',
    note: "After the frame in progress at a stop has completed, the reader goes on to assemble the next, incomplete frame instead of stopping, so the session waits for it until the broker's drain deadline (10 s). Frames are still delivered whole and the process exits within the contract's 11 s bound, which is all the contract requires: equivalent under the contract (a check of prompt exit after the drain would kill it).",
  },
  'reference/broker/frame-reader.ts:133:15 ConditionalExpression → false': {
    verdict: 'equivalent',
    note: "After the frame in progress at a stop has completed, the reader goes on to assemble the next, incomplete frame instead of stopping, so the session waits for it until the broker's drain deadline (10 s). Frames are still delivered whole and the process exits within the contract's 11 s bound, which is all the contract requires: equivalent under the contract (a check of prompt exit after the drain would kill it).",
  },
  'reference/broker/frame-reader.ts:138:13 ConditionalExpression → false': {
    verdict: 'equivalent',
    note: "After the frame in progress at a stop has completed, the reader goes on to assemble the next, incomplete frame instead of stopping, so the session waits for it until the broker's drain deadline (10 s). Frames are still delivered whole and the process exits within the contract's 11 s bound, which is all the contract requires: equivalent under the contract (a check of prompt exit after the drain would kill it).",
  },
  // broker/fanout.ts (checks: broker.2-fanout, broker.3-slow-handler, broker.1-concurrent, broker.4-mid-frame)
  'reference/broker/fanout.ts:54:22 UnaryOperator → +Infinity': {
    verdict: 'gap',
    note: 'Changes only the timing/spacing of `lagged` lines (sooner, later, or more than one per interval). Missing: broker.3-slow-handler asserting the lag-report cadence the contract states (a prompt first report, then at most one `lagged` line per handler per interval).',
  },
  'reference/broker/fanout.ts:67:9 ConditionalExpression → false': {
    verdict: 'gap',
    note: 'Changes only the timing/spacing of `lagged` lines (sooner, later, or more than one per interval). Missing: broker.3-slow-handler asserting the lag-report cadence the contract states (a prompt first report, then at most one `lagged` line per handler per interval).',
  },
  'reference/broker/fanout.ts:69:18 MethodExpression → Math.min(this.firstMs, this.lastEmit + this.intervalMs + 5 - performance.now())': {
    verdict: 'gap',
    note: 'Changes only the timing/spacing of `lagged` lines (sooner, later, or more than one per interval). Missing: broker.3-slow-handler asserting the lag-report cadence the contract states (a prompt first report, then at most one `lagged` line per handler per interval).',
  },
  'reference/broker/fanout.ts:69:41 ArithmeticOperator → this.lastEmit + this.intervalMs + 5 + performance.now()': {
    verdict: 'gap',
    note: 'Changes only the timing/spacing of `lagged` lines (sooner, later, or more than one per interval). Missing: broker.3-slow-handler asserting the lag-report cadence the contract states (a prompt first report, then at most one `lagged` line per handler per interval).',
  },
  'reference/broker/fanout.ts:69:41 ArithmeticOperator → this.lastEmit + this.intervalMs - 5': {
    verdict: 'gap',
    note: 'Changes only the timing/spacing of `lagged` lines (sooner, later, or more than one per interval). Missing: broker.3-slow-handler asserting the lag-report cadence the contract states (a prompt first report, then at most one `lagged` line per handler per interval).',
  },
  'reference/broker/fanout.ts:69:41 ArithmeticOperator → this.lastEmit - this.intervalMs': {
    verdict: 'gap',
    note: 'Changes only the timing/spacing of `lagged` lines (sooner, later, or more than one per interval). Missing: broker.3-slow-handler asserting the lag-report cadence the contract states (a prompt first report, then at most one `lagged` line per handler per interval).',
  },
  'reference/broker/fanout.ts:75:17 BlockStatement → {}': {
    verdict: 'gap',
    note: 'Pending lag is no longer flushed at shutdown, so frames dropped just before the signal are never reported. Missing (issue 10): at shutdown, frames queued to the slow handler must reach it or be reported as lag before exit — a shutdown scenario with a lagging slow handler whose received + reported-missed must equal frames sent.',
  },
  'reference/broker/fanout.ts:76:9 ConditionalExpression → true': { verdict: 'equivalent', note: 'clearTimeout(null) is a no-op.' },
  'reference/broker/fanout.ts:76:9 ConditionalExpression → false': {
    verdict: 'gap',
    note: 'Changes only the timing/spacing of `lagged` lines (sooner, later, or more than one per interval). Missing: broker.3-slow-handler asserting the lag-report cadence the contract states (a prompt first report, then at most one `lagged` line per handler per interval). (the pending timer is not cleared at flush, so a second, empty-handed fire may follow)',
  },
  'reference/broker/fanout.ts:76:9 EqualityOperator → this.timer === null': {
    verdict: 'gap',
    note: 'Changes only the timing/spacing of `lagged` lines (sooner, later, or more than one per interval). Missing: broker.3-slow-handler asserting the lag-report cadence the contract states (a prompt first report, then at most one `lagged` line per handler per interval). (the pending timer is not cleared at flush)',
  },
  'reference/broker/fanout.ts:82:9 ConditionalExpression → false': {
    verdict: 'gap',
    note: 'Emits `lagged` lines with missed 0. Missing: broker.3-slow-handler rejecting a lag report with missed < 1 (a report must carry a positive count).',
  },
  'reference/broker/fanout.ts:104:32 ArrowFunction → () => undefined': {
    verdict: 'gap',
    note: 'The slow handler stops consuming (or drops its frame in progress silently); the rest is evicted and reported as lag, so it looks like an extreme lagger. Missing (issue 10): exact lag accounting for the slow handler — once it is idle, received + reported missed must equal frames sent, and it must keep receiving the newest frames (drop-oldest).',
  },
  'reference/broker/fanout.ts:125:23 BlockStatement → {}': {
    verdict: 'equivalent',
    note: "The fan-out never looks idle, so shutdown always waits out its 10 s drain deadline; the process still exits inside the contract's 11 s bound, which is all the contract requires. Equivalent under the contract (and the shutdown checks are only partly mapped to this file).",
  },
  'reference/broker/fanout.ts:126:12 ConditionalExpression → true': {
    verdict: 'gap',
    note: 'The fan-out looks idle while a handler still has queued or in-progress frames, so shutdown can exit before they are handled. Missing (issue 10): a deterministic shutdown scenario with frames queued to a slow handler at the signal; they must reach it or be reported before exit (broker.4-mid-frame only follows the half-read frame, which fast handlers get at once).',
  },
  'reference/broker/fanout.ts:126:12 ConditionalExpression → false': {
    verdict: 'equivalent',
    note: "The fan-out never looks idle, so shutdown always waits out its 10 s drain deadline; the process still exits inside the contract's 11 s bound, which is all the contract requires. Equivalent under the contract (and the shutdown checks are only partly mapped to this file).",
  },
  'reference/broker/fanout.ts:126:12 LogicalOperator → this.ring.size === 0 || !this.sleeping': {
    verdict: 'gap',
    note: 'The fan-out looks idle while a handler still has queued or in-progress frames, so shutdown can exit before they are handled. Missing (issue 10): a deterministic shutdown scenario with frames queued to a slow handler at the signal; they must reach it or be reported before exit (broker.4-mid-frame only follows the half-read frame, which fast handlers get at once).',
  },
  'reference/broker/fanout.ts:126:12 EqualityOperator → this.ring.size !== 0': {
    verdict: 'gap',
    note: 'The fan-out looks idle while a handler still has queued or in-progress frames, so shutdown can exit before they are handled. Missing (issue 10): a deterministic shutdown scenario with frames queued to a slow handler at the signal; they must reach it or be reported before exit (broker.4-mid-frame only follows the half-read frame, which fast handlers get at once).',
  },
  'reference/broker/fanout.ts:126:36 BooleanLiteral → this.sleeping': {
    verdict: 'gap',
    note: 'The fan-out looks idle while a handler still has queued or in-progress frames, so shutdown can exit before they are handled. Missing (issue 10): a deterministic shutdown scenario with frames queued to a slow handler at the signal; they must reach it or be reported before exit (broker.4-mid-frame only follows the half-read frame, which fast handlers get at once).',
  },
  'reference/broker/fanout.ts:130:24 BlockStatement → {}': {
    verdict: 'gap',
    note: "Only the periodic `stats` lines change (missing, or wrong frames/bytes/missed totals). No check reads `stats`; if the contract makes them normative, missing: a check that a handler's stats totals match the frames it logged and its lag reports.",
  },
  'reference/broker/fanout.ts:135:9 ConditionalExpression → true': {
    verdict: 'equivalent',
    note: 'Only changes when a runnable handler is scheduled (an extra or earlier run; run() returns at once while the handler sleeps); what each handler receives, in what order, and the lag counts are unchanged.',
  },
  'reference/broker/fanout.ts:135:9 LogicalOperator → this.ring.full || !this.sleeping': {
    verdict: 'equivalent',
    note: 'Only changes when a runnable handler is scheduled (an extra or earlier run; run() returns at once while the handler sleeps); what each handler receives, in what order, and the lag counts are unchanged.',
  },
  'reference/broker/fanout.ts:137:9 ConditionalExpression → true': {
    verdict: 'equivalent',
    note: 'Only changes when a runnable handler is scheduled (an extra or earlier run; run() returns at once while the handler sleeps); what each handler receives, in what order, and the lag counts are unchanged.',
  },
  'reference/broker/fanout.ts:137:9 LogicalOperator → !this.scheduled || !this.sleeping': {
    verdict: 'equivalent',
    note: 'Only changes when a runnable handler is scheduled (an extra or earlier run; run() returns at once while the handler sleeps); what each handler receives, in what order, and the lag counts are unchanged.',
  },
  'reference/broker/fanout.ts:138:24 BooleanLiteral → false': {
    verdict: 'equivalent',
    note: 'Only changes when a runnable handler is scheduled (an extra or earlier run; run() returns at once while the handler sleeps); what each handler receives, in what order, and the lag counts are unchanged.',
  },
  'reference/broker/fanout.ts:144:9 ConditionalExpression → false': {
    verdict: 'gap',
    note: "run() no longer refuses to start while the slow handler sleeps, so it takes a second frame and sleeps twice in parallel: the slow handler runs faster than its knob. Missing: broker.3-slow-handler bounding the slow handler's received count by elapsed time / slowHandlerMs (the kit knows the knob it set).",
  },
  'reference/broker/fanout.ts:147:11 ConditionalExpression → false': {
    verdict: 'gap',
    note: "With an empty ring the slow handler 'sleeps' on no frame and then processes `undefined` (a TypeError in a timer). Only reached when the slow handler catches up; missing: a scenario where the slow handler drains completely and then receives more frames (the same exact-accounting check as issue 10's).",
  },
  'reference/broker/fanout.ts:147:32 BlockStatement → {}': {
    verdict: 'gap',
    note: 'Same as the line above: the slow handler running out of work is never followed by more traffic in any mapped check.',
  },
  'reference/broker/fanout.ts:148:9 OptionalChaining → this.fanout.onIdle()': {
    verdict: 'equivalent',
    note: 'The broker always passes onIdle.',
  },
  'reference/broker/fanout.ts:157:5 OptionalChaining → this.fanout.onIdle()': {
    verdict: 'equivalent',
    note: 'The broker always passes onIdle.',
  },
  'reference/broker/fanout.ts:160:24 BlockStatement → {}': {
    verdict: 'gap',
    note: 'The slow handler stops consuming (or drops its frame in progress silently); the rest is evicted and reported as lag, so it looks like an extreme lagger. Missing (issue 10): exact lag accounting for the slow handler — once it is idle, received + reported missed must equal frames sent, and it must keep receiving the newest frames (drop-oldest).',
  },
  'reference/broker/fanout.ts:161:21 BooleanLiteral → true': {
    verdict: 'gap',
    note: 'The slow handler stops consuming (or drops its frame in progress silently); the rest is evicted and reported as lag, so it looks like an extreme lagger. Missing (issue 10): exact lag accounting for the slow handler — once it is idle, received + reported missed must equal frames sent, and it must keep receiving the newest frames (drop-oldest).',
  },
  'reference/broker/fanout.ts:164:9 ConditionalExpression → true': {
    verdict: 'equivalent',
    note: '`current` is always set before the handler sleeps, so the frame is never null at wake.',
  },
  'reference/broker/fanout.ts:164:9 ConditionalExpression → false': {
    verdict: 'gap',
    note: 'The slow handler stops consuming (or drops its frame in progress silently); the rest is evicted and reported as lag, so it looks like an extreme lagger. Missing (issue 10): exact lag accounting for the slow handler — once it is idle, received + reported missed must equal frames sent, and it must keep receiving the newest frames (drop-oldest).',
  },
  'reference/broker/fanout.ts:164:9 EqualityOperator → frame === null': {
    verdict: 'gap',
    note: 'The slow handler stops consuming (or drops its frame in progress silently); the rest is evicted and reported as lag, so it looks like an extreme lagger. Missing (issue 10): exact lag accounting for the slow handler — once it is idle, received + reported missed must equal frames sent, and it must keep receiving the newest frames (drop-oldest).',
  },
  'reference/broker/fanout.ts:170:5 UpdateOperator → this.frames--': {
    verdict: 'gap',
    note: "Only the periodic `stats` lines change (missing, or wrong frames/bytes/missed totals). No check reads `stats`; if the contract makes them normative, missing: a check that a handler's stats totals match the frames it logged and its lag reports.",
  },
  'reference/broker/fanout.ts:171:5 AssignmentOperator → this.bytes -= bytes': {
    verdict: 'gap',
    note: "Only the periodic `stats` lines change (missing, or wrong frames/bytes/missed totals). No check reads `stats`; if the contract makes them normative, missing: a check that a handler's stats totals match the frames it logged and its lag reports.",
  },
  'reference/broker/fanout.ts:172:9 ConditionalExpression → true': {
    verdict: 'equivalent',
    note: 'MERIDIAN_LOG_FRAMES defaults to on and the kit never turns it off: frame lines are always logged.',
  },
  'reference/broker/fanout.ts:174:11 ConditionalExpression → true': {
    verdict: 'equivalent',
    note: 'Recomputes the same CRC-32 for each handler instead of caching it: same value.',
  },
  'reference/broker/fanout.ts:174:11 EqualityOperator → crc <= 0': {
    verdict: 'equivalent',
    note: 'Recomputes the CRC when it is 0: same value.',
  },
  'reference/broker/fanout.ts:194:24 LogicalOperator → options.lagFirstMs && 10': {
    verdict: 'gap',
    note: 'Changes only the timing/spacing of `lagged` lines (sooner, later, or more than one per interval). Missing: broker.3-slow-handler asserting the lag-report cadence the contract states (a prompt first report, then at most one `lagged` line per handler per interval).',
  },
  'reference/broker/fanout.ts:195:27 LogicalOperator → options.lagIntervalMs && 1000': {
    verdict: 'gap',
    note: 'Changes only the timing/spacing of `lagged` lines (sooner, later, or more than one per interval). Missing: broker.3-slow-handler asserting the lag-report cadence the contract states (a prompt first report, then at most one `lagged` line per handler per interval).',
  },
  'reference/broker/fanout.ts:206:38 ObjectLiteral → {}': {
    verdict: 'equivalent',
    note: 'Every field of a new frame is assigned right after it is taken.',
  },
  'reference/broker/fanout.ts:206:53 StringLiteral → "Stryker was here!"': {
    verdict: 'equivalent',
    note: 'Overwritten right after (stationJson is assigned on the next line).',
  },
  'reference/broker/fanout.ts:206:93 UnaryOperator → +1': { verdict: 'equivalent', note: 'Overwritten right after (crc = -1).' },
  'reference/broker/fanout.ts:213:5 UpdateOperator → this.published--': {
    verdict: 'equivalent',
    note: '`published` is never read by the broker (dead counter).',
  },
  'reference/broker/fanout.ts:218:31 BlockStatement → {}': {
    verdict: 'gap',
    note: "Buffers/frames are no longer returned to the pool or recycled: memory grows with traffic but delivery is right. Only broker.memory (8 s of seed load) can see it, and it is too heavy to run per mutant, so it is not mapped: a gap of this map's affordability, closed by running broker.memory on these mutants (or a cheaper leak check).",
  },
  'reference/broker/fanout.ts:219:9 EqualityOperator → --frame.refs >= 0': {
    verdict: 'gap',
    note: "Buffers/frames are no longer returned to the pool or recycled: memory grows with traffic but delivery is right. Only broker.memory (8 s of seed load) can see it, and it is too heavy to run per mutant, so it is not mapped: a gap of this map's affordability, closed by running broker.memory on these mutants (or a cheaper leak check).",
  },
  'reference/broker/fanout.ts:219:9 UpdateOperator → ++frame.refs': {
    verdict: 'gap',
    note: "Buffers/frames are no longer returned to the pool or recycled: memory grows with traffic but delivery is right. Only broker.memory (8 s of seed load) can see it, and it is too heavy to run per mutant, so it is not mapped: a gap of this map's affordability, closed by running broker.memory on these mutants (or a cheaper leak check).",
  },
  'reference/broker/fanout.ts:220:9 ConditionalExpression → true': {
    verdict: 'equivalent',
    note: 'pool.release(null) is ignored by the buffer pool; buffers are returned exactly as before.',
  },
  'reference/broker/fanout.ts:220:9 ConditionalExpression → false': {
    verdict: 'gap',
    note: "Buffers/frames are no longer returned to the pool or recycled: memory grows with traffic but delivery is right. Only broker.memory (8 s of seed load) can see it, and it is too heavy to run per mutant, so it is not mapped: a gap of this map's affordability, closed by running broker.memory on these mutants (or a cheaper leak check).",
  },
  'reference/broker/fanout.ts:220:9 EqualityOperator → frame.backing === null': {
    verdict: 'gap',
    note: "Buffers/frames are no longer returned to the pool or recycled: memory grows with traffic but delivery is right. Only broker.memory (8 s of seed load) can see it, and it is too heavy to run per mutant, so it is not mapped: a gap of this map's affordability, closed by running broker.memory on these mutants (or a cheaper leak check).",
  },
  'reference/broker/fanout.ts:223:9 ConditionalExpression → true': {
    verdict: 'gap',
    note: "Buffers/frames are no longer returned to the pool or recycled: memory grows with traffic but delivery is right. Only broker.memory (8 s of seed load) can see it, and it is too heavy to run per mutant, so it is not mapped: a gap of this map's affordability, closed by running broker.memory on these mutants (or a cheaper leak check). (here: the free-frame list grows without its cap)",
  },
  'reference/broker/fanout.ts:223:9 ConditionalExpression → false': {
    verdict: 'equivalent',
    note: 'Frame objects are no longer recycled, only allocated afresh: a GC cost, no behaviour change.',
  },
  'reference/broker/fanout.ts:223:9 EqualityOperator → this.free.length <= MAX_FREE_FRAMES': {
    verdict: 'equivalent',
    note: 'The free-list cap moves by one frame object.',
  },
  'reference/broker/fanout.ts:223:9 EqualityOperator → this.free.length >= MAX_FREE_FRAMES': {
    verdict: 'equivalent',
    note: 'Frames are recycled only once 4096 are free, i.e. practically never: a GC cost, no behaviour change.',
  },
  'reference/broker/fanout.ts:226:23 BlockStatement → {}': {
    verdict: 'equivalent',
    note: "The fan-out never looks idle, so shutdown always waits out its 10 s drain deadline; the process still exits inside the contract's 11 s bound, which is all the contract requires. Equivalent under the contract (and the shutdown checks are only partly mapped to this file).",
  },
  'reference/broker/fanout.ts:227:46 BooleanLiteral → handler.idle': {
    verdict: 'equivalent',
    note: "The fan-out never looks idle, so shutdown always waits out its 10 s drain deadline; the process still exits inside the contract's 11 s bound, which is all the contract requires. Equivalent under the contract (and the shutdown checks are only partly mapped to this file).",
  },
  'reference/broker/fanout.ts:227:46 ConditionalExpression → true': {
    verdict: 'equivalent',
    note: "The fan-out never looks idle, so shutdown always waits out its 10 s drain deadline; the process still exits inside the contract's 11 s bound, which is all the contract requires. Equivalent under the contract (and the shutdown checks are only partly mapped to this file).",
  },
  'reference/broker/fanout.ts:227:46 ConditionalExpression → false': {
    verdict: 'gap',
    note: 'The fan-out looks idle while a handler still has queued or in-progress frames, so shutdown can exit before they are handled. Missing (issue 10): a deterministic shutdown scenario with frames queued to a slow handler at the signal; they must reach it or be reported before exit (broker.4-mid-frame only follows the half-read frame, which fast handlers get at once).',
  },
  'reference/broker/fanout.ts:227:68 BooleanLiteral → true': {
    verdict: 'gap',
    note: 'The fan-out looks idle while a handler still has queued or in-progress frames, so shutdown can exit before they are handled. Missing (issue 10): a deterministic shutdown scenario with frames queued to a slow handler at the signal; they must reach it or be reported before exit (broker.4-mid-frame only follows the half-read frame, which fast handlers get at once).',
  },
  'reference/broker/fanout.ts:228:12 BooleanLiteral → false': {
    verdict: 'equivalent',
    note: "The fan-out never looks idle, so shutdown always waits out its 10 s drain deadline; the process still exits inside the contract's 11 s bound, which is all the contract requires. Equivalent under the contract (and the shutdown checks are only partly mapped to this file).",
  },
  'reference/broker/fanout.ts:232:20 BlockStatement → {}': {
    verdict: 'gap',
    note: 'Pending lag is no longer flushed at shutdown, so frames dropped just before the signal are never reported. Missing (issue 10): at shutdown, frames queued to the slow handler must reach it or be reported as lag before exit — a shutdown scenario with a lagging slow handler whose received + reported-missed must equal frames sent.',
  },
  'reference/broker/fanout.ts:237:33 BlockStatement → {}': {
    verdict: 'gap',
    note: "Only the periodic `stats` lines change (missing, or wrong frames/bytes/missed totals). No check reads `stats`; if the contract makes them normative, missing: a check that a handler's stats totals match the frames it logged and its lag reports.",
  },
  'reference/broker/fanout.ts:238:46 StringLiteral → ""': {
    verdict: 'gap',
    note: "Only the periodic `stats` lines change (missing, or wrong frames/bytes/missed totals). No check reads `stats`; if the contract makes them normative, missing: a check that a handler's stats totals match the frames it logged and its lag reports.",
  },
  'reference/broker/fanout.ts:238:55 ObjectLiteral → {}': {
    verdict: 'gap',
    note: "Only the periodic `stats` lines change (missing, or wrong frames/bytes/missed totals). No check reads `stats`; if the contract makes them normative, missing: a check that a handler's stats totals match the frames it logged and its lag reports.",
  },
  // store/core/quorum.ts (checks: store.sync-ack, store.async-nonblocking, store.quorum; --strict)
  'reference/store/core/quorum.ts:17:58 BlockStatement → {}': {
    verdict: 'gap',
    note: 'The quorum guard only matters for POST /promote with an invalid quorum (startup config validates it first): the node answers 400 INVALID_QUORUM. Missing (issue 10: the 4xx statuses and error codes are graded nowhere): a check that /promote with quorum < 0, > the number of sync followers or not an integer gets 400 with code INVALID_QUORUM and leaves the node unchanged.',
  },
  'reference/store/core/quorum.ts:18:9 ConditionalExpression → false': {
    verdict: 'gap',
    note: 'The quorum guard only matters for POST /promote with an invalid quorum (startup config validates it first): the node answers 400 INVALID_QUORUM. Missing (issue 10: the 4xx statuses and error codes are graded nowhere): a check that /promote with quorum < 0, > the number of sync followers or not an integer gets 400 with code INVALID_QUORUM and leaves the node unchanged.',
  },
  'reference/store/core/quorum.ts:18:9 LogicalOperator → (!Number.isSafeInteger(k) || k < 0) && k > sync.length': {
    verdict: 'gap',
    note: 'The quorum guard only matters for POST /promote with an invalid quorum (startup config validates it first): the node answers 400 INVALID_QUORUM. Missing (issue 10: the 4xx statuses and error codes are graded nowhere): a check that /promote with quorum < 0, > the number of sync followers or not an integer gets 400 with code INVALID_QUORUM and leaves the node unchanged.',
  },
  'reference/store/core/quorum.ts:18:9 LogicalOperator → !Number.isSafeInteger(k) && k < 0': {
    verdict: 'gap',
    note: 'The quorum guard only matters for POST /promote with an invalid quorum (startup config validates it first): the node answers 400 INVALID_QUORUM. Missing (issue 10: the 4xx statuses and error codes are graded nowhere): a check that /promote with quorum < 0, > the number of sync followers or not an integer gets 400 with code INVALID_QUORUM and leaves the node unchanged.',
  },
  'reference/store/core/quorum.ts:18:37 ConditionalExpression → false': {
    verdict: 'gap',
    note: 'The quorum guard only matters for POST /promote with an invalid quorum (startup config validates it first): the node answers 400 INVALID_QUORUM. Missing (issue 10: the 4xx statuses and error codes are graded nowhere): a check that /promote with quorum < 0, > the number of sync followers or not an integer gets 400 with code INVALID_QUORUM and leaves the node unchanged.',
  },
  'reference/store/core/quorum.ts:18:37 EqualityOperator → k <= 0': {
    verdict: 'gap',
    note: "With no sync followers (k = 0) nothing ever commits and writes hang. The all-async cluster is only graded by store.session-fallback, which this file's map did not include; the map now adds it (re-run pending). (here: k = 0 is rejected, so a leader with no sync followers fails to start.)",
  },
  'reference/store/core/quorum.ts:18:46 ConditionalExpression → false': {
    verdict: 'gap',
    note: 'The quorum guard only matters for POST /promote with an invalid quorum (startup config validates it first): the node answers 400 INVALID_QUORUM. Missing (issue 10: the 4xx statuses and error codes are graded nowhere): a check that /promote with quorum < 0, > the number of sync followers or not an integer gets 400 with code INVALID_QUORUM and leaves the node unchanged.',
  },
  'reference/store/core/quorum.ts:18:63 BlockStatement → {}': {
    verdict: 'gap',
    note: 'The quorum guard only matters for POST /promote with an invalid quorum (startup config validates it first): the node answers 400 INVALID_QUORUM. Missing (issue 10: the 4xx statuses and error codes are graded nowhere): a check that /promote with quorum < 0, > the number of sync followers or not an integer gets 400 with code INVALID_QUORUM and leaves the node unchanged.',
  },
  'reference/store/core/quorum.ts:19:28 StringLiteral → ``': {
    verdict: 'equivalent',
    note: 'Only the message text of the INVALID_QUORUM error; the contract grades the status and code, not the wording.',
  },
  'reference/store/core/quorum.ts:23:33 BlockStatement → {}': {
    verdict: 'gap',
    note: "Breaks only the leader's /status (its sync list, quorum and the followers' match LSNs). Missing: a check that reads the leader's /status fields the contract defines (the kit only reads followers' appliedLsn).",
  },
  'reference/store/core/quorum.ts:27:19 BlockStatement → {}': {
    verdict: 'gap',
    note: "Breaks only the leader's /status (its sync list, quorum and the followers' match LSNs). Missing: a check that reads the leader's /status fields the contract defines (the kit only reads followers' appliedLsn).",
  },
  'reference/store/core/quorum.ts:31:55 BlockStatement → {}': {
    verdict: 'gap',
    note: 'Reconfiguring a live leader (POST /promote on the current leader with new sync followers / quorum) is never exercised. Missing: a scenario that changes the sync set or k on a running leader and then checks that writes wait for the new quorum.',
  },
  'reference/store/core/quorum.ts:33:18 ArrayDeclaration → []': {
    verdict: 'gap',
    note: 'Reconfiguring a live leader (POST /promote on the current leader with new sync followers / quorum) is never exercised. Missing: a scenario that changes the sync set or k on a running leader and then checks that writes wait for the new quorum.',
  },
  'reference/store/core/quorum.ts:38:58 StringLiteral → ""': {
    verdict: 'equivalent',
    note: 'The default only has to differ from \'set\'; "" does.',
  },
  'reference/store/core/quorum.ts:39:20 LogicalOperator → this.#match.get(id) && 0': {
    verdict: 'equivalent',
    note: "A follower's first record is always the 'set' at subscription, and later acks on its one ordered stream only grow, so max(before, lsn) = lsn either way.",
  },
  'reference/store/core/quorum.ts:40:25 ConditionalExpression → true': {
    verdict: 'equivalent',
    note: 'Acks on one ordered stream only grow, so overwriting equals keeping the maximum.',
  },
  'reference/store/core/quorum.ts:40:25 ConditionalExpression → false': {
    verdict: 'gap',
    note: "A re-subscription (leader.subscribed → record 'set') no longer lowers the follower's match, so after a sync follower truncates a divergent suffix and re-subscribes lower, the leader still counts it as holding entries it dropped and can acknowledge too early. Missing (issue 10: divergence after failover is never created): a failover scenario where a sync follower ahead of the new leader re-subscribes, and the next write must wait until it really has it.",
  },
  "reference/store/core/quorum.ts:40:25 EqualityOperator → how !== 'set'": {
    verdict: 'gap',
    note: "A re-subscription (leader.subscribed → record 'set') no longer lowers the follower's match, so after a sync follower truncates a divergent suffix and re-subscribes lower, the leader still counts it as holding entries it dropped and can acknowledge too early. Missing (issue 10: divergence after failover is never created): a failover scenario where a sync follower ahead of the new leader re-subscribes, and the next write must wait until it really has it.",
  },
  'reference/store/core/quorum.ts:40:33 StringLiteral → ""': {
    verdict: 'gap',
    note: "A re-subscription (leader.subscribed → record 'set') no longer lowers the follower's match, so after a sync follower truncates a divergent suffix and re-subscribes lower, the leader still counts it as holding entries it dropped and can acknowledge too early. Missing (issue 10: divergence after failover is never created): a failover scenario where a sync follower ahead of the new leader re-subscribes, and the next write must wait until it really has it.",
  },
  'reference/store/core/quorum.ts:43:43 BlockStatement → {}': {
    verdict: 'gap',
    note: "Breaks only the leader's /status (its sync list, quorum and the followers' match LSNs). Missing: a check that reads the leader's /status fields the contract defines (the kit only reads followers' appliedLsn).",
  },
  'reference/store/core/quorum.ts:49:9 ConditionalExpression → false': {
    verdict: 'gap',
    note: "With no sync followers (k = 0) nothing ever commits and writes hang. The all-async cluster is only graded by store.session-fallback, which this file's map did not include; the map now adds it (re-run pending).",
  },
  'reference/store/core/quorum.ts:50:21 MethodExpression → this.#sync.map(id => this.#match.get(id) ?? 0)': {
    verdict: 'gap',
    note: "Quorum taken in sync-list order instead of the k-th highest match: 'wait for the first k followers in order'. Survives because store.quorum's lags grow in sync order (n1 fastest). Missing (issue 10): stall the FIRST sync follower while the others are fast; every write must still be acknowledged once any k have applied it.",
  },
  'reference/store/core/quorum.ts:50:75 ArrowFunction → () => undefined': {
    verdict: 'gap',
    note: "Quorum taken in sync-list order instead of the k-th highest match: 'wait for the first k followers in order'. Survives because store.quorum's lags grow in sync order (n1 fastest). Missing (issue 10): stall the FIRST sync follower while the others are fast; every write must still be acknowledged once any k have applied it.",
  },
  'reference/store/core/quorum.ts:50:85 ArithmeticOperator → b + a': {
    verdict: 'gap',
    note: "Quorum taken in sync-list order instead of the k-th highest match: 'wait for the first k followers in order'. Survives because store.quorum's lags grow in sync order (n1 fastest). Missing (issue 10): stall the FIRST sync follower while the others are fast; every write must still be acknowledged once any k have applied it.",
  },
  // gossip/core/membership.ts lines 21-36, the precedence rule (checks: gossip.reconciliation, gossip.suspicion)
  'reference/gossip/core/membership.ts:22:45 EqualityOperator → a.generation <= b.generation': {
    verdict: 'equivalent',
    note: 'Guarded by `a.generation !== b.generation`, so `<` and `<=` are the same here.',
  },
  'reference/gossip/core/membership.ts:27:7 ConditionalExpression → false': {
    verdict: 'gap',
    note: "An identical claim now supersedes itself, so every receipt re-queues it for gossip: dissemination never quiesces, but views stay right. Missing: a check that gossip traffic falls back once converged (e.g. gossip.scale-250 or gossip.convergence bounding bytes per round some rounds after the last change, from the kit's link counters).",
  },
  'reference/gossip/core/membership.ts:28:7 ConditionalExpression → false': {
    verdict: 'gap',
    note: "The tiebreak by meta is never exercised. Missing in gossip.reconciliation: two entries at equal generation and status that differ only in meta (two different metas, and meta vs none); after one push-pull both nodes must hold the same entry. With this mutant the order is not antisymmetric, so each side takes the other's entry and they stay different.",
  },
  'reference/gossip/core/membership.ts:28:32 UnaryOperator → +1': {
    verdict: 'gap',
    note: "The tiebreak by meta is never exercised. Missing in gossip.reconciliation: two entries at equal generation and status that differ only in meta (two different metas, and meta vs none); after one push-pull both nodes must hold the same entry. With this mutant the order is not antisymmetric, so each side takes the other's entry and they stay different.",
  },
  'reference/gossip/core/membership.ts:29:7 ConditionalExpression → true': {
    verdict: 'gap',
    note: "The tiebreak by meta is never exercised. Missing in gossip.reconciliation: two entries at equal generation and status that differ only in meta (two different metas, and meta vs none); after one push-pull both nodes must hold the same entry. With this mutant the order is not antisymmetric, so each side takes the other's entry and they stay different.",
  },
  'reference/gossip/core/membership.ts:29:7 ConditionalExpression → false': {
    verdict: 'equivalent',
    note: 'When only b has no meta, the fall-through `am < bm` compares a string with undefined (false) and returns 1: the same answer.',
  },
  'reference/gossip/core/membership.ts:29:7 EqualityOperator → bm !== undefined': {
    verdict: 'gap',
    note: "The tiebreak by meta is never exercised. Missing in gossip.reconciliation: two entries at equal generation and status that differ only in meta (two different metas, and meta vs none); after one push-pull both nodes must hold the same entry. With this mutant the order is not antisymmetric, so each side takes the other's entry and they stay different.",
  },
  'reference/gossip/core/membership.ts:30:10 ConditionalExpression → false': {
    verdict: 'gap',
    note: "The tiebreak by meta is never exercised. Missing in gossip.reconciliation: two entries at equal generation and status that differ only in meta (two different metas, and meta vs none); after one push-pull both nodes must hold the same entry. With this mutant the order is not antisymmetric, so each side takes the other's entry and they stay different.",
  },
  'reference/gossip/core/membership.ts:30:10 EqualityOperator → am <= bm': {
    verdict: 'gap',
    note: "The tiebreak by meta is never exercised. Missing in gossip.reconciliation: two entries at equal generation and status that differ only in meta (two different metas, and meta vs none); after one push-pull both nodes must hold the same entry. With this mutant the order is not antisymmetric, so each side takes the other's entry and they stay different. (With equal metas this line is not reached; with different metas `<=` equals `<` — but the `>=` and `false` mutants on this line are real gaps, so the line has no killer at all.)",
  },
  'reference/gossip/core/membership.ts:30:10 EqualityOperator → am >= bm': {
    verdict: 'gap',
    note: "The tiebreak by meta is never exercised. Missing in gossip.reconciliation: two entries at equal generation and status that differ only in meta (two different metas, and meta vs none); after one push-pull both nodes must hold the same entry. With this mutant the order is not antisymmetric, so each side takes the other's entry and they stay different.",
  },
  'reference/gossip/core/membership.ts:30:20 UnaryOperator → +1': {
    verdict: 'gap',
    note: "The tiebreak by meta is never exercised. Missing in gossip.reconciliation: two entries at equal generation and status that differ only in meta (two different metas, and meta vs none); after one push-pull both nodes must hold the same entry. With this mutant the order is not antisymmetric, so each side takes the other's entry and they stay different.",
  },
  'reference/gossip/core/membership.ts:35:10 ConditionalExpression → false': {
    verdict: 'gap',
    note: 'A claim about a member not in the table makes compareClaims read `undefined.generation`; the throw only drops that claim. No check has a member the table does not know yet (a node joining after the start, or a book larger than the seeds) — if the contract fixes membership by the book, this is equivalent.',
  },
  'reference/gossip/core/membership.ts:35:35 EqualityOperator → compareClaims(claim, current) >= 0': {
    verdict: 'gap',
    note: "An identical claim now supersedes itself, so every receipt re-queues it for gossip: dissemination never quiesces, but views stay right. Missing: a check that gossip traffic falls back once converged (e.g. gossip.scale-250 or gossip.convergence bounding bytes per round some rounds after the last change, from the kit's link counters).",
  },
};
