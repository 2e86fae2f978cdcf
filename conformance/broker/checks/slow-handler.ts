import { failed, notTestable, pass, unknown, type CheckDefinition } from '../../../harness/checks/check.ts';
import { delay } from '../../../harness/common/wait.ts';
import { environmentLimits, environmentMetrics, explainableDelayMs, startEnvironmentMonitor } from '../../../harness/load/environment.ts';
import { LatencyRecorder } from '../../../harness/load/latency.ts';
import { encodeFrames } from '../../../harness/wire/frame.ts';
import { BrokerUnderTest } from '../broker-under-test.ts';
import { compareDelivery, describeFrame, payloadOf } from '../delivery.ts';
import { lagMissed } from './lag.ts';
import { overrunVerdict } from '../excused.ts';

/** Handler 0's sleep per frame: it consumes at most 1000 / SLOW_MS = 40 frames/s. */
export const SLOW_MS = 25;
export const CAPACITY = 16;
const HANDLERS = 3;
/**
 * The burst is paced: CHUNK frames (a quarter of the capacity) every GAP_MS, i.e. 160 frames/s, four
 * times what the slow handler can take, while a fast handler has a whole capacity (four chunks, 100 ms)
 * of slack before its queue could overflow, on any design (one event loop, or each handler draining its
 * own drop-oldest queue on its own thread like tokio's broadcast). README: "What the kit assumes about bursts".
 */
export const CHUNK = CAPACITY / 4;
export const GAP_MS = 25;
/** Frames with sizes of their own at the end of the burst: a drop-oldest slow handler keeps them. */
const NEWEST = CAPACITY / 2;
/** After the last write, fast handlers must have everything within this (a blocking fan-out needs seconds more). */
const FAST_GRACE_MS = 2500;

export const slowHandler: CheckDefinition = {
  id: 'broker.3-slow-handler',
  system: 'broker',
  level: 'required',
  title: 'A slow handler never stalls ingestion',
  criterion:
    `With ${HANDLERS} handlers (ids 0–${HANDLERS - 1}), handler 0 sleeping ${SLOW_MS} ms per frame and capacity ${CAPACITY}, a paced burst of ${CHUNK} frames every ${GAP_MS} ms (4× what handler 0 can take): ` +
    `(a) handler ids are exactly those configured; (b) every other handler receives every frame, in order, within ${FAST_GRACE_MS} ms of the last write; ` +
    `(c) handler 0 loses frames and reports them as lag, and once it is idle, frames it received + missed it reported = frames sent exactly; ` +
    `(d) handler 0 drops the oldest: it receives the newest ${NEWEST} frames of the burst.`,
  needsKnobs: ['slowHandlerMs'],
  timeoutMs: 70_000,
  async run(ctx) {
    const broker = await BrokerUnderTest.launch(ctx, { knobs: { handlers: HANDLERS, slowHandlerMs: SLOW_MS, capacity: CAPACITY } });
    const capacityKnown = broker.applied.capacity !== undefined;
    const configured = broker.applied.handlers ?? HANDLERS;
    const want = Array.from({ length: configured }, (_, h) => h);
    const { handlers, station: warm, warmUp } = await broker.learnHandlers(payloadOf(24, ctx.random));
    warm.end();
    const knobs = `knobs: ${JSON.stringify(broker.applied)}${broker.applied.handlers === undefined ? ` (no handlers knob: the contract's default of ${HANDLERS})` : ''}`;
    if (handlers.join(',') !== want.join(',')) {
      // Fewer handlers than configured, all of them among the configured ids, and a warm-up the environment excuses: no verdict.
      if (warmUp.excused && handlers.every((h) => want.includes(h))) {
        return overrunVerdict(
          `one warm-up frame was reported by handlers ${handlers.join(',') || 'none'} of the ${configured} configured (ids ${want.join(',')}) within ${warmUp.waitedMs} ms`,
          warmUp,
          { sent: [...warm.sent, knobs], observed: broker.linesSince(0), logs: broker.logs() },
        );
      }
      return failed(
        `one warm-up frame was reported by handlers ${handlers.join(',') || 'none'}; the kit configured ${configured} handlers, ids ${want.join(',')} (handler 0 is the slow one)`,
        { sent: [...warm.sent, knobs], observed: broker.linesSince(0), logs: broker.logs() },
      );
    }
    const fastIds = want.filter((h) => h !== 0);
    // Without the capacity knob the candidate's own queue may be large: a longer burst so it must overflow.
    const total = capacityKnown ? CAPACITY * 25 : 1200;
    const payloads = Array.from({ length: total }, (_, i) =>
      i >= total - NEWEST ? payloadOf(3000 + (i - (total - NEWEST)), ctx.random) : payloadOf(64 + (i % 97), ctx.random),
    );
    const sentFrames = payloads.map(describeFrame);
    const station = await broker.station('burst');
    const env = startEnvironmentMonitor({ pid: broker.proc.pid as number });
    ctx.scope.defer(() => void env.stop());
    const startedAt = broker.now();
    // The kit's own send lag (free): how much later than its GAP_MS pause each write started.
    const sendLag = new LatencyRecorder({ series: false });
    let previousWriteUs: number | undefined;
    for (let i = 0; i < total; i += CHUNK) {
      const chunk = payloads.slice(i, i + CHUNK);
      const writeUs = performance.now() * 1000;
      if (previousWriteUs !== undefined) sendLag.record(previousWriteUs + GAP_MS * 1000, writeUs);
      previousWriteUs = writeUs;
      // Sequential writes with a pause: a late timer only spreads the burst out, never bunches it up.
      await station.write(encodeFrames(chunk), `frames ${i + 1}–${i + chunk.length}`);
      if (i + CHUNK < total) await delay(GAP_MS);
    }
    const lastWriteAt = broker.now();
    station.sent.splice(
      0,
      station.sent.length,
      `${total} frames on one connection, ${CHUNK} per write every ${GAP_MS} ms (sizes 64–160; the last ${NEWEST}: 3000–${3000 + NEWEST - 1})`,
    );
    const sent = [...station.sent, knobs];
    const fastComplete = (): true | undefined => (fastIds.every((h) => broker.framesAt(station, h).length >= total) ? true : undefined);
    const fastDone = await broker.until(fastComplete, FAST_GRACE_MS);
    // When late, what the environment can explain up to the bound, then how late it really was.
    const atBound = fastDone ? undefined : await env.peek();
    const lateDone = fastDone ? true : await broker.until(fastComplete, total * SLOW_MS);
    const fastMs = Math.round(broker.now() - lastWriteAt);

    // Handler 0 idle: received + reported missed reaches the total, then stays put for a lag-report interval.
    const account = (): { received: number; missed: number } => ({
      received: broker.framesAt(station, 0).length,
      missed: lagMissed(broker, 0, startedAt),
    });
    const idleDeadline = capacityKnown ? CAPACITY * SLOW_MS * 2 + 5000 : 40_000;
    await broker.until(() => {
      const a = account();
      return a.received + a.missed >= total ? true : undefined;
    }, idleDeadline);
    await delay(1500);
    const { received, missed } = account();
    const environment = await env.stop();
    const limits = environmentLimits(environment);
    const counts = want.map((h) => `handler ${h}: ${broker.framesAt(station, h).length}`).join(', ');
    const lag = sendLag.summary();
    const lagMs = (us: number): number => Math.round(us / 10) / 100;
    const metrics = {
      framesSent: total,
      slowReceived: received,
      slowMissedReported: missed,
      fastCompleteAfterLastWriteMs: fastMs,
      burstMs: Math.round(lastWriteAt - startedAt),
      // The floor under fastCompleteAfterLastWriteMs measured in this run: the kit's own send lag.
      kitSendLagP99Ms: lagMs(lag.p99Us),
      kitSendLagMaxMs: lagMs(lag.maxUs),
      ...environmentMetrics(environment),
    };
    const floorNote = `the kit's own share of the ${fastMs} ms (fast handlers complete after the last write): its writes started up to ${lagMs(lag.maxUs)} ms late (send lag p99 ${lagMs(lag.p99Us)} ms over ${lag.count} writes), its event loop p99 ${environment.loopDelayP99Ms} ms; ratio ${lag.maxUs > 0 ? (fastMs / (lag.maxUs / 1000)).toFixed(2) : '—'}× the send lag (the null broker's floor under load is measured in broker.scale-48)`;
    const evidence = {
      sent,
      metrics,
      observed: [counts, ...broker.linesSince(startedAt, 8)],
      logs: broker.logs(),
      notes: [...limits, floorNote],
    };

    // (b) fast handlers: everything, in order, promptly.
    for (const h of fastIds) {
      const diff = compareDelivery(sentFrames, broker.framesAt(station, h));
      if (!diff.ok) {
        const lag = lagMissed(broker, h, startedAt);
        const summary = `fast handler ${h}: ${diff.problem}${lag > 0 ? ` (it reported ${lag} missed)` : ''}`;
        if (limits.length > 0) return unknown(`${summary}; but the environment limited the run: ${limits.join('; ')}`, evidence);
        return failed(summary, evidence);
      }
    }
    if (!fastDone) {
      const late = lateDone ? `only ${fastMs} ms after the last write` : `not even ${fastMs} ms after the last write`;
      const summary = `the fast handlers had all ${total} frames ${late} (bound ${FAST_GRACE_MS} ms): ingestion waited for the slow handler`;
      // The environment excuses lateness only up to the delay it can explain (one thread's run-queue wait,
      // the kit's longest stall, time blocked on the log pipe); a blocking fan-out is seconds later still.
      const explainable = atBound ? explainableDelayMs(atBound) : 0;
      const atBoundLimits = atBound ? environmentLimits(atBound) : [];
      if (atBoundLimits.length > 0 && fastMs - FAST_GRACE_MS <= explainable) {
        return unknown(
          `${summary}; but the environment limited the run and can explain up to ${explainable} ms: ${atBoundLimits.join('; ')}`,
          evidence,
        );
      }
      return failed(
        atBoundLimits.length > 0
          ? `${summary}; the environment was loaded but explains at most ${explainable} ms of the ${fastMs - FAST_GRACE_MS} ms overrun (${atBoundLimits.join('; ')})`
          : summary,
        evidence,
      );
    }
    // (c) the slow handler's account, exact in both directions once it is idle.
    if (missed === 0) {
      const summary =
        received >= total
          ? `handler 0 (sleeping ${SLOW_MS} ms per frame) received all ${total} frames and reported no lag: its queue is not bounded at ${capacityKnown ? `the configured capacity ${CAPACITY}` : 'any size the kit could overflow'}`
          : `handler 0 received ${received} of ${total} frames and no lag with a missed count was reported`;
      if (!capacityKnown && received >= total)
        return notTestable(
          `${summary}; without a capacity knob the kit cannot size a burst past your queue: add "knobs": {"capacity": {"env": "YOUR_VAR"}}`,
          evidence,
        );
      return failed(summary, evidence);
    }
    if (received + missed < total)
      return failed(
        `handler 0 received ${received} and reported ${missed} missed: ${total - received - missed} of the ${total} frames sent are lost without being reported (lag under-reported)`,
        evidence,
      );
    if (received + missed > total)
      return failed(
        `handler 0 received ${received} and reported ${missed} missed: ${received + missed - total} more than the ${total} frames sent (lag over-reported)`,
        evidence,
      );
    // (d) drop-oldest: the newest frames survive.
    const slowSizes = new Set(broker.framesAt(station, 0).map((f) => f.bytes));
    const newestMissing = sentFrames
      .slice(total - NEWEST)
      .filter((f) => !slowSizes.has(f.bytes))
      .map((f) => f.bytes);
    if (newestMissing.length > 0)
      return failed(
        `handler 0 did not receive ${newestMissing.length} of the newest ${NEWEST} frames (sizes ${newestMissing.join(',')}): a full queue must drop its oldest frames, not the incoming ones`,
        evidence,
      );
    return pass(
      `fast handlers ${fastIds.join(',')} got all ${total} frames in order (${fastMs} ms after the last write); handler 0 received ${received} (the newest ${NEWEST} among them) and reported ${missed} missed = ${total}`,
      evidence,
    );
  },
};
