import { failed, pass, type CheckDefinition } from '../../../harness/checks/check.ts';
import { encodeFrame } from '../../../harness/wire/frame.ts';
import { BrokerUnderTest } from '../broker-under-test.ts';
import { overrunVerdict } from '../excused.ts';
import { compareDelivery, describeFrame, distinctSizes, payloadOf, type SentFrame } from '../delivery.ts';
import type { Station } from '../station.ts';

const STATIONS = 3;
const FRAMES_PER_STATION = 8;

export const fanout: CheckDefinition = {
  id: 'broker.2-fanout',
  system: 'broker',
  level: 'required',
  title: 'Every frame reaches every handler',
  criterion: 'Frames of distinct sizes from 3 stations reach every handler exactly once, with exact byte counts, in per-station order.',
  timeoutMs: 40_000,
  async run(ctx) {
    const broker = await BrokerUnderTest.launch(ctx, { knobs: { handlers: 3 } });
    const sizes = distinctSizes(STATIONS * FRAMES_PER_STATION, 1, 4000, ctx.random);
    const plan: Array<{ station: Station; sent: SentFrame[] }> = [];
    for (let s = 0; s < STATIONS; s++) {
      const station = await broker.station(`S${s + 1}`);
      plan.push({ station, sent: [] });
    }
    // Interleave the stations' writes so handlers see them mixed, as on a busy pass.
    for (let i = 0; i < FRAMES_PER_STATION; i++) {
      for (let s = 0; s < STATIONS; s++) {
        const entry = plan[s] as (typeof plan)[number];
        const payload = payloadOf(sizes[s * FRAMES_PER_STATION + i] as number, ctx.random);
        entry.sent.push(describeFrame(payload));
        await entry.station.write(encodeFrame(payload), `frame ${i + 1}: ${payload.length} bytes`);
      }
    }
    const expectedCount = broker.applied.handlers;
    const complete = (): true | undefined => {
      const handlers = broker.expectedHandlers();
      if (handlers.length === 0 || (expectedCount !== undefined && handlers.length < expectedCount)) return undefined;
      return plan.every(({ station, sent }) => handlers.every((h) => broker.framesAt(station, h).length >= sent.length)) ? true : undefined;
    };
    const wait = await broker.untilExcused(complete, 6000);
    const handlers = broker.expectedHandlers();
    const sentLines = plan.map(
      ({ station, sent }) => `${station.label} (port ${station.localPort}): sizes ${sent.map((f) => f.bytes).join(',')}`,
    );
    const common = { sent: sentLines, logs: broker.logs() };
    if (handlers.length === 0) return overrunVerdict(`no handler reported any frame within ${wait.waitedMs} ms`, wait, common);
    if (expectedCount !== undefined && handlers.length < expectedCount && !wait.value) {
      return overrunVerdict(
        `asked for ${expectedCount} handlers, frames were reported by ${handlers.length} (ids ${handlers.join(',')}) within ${wait.waitedMs} ms`,
        wait,
        { ...common, observed: broker.linesSince(0) },
      );
    }
    if (expectedCount !== undefined && handlers.length !== expectedCount) {
      return failed(`asked for ${expectedCount} handlers, frames were reported by ${handlers.length} (ids ${handlers.join(',')})`, {
        ...common,
        observed: broker.linesSince(0),
      });
    }
    for (const { station, sent } of plan) {
      for (const handler of handlers) {
        const diff = compareDelivery(sent, broker.framesAt(station, handler));
        // A pure shortfall (every frame seen so far right, the rest not yet) the environment explains is not the candidate's.
        if (!diff.ok && !wait.value && diff.problem?.includes('frames missing') === true)
          return overrunVerdict(`handler ${handler}, station ${station.label}: ${diff.problem}`, wait, {
            ...common,
            observed: broker.linesSince(0),
          });
        if (!diff.ok)
          return failed(`handler ${handler}, station ${station.label}: ${diff.problem}`, { ...common, observed: broker.linesSince(0) });
      }
    }
    return pass(
      `${STATIONS * FRAMES_PER_STATION} frames × ${handlers.length} handlers (ids ${handlers.join(',')}) delivered exactly, in order`,
    );
  },
};
