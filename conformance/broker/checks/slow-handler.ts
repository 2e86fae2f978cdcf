import { failed, notTestable, pass, type CheckDefinition } from '../../../harness/checks/check.ts';
import { encodeFrame } from '../../../harness/wire/frame.ts';
import { BrokerUnderTest } from '../broker-under-test.ts';
import { payloadOf } from '../delivery.ts';

const SLOW_MS = 25;
const CAPACITY = 16;

export const slowHandler: CheckDefinition = {
  id: 'broker.3-slow-handler',
  system: 'broker',
  level: 'required',
  title: 'A slow handler never stalls ingestion',
  criterion: `With handler 0 sleeping ${SLOW_MS} ms per frame, a burst far past the handler capacity reaches the other handlers at full rate, and the slow handler's loss is reported as lag with a missed count.`,
  needsKnobs: ['slowHandlerMs'],
  timeoutMs: 70_000,
  async run(ctx) {
    const broker = await BrokerUnderTest.launch(ctx, { knobs: { handlers: 3, slowHandlerMs: SLOW_MS, capacity: CAPACITY } });
    const capacityKnown = broker.applied.capacity !== undefined;
    const total = capacityKnown ? Math.max(CAPACITY * 25, 400) : 4096;
    const stations = [await broker.station('S1'), await broker.station('S2')];
    const payloads = Array.from({ length: total }, (_, i) => payloadOf(64 + (i % 97), ctx.random));
    const startedAt = broker.now();
    for (const [i, station] of stations.entries()) {
      const mine = payloads.filter((_, k) => k % stations.length === i);
      await station.write(Buffer.concat(mine.map((p) => encodeFrame(p))), `${mine.length} frames of 64–160 bytes in one burst`);
    }
    // Full rate: a blocking fan-out would need total × SLOW_MS to get through the burst.
    const blockingTimeMs = total * SLOW_MS;
    const fastDeadlineMs = Math.min(4000, blockingTimeMs / 2.5);
    const slowestFast = (): { fast: number[]; slow?: number } | undefined => {
      const counts = broker.frameCounts();
      const laggers = new Set(broker.events.filter((e) => e.event === 'lagged' && e.handler !== undefined).map((e) => e.handler as number));
      const ids = [...broker.handlerIds];
      if (ids.length < (broker.applied.handlers ?? 2)) return undefined;
      const slow = [...laggers][0] ?? ids.reduce((a, b) => ((counts.get(a) ?? 0) <= (counts.get(b) ?? 0) ? a : b));
      const fast = ids.filter((h) => h !== slow);
      return fast.length > 0 && fast.every((h) => (counts.get(h) ?? 0) >= total) ? { fast, slow } : undefined;
    };
    const done = await broker.until(slowestFast, fastDeadlineMs);
    const fastMs = Math.round(broker.now() - startedAt);
    const counts = broker.frameCounts();
    const countsText = [...counts].map(([h, n]) => `handler ${h}: ${n}`).join(', ');
    const sent = [`${total} frames over 2 stations, written at once`, `knobs: ${JSON.stringify(broker.applied)}`];
    if (!done) {
      return failed(`the fast handlers did not receive all ${total} frames within ${Math.round(fastDeadlineMs)} ms (a blocking fan-out needs ~${blockingTimeMs} ms); frames so far: ${countsText || 'none'}`, {
        sent,
        observed: broker.linesSince(startedAt),
        logs: broker.logs(),
        metrics: { framesSent: total, fastDeadlineMs: Math.round(fastDeadlineMs) },
      });
    }
    // The loss must be reported as lag. Tokio-style receivers report lag when they next read, after working
    // through their buffer: allow the buffer's worth of slow work plus a margin.
    const lagDeadline = capacityKnown ? CAPACITY * SLOW_MS * 2 + 5000 : 30_000;
    const lagged = await broker.until(() => broker.events.find((e) => e.event === 'lagged' && (e.missed ?? 0) > 0), lagDeadline);
    const slow = done.slow;
    const slowReceived = slow === undefined ? 0 : (counts.get(slow) ?? 0);
    const metrics = { framesSent: total, fastHandlersCompleteMs: fastMs, slowHandlerReceived: slowReceived };
    if (!lagged) {
      const summary = `the slow handler received ${slowReceived} of ${total} frames and no lag with a missed count was reported within ${lagDeadline} ms`;
      if (!capacityKnown && slowReceived < total) {
        return notTestable(`${summary}; without a capacity knob the kit cannot tell a large queue from silent loss: add "knobs": {"capacity": {"env": "YOUR_VAR"}}`, { sent, metrics, logs: broker.logs() });
      }
      return failed(summary, { sent, metrics, observed: broker.linesSince(startedAt), logs: broker.logs() });
    }
    const missedTotal = broker.events.filter((e) => e.event === 'lagged' && e.handler === lagged.handler).reduce((sum, e) => sum + (e.missed ?? 0), 0);
    const laggedReceived = lagged.handler === undefined ? slowReceived : (broker.frameCounts().get(lagged.handler) ?? 0);
    if (missedTotal + laggedReceived > total) {
      return failed(`handler ${lagged.handler} reported ${missedTotal} missed and processed ${laggedReceived}, more than the ${total} frames sent`, { sent, metrics, observed: broker.linesSince(startedAt) });
    }
    return pass(`fast handlers got all ${total} frames in ${fastMs} ms (blocking would take ~${blockingTimeMs} ms); handler ${lagged.handler} reported lag, ${missedTotal} missed so far`, {
      metrics: { ...metrics, missedReported: missedTotal },
      observed: [lagged.line],
    });
  },
};
