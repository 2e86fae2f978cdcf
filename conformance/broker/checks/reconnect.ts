import { failed, pass, type CheckDefinition } from '../../../harness/checks/check.ts';
import { encodeFrame } from '../../../harness/wire/frame.ts';
import { BrokerUnderTest } from '../broker-under-test.ts';
import { overrunVerdict } from '../excused.ts';
import { compareDelivery, describeFrame, distinctSizes, payloadOf } from '../delivery.ts';

export const reconnect: CheckDefinition = {
  id: 'broker.reconnect',
  system: 'broker',
  level: 'required',
  title: 'A station may drop and reconnect mid-pass',
  criterion:
    "A station sends frames, loses its link abruptly in the middle of a frame, reconnects and goes on: both sessions' complete frames are delivered, the torn frame is not.",
  timeoutMs: 40_000,
  async run(ctx) {
    const broker = await BrokerUnderTest.launch(ctx, { knobs: { handlers: 2 } });
    const sizes = distinctSizes(10, 5, 2000, ctx.random);
    const first = sizes.slice(0, 5).map((s) => payloadOf(s, ctx.random));
    const second = sizes.slice(5).map((s) => payloadOf(s, ctx.random));
    const s1 = await broker.station('pass-1');
    await s1.write(Buffer.concat(first.map((p) => encodeFrame(p))), `5 frames: ${first.map((p) => p.length).join(',')}`);
    const want = broker.applied.handlers ?? 1;
    await broker.until(
      () => ([...broker.framesFrom(s1).values()].filter((l) => l.length >= first.length).length >= want ? true : undefined),
      5000,
    );
    const torn = payloadOf(3000, ctx.random);
    await s1.writePartial(torn.length, torn.subarray(0, 1000));
    await broker.waitConsumed(s1);
    s1.reset();
    const s2 = await broker.station('pass-1 reconnected');
    await s2.write(Buffer.concat(second.map((p) => encodeFrame(p))), `5 frames: ${second.map((p) => p.length).join(',')}`);
    const handlers = () => [...new Set([...broker.framesFrom(s1).keys(), ...broker.handlerIds])];
    const wait = await broker.untilExcused(
      () => (handlers().length >= want && handlers().every((h) => broker.framesAt(s2, h).length >= second.length) ? true : undefined),
      5000,
    );
    const common = { sent: [...s1.sent, '(connection reset)', ...s2.sent], observed: broker.linesSince(0), logs: broker.logs() };
    for (const h of handlers()) {
      const before = compareDelivery(first.map(describeFrame), broker.framesAt(s1, h));
      if (!before.ok) return failed(`first session, handler ${h}: ${before.problem}`, common);
      const after = compareDelivery(second.map(describeFrame), broker.framesAt(s2, h));
      // A pure shortfall after reconnecting that the environment explains is not the candidate's.
      if (!after.ok && !wait.value && after.problem?.includes('frames missing') === true)
        return overrunVerdict(`after reconnecting, handler ${h}: ${after.problem}`, wait, common);
      if (!after.ok) return failed(`after reconnecting, handler ${h}: ${after.problem}`, common);
    }
    if (handlers().length === 0) return failed('no frames delivered at all', common);
    return pass(`both sessions' 5+5 frames delivered on ${handlers().length} handlers; the torn frame was discarded`);
  },
};
