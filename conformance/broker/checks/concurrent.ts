import { failed, pass, type CheckDefinition } from '../../../harness/checks/check.ts';
import { BrokerUnderTest } from '../broker-under-test.ts';
import type { Station } from '../station.ts';
import { overrunVerdict } from '../excused.ts';
import { compareDelivery, describeFrame, distinctSizes, payloadOf } from '../delivery.ts';
import { encodeFrame } from '../../../harness/wire/frame.ts';

export const concurrent: CheckDefinition = {
  id: 'broker.1-concurrent',
  system: 'broker',
  level: 'required',
  title: 'Two connections never block each other',
  criterion:
    "With two stations stalled in the middle of a frame, a third station's frames are still delivered; then the stalled frames complete and are delivered too.",
  timeoutMs: 40_000,
  async run(ctx) {
    const broker = await BrokerUnderTest.launch(ctx, { knobs: { handlers: 2 } });
    // Two stalled stations, not one: a broker with a fixed pool of two connection slots is not
    // sequential, yet its third connection waits behind the stalled two just the same.
    const stalledAll: { station: Station; payload: Uint8Array }[] = [];
    const notes: string[] = [];
    for (const label of ['A', 'A2']) {
      const station = await broker.station(label);
      const payload = payloadOf(300, ctx.random);
      await station.writePartial(payload.length, payload.subarray(0, 100));
      notes.push(`${label}: ${await broker.waitConsumed(station)}`);
      stalledAll.push({ station, payload });
    }
    const other = await broker.station('B');
    const sizes = distinctSizes(5, 10, 900, ctx.random);
    const payloads = sizes.map((size) => payloadOf(size, ctx.random));
    const sent = payloads.map(describeFrame);
    await other.write(Buffer.concat(payloads.map((p) => encodeFrame(p))), `${sizes.length} frames of sizes ${sizes.join(',')}`);
    const deliveredB = await broker.untilExcused(
      () => ([...broker.framesFrom(other).values()].some((seen) => seen.length >= sent.length) ? true : undefined),
      5000,
    );
    const common = { sent: [...stalledAll.flatMap((s) => s.station.sent), ...other.sent], notes, logs: broker.logs() };
    if (!deliveredB.value) {
      const seen = [...broker.framesFrom(other).values()].map((l) => l.length);
      return overrunVerdict(
        `station B's ${sent.length} frames were not delivered within ${deliveredB.waitedMs} ms while stations A and A2 each held a half-read frame (B frames seen per handler: ${seen.length ? seen.join(',') : 'none'})`,
        deliveredB,
        {
          ...common,
          observed: broker.linesSince(0),
        },
      );
    }
    for (const [handler, seen] of broker.framesFrom(other)) {
      const diff = compareDelivery(sent, seen);
      if (!diff.ok) return failed(`station B, handler ${handler}: ${diff.problem}`, { ...common, observed: broker.linesSince(0) });
    }
    for (const { station, payload } of stalledAll)
      await station.write(payload.subarray(100), `remaining 200 payload bytes of ${station.label}'s frame`);
    for (const { station, payload } of stalledAll) {
      const delivered = await broker.untilExcused(
        () => ([...broker.framesFrom(station).values()].some((seen) => seen.length >= 1) ? true : undefined),
        5000,
      );
      if (!delivered.value) {
        return overrunVerdict(
          `station ${station.label}'s frame, completed while station B stayed connected, was not delivered within ${delivered.waitedMs} ms`,
          delivered,
          { ...common, observed: broker.linesSince(0) },
        );
      }
      for (const [handler, seen] of broker.framesFrom(station)) {
        const diff = compareDelivery([describeFrame(payload)], seen);
        if (!diff.ok)
          return failed(`station ${station.label}, handler ${handler}: ${diff.problem}`, { ...common, observed: broker.linesSince(0) });
      }
    }
    return pass(`B's ${sent.length} frames delivered while A and A2 were stalled mid-frame; their frames delivered after completion`, {
      notes,
    });
  },
};
