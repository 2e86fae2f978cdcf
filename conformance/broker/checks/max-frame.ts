import { failed, pass, type CheckDefinition } from '../../../harness/checks/check.ts';
import { MAX_FRAME, encodeFrame, frameHeader } from '../../../harness/wire/frame.ts';
import { BrokerUnderTest } from '../broker-under-test.ts';
import { overrunVerdict } from '../excused.ts';
import { payloadOf } from '../delivery.ts';

export const maxFrame: CheckDefinition = {
  id: 'broker.max-frame',
  system: 'broker',
  level: 'required',
  title: 'Oversize frames are rejected',
  criterion: `A header announcing ${MAX_FRAME + 1} bytes, sent alone (no body), and on another connection a header announcing 0xFFFFFFFF bytes: each connection is closed on the header alone, with a logged reason, nothing oversized is delivered, and other connections keep working.`,
  timeoutMs: 40_000,
  async run(ctx) {
    const broker = await BrokerUnderTest.launch(ctx, { knobs: { handlers: 2 } });
    const bystander = await broker.station('bystander');
    await bystander.write(encodeFrame(payloadOf(16, ctx.random)), 'one 16-byte frame');
    await broker.until(() => (broker.framesFrom(bystander).size > 0 ? true : undefined), 5000);
    const sentAt = broker.now();
    // The header alone: a broker must reject on the length, before reading (or allocating) any body.
    const attackers = [];
    for (const length of [MAX_FRAME + 1, 0xffffffff]) {
      const attacker = await broker.station(`oversize-${length}`);
      await attacker.write(frameHeader(length), `header(${length}) alone, no payload bytes`);
      const closed = await broker.untilExcused(() => (attacker.closedByPeer || attacker.closed ? true : undefined), 3000);
      attackers.push({ attacker, length, closed: closed.value === true, wait: closed });
    }
    const rejectedWait = await broker.untilExcused(() => broker.events.find((e) => e.event === 'rejected' && e.atMs >= sentAt), 3000);
    const rejected = rejectedWait.value;
    await bystander.write(encodeFrame(payloadOf(17, ctx.random)), 'one 17-byte frame after the rejections');
    const stillWorksWait = await broker.untilExcused(
      () => ([...broker.framesFrom(bystander).values()].some((l) => l.some((f) => f.bytes === 17)) ? true : undefined),
      3000,
    );
    const stillWorks = stillWorksWait.value;
    const oversized = broker.events.filter((e) => e.event === 'frame' && (e.bytes ?? 0) > MAX_FRAME);
    const common = {
      sent: [...bystander.sent, ...attackers.flatMap((a) => a.attacker.sent)],
      observed: broker.linesSince(sentAt),
      logs: broker.logs(),
    };
    if (oversized.length > 0) return failed(`an oversized payload was delivered: ${oversized[0]?.line.slice(0, 160)}`, common);
    const open = attackers.filter((a) => !a.closed);
    const excusedOpen = open.find((a) => a.wait.excused);
    if (excusedOpen)
      return overrunVerdict(
        `the connection that sent only a header announcing ${excusedOpen.length} bytes was still open ${excusedOpen.wait.waitedMs} ms later`,
        excusedOpen.wait,
        common,
      );
    if (open.length > 0) {
      return failed(
        `the connection that sent only a header announcing ${open.map((a) => a.length).join(' / ')} bytes was still open ${Math.max(...open.map((o) => o.wait.waitedMs))} ms later: the length must be rejected on the header, before any body is read`,
        common,
      );
    }
    if (!rejected && rejectedWait.excused)
      return overrunVerdict('the oversize connections were closed but no rejected event was read', rejectedWait, common);
    if (!rejected) return failed('the oversize connections were closed but no reason was logged (no rejected event recognised)', common);
    if (!stillWorks && !broker.proc.exitInfo)
      return overrunVerdict(
        `after rejecting the oversize headers, a frame on another connection was not delivered within ${stillWorksWait.waitedMs} ms`,
        stillWorksWait,
        common,
      );
    if (!stillWorks)
      return failed('after rejecting the oversize headers, a frame on another connection was not delivered within 3 s', common);
    if (broker.proc.exitInfo) return failed('the broker exited after the oversize headers', common);
    return pass(
      `both oversize headers (${MAX_FRAME + 1} and 0xFFFFFFFF, no body) closed their connections, reason "${rejected.reason ?? rejected.line.slice(0, 80)}"; the other connection kept working`,
      { observed: [rejected.line] },
    );
  },
};
