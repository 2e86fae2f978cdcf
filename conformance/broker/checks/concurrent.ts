import { failed, pass, type CheckDefinition } from '../../../harness/checks/check.ts';
import { BrokerUnderTest } from '../broker-under-test.ts';
import { overrunVerdict } from '../excused.ts';
import { compareDelivery, describeFrame, distinctSizes, payloadOf } from '../delivery.ts';
import { encodeFrame } from '../../../harness/wire/frame.ts';

export const concurrent: CheckDefinition = {
  id: 'broker.1-concurrent',
  system: 'broker',
  level: 'required',
  title: 'Two connections never block each other',
  criterion: 'With one station stalled in the middle of a frame, another station\'s frames are still delivered; then the stalled frame completes and is delivered too.',
  timeoutMs: 40_000,
  async run(ctx) {
    const broker = await BrokerUnderTest.launch(ctx, { knobs: { handlers: 2 } });
    const stalled = await broker.station('A');
    const stalledPayload = payloadOf(300, ctx.random);
    await stalled.writePartial(stalledPayload.length, stalledPayload.subarray(0, 100));
    const how = await broker.waitConsumed(stalled);
    const other = await broker.station('B');
    const sizes = distinctSizes(5, 10, 900, ctx.random);
    const payloads = sizes.map((size) => payloadOf(size, ctx.random));
    const sent = payloads.map(describeFrame);
    await other.write(Buffer.concat(payloads.map((p) => encodeFrame(p))), `${sizes.length} frames of sizes ${sizes.join(',')}`);
    const deliveredB = await broker.untilExcused(() => ([...broker.framesFrom(other).values()].some((seen) => seen.length >= sent.length) ? true : undefined), 5000);
    const common = { sent: [...stalled.sent, ...other.sent], notes: [how], logs: broker.logs() };
    if (!deliveredB.value) {
      const seen = [...broker.framesFrom(other).values()].map((l) => l.length);
      return overrunVerdict(`station B's ${sent.length} frames were not delivered within ${deliveredB.waitedMs} ms while station A held a half-read frame (B frames seen per handler: ${seen.length ? seen.join(',') : 'none'})`, deliveredB, {
        ...common,
        observed: broker.linesSince(0),
      });
    }
    for (const [handler, seen] of broker.framesFrom(other)) {
      const diff = compareDelivery(sent, seen);
      if (!diff.ok) return failed(`station B, handler ${handler}: ${diff.problem}`, { ...common, observed: broker.linesSince(0) });
    }
    await stalled.write(stalledPayload.subarray(100), 'remaining 200 payload bytes of A\'s frame');
    const deliveredA = await broker.untilExcused(() => ([...broker.framesFrom(stalled).values()].some((seen) => seen.length >= 1) ? true : undefined), 5000);
    if (!deliveredA.value) {
      return overrunVerdict(`station A's frame, completed while station B stayed connected, was not delivered within ${deliveredA.waitedMs} ms`, deliveredA, { ...common, observed: broker.linesSince(0) });
    }
    for (const [handler, seen] of broker.framesFrom(stalled)) {
      const diff = compareDelivery([describeFrame(stalledPayload)], seen);
      if (!diff.ok) return failed(`station A, handler ${handler}: ${diff.problem}`, { ...common, observed: broker.linesSince(0) });
    }
    return pass(`B's ${sent.length} frames delivered while A was stalled mid-frame; A's frame delivered after completion`, { notes: [how] });
  },
};
