import { failed, pass, type CheckDefinition } from '../../../harness/checks/check.ts';
import { MAX_FRAME, encodeFrame, frameHeader } from '../../../harness/wire/frame.ts';
import { BrokerUnderTest } from '../broker-under-test.ts';
import { payloadOf } from '../delivery.ts';

export const maxFrame: CheckDefinition = {
  id: 'broker.max-frame',
  system: 'broker',
  level: 'required',
  title: 'Oversize frames are rejected',
  criterion: `A header announcing ${MAX_FRAME + 1} bytes: that connection is closed with a logged reason, no oversized payload is delivered, and other connections keep working.`,
  timeoutMs: 40_000,
  async run(ctx) {
    const broker = await BrokerUnderTest.launch(ctx, { knobs: { handlers: 2 } });
    const bystander = await broker.station('bystander');
    await bystander.write(encodeFrame(payloadOf(16, ctx.random)), 'one 16-byte frame');
    await broker.until(() => (broker.framesFrom(bystander).size > 0 ? true : undefined), 5000);
    const attacker = await broker.station('oversize');
    const sentAt = broker.now();
    await attacker.write(Buffer.concat([frameHeader(MAX_FRAME + 1), payloadOf(MAX_FRAME + 1, ctx.random)]), `header(${MAX_FRAME + 1}) + ${MAX_FRAME + 1} payload bytes`);
    const closed = await Promise.race([attacker.closedPromise.then(() => true), broker.until(() => (attacker.closedByPeer ? true : undefined), 3000)]);
    const rejected = await broker.until(() => broker.events.find((e) => e.event === 'rejected' && e.atMs >= sentAt), 3000);
    await bystander.write(encodeFrame(payloadOf(17, ctx.random)), 'one 17-byte frame after the rejection');
    const stillWorks = await broker.until(() => ([...broker.framesFrom(bystander).values()].some((l) => l.some((f) => f.bytes === 17)) ? true : undefined), 3000);
    const oversized = broker.events.filter((e) => e.event === 'frame' && (e.bytes ?? 0) > MAX_FRAME);
    const common = { sent: [...bystander.sent, ...attacker.sent], observed: broker.linesSince(sentAt), logs: broker.logs() };
    if (oversized.length > 0) return failed(`an oversized payload was delivered: ${oversized[0]?.line.slice(0, 160)}`, common);
    if (!closed) return failed(`the connection that announced ${MAX_FRAME + 1} bytes was still open 3 s later`, common);
    if (!rejected) return failed('the oversize connection was closed but no reason was logged (no rejected event recognised)', common);
    if (!stillWorks) return failed('after rejecting the oversize frame, a frame on another connection was not delivered within 3 s', common);
    if (broker.proc.exitInfo) return failed('the broker exited after the oversize frame', common);
    return pass(`closed with reason "${rejected.reason ?? rejected.line.slice(0, 80)}"; the other connection kept working`, { observed: [rejected.line] });
  },
};
