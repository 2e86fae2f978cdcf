import { failed, pass, unknown, type CheckDefinition } from '../../../harness/checks/check.ts';
import { describeExit } from '../../../harness/process/supervisor.ts';
import { encodeFrames } from '../../../harness/wire/frame.ts';
import { BrokerUnderTest } from '../broker-under-test.ts';
import { distinctSizes, payloadOf } from '../delivery.ts';
import { EXIT_BOUND_MS } from './shutdown.ts';
import { lagMissed } from './lag.ts';

/** Handler 0's per-frame sleep: long enough that frames are certainly still queued to it at the signal. */
const SLOW_MS = 100;
/** Frames sent, fewer than the capacity: nothing should be lost at all, only queued. */
const FRAMES = 12;
const CAPACITY = 16;

/**
 * Frames already queued to a slow handler when the signal arrives must reach it (or be reported as lag)
 * before the process exits. Deterministic: the kit signals while the slow handler can have processed at
 * most ⌈elapsed / SLOW_MS⌉ + 1 of them, and says UNKNOWN when it could not signal early enough.
 */
export const drainQueues: CheckDefinition = {
  id: 'broker.drain-queues',
  system: 'broker',
  level: 'required',
  title: 'Shutdown drains the handler queues',
  criterion: `With handler 0 sleeping ${SLOW_MS} ms per frame, ${FRAMES} frames (capacity ${CAPACITY}) are sent and SIGINT follows as soon as the fast handlers have them: before it exits (within ${EXIT_BOUND_MS / 1000} s), the broker delivers every frame still queued to handler 0 or reports it as lag, so received + reported missed = ${FRAMES} exactly.`,
  needsKnobs: ['slowHandlerMs'],
  timeoutMs: 45_000,
  async run(ctx) {
    const broker = await BrokerUnderTest.launch(ctx, { knobs: { handlers: 3, slowHandlerMs: SLOW_MS, capacity: CAPACITY } });
    const station = await broker.station('queued');
    const sizes = distinctSizes(FRAMES, 100, 400, ctx.random);
    const writtenAt = broker.now();
    await station.write(
      encodeFrames(sizes.map((n) => payloadOf(n, ctx.random))),
      `${FRAMES} frames of distinct sizes ${sizes.join(',')} in one write`,
    );
    const fast = await broker.until(() => {
      const byHandler = broker.framesFrom(station);
      const others = [...byHandler.keys()].filter((h) => h !== 0);
      return others.length > 0 && others.every((h) => (byHandler.get(h)?.length ?? 0) >= FRAMES) ? others : undefined;
    }, 5000);
    const common = { sent: station.sent, logs: broker.logs(), metrics: { framesSent: FRAMES, slowHandlerMs: SLOW_MS } };
    if (!fast) {
      const seen = [...broker.framesFrom(station)].map(([h, l]) => `handler ${h}: ${l.length}`).join(', ');
      return failed(
        `before any signal, the ${FRAMES} frames did not reach the fast handlers within 5 s (${seen || 'no frames'}): no handler other than 0 received them all`,
        { ...common, observed: broker.linesSince(writtenAt) },
      );
    }
    const signalAt = broker.proc.signal('SIGINT') - broker.proc.startedAt;
    const elapsed = signalAt - writtenAt;
    const atMostProcessed = Math.floor(elapsed / SLOW_MS) + 1;
    const exit = await broker.proc.waitExit(EXIT_BOUND_MS + 500);
    const account = (): { received: number; missed: number } => ({
      received: broker.framesAt(station, 0).length,
      missed: lagMissed(broker, 0, writtenAt),
    });
    // The log's tail may still be in the pipe when the exit is seen: give the intake a moment.
    await broker.until(() => {
      const a = account();
      return a.received + a.missed >= FRAMES ? true : undefined;
    }, 1000);
    const { received, missed } = account();
    const evidence = {
      ...common,
      observed: broker.linesSince(signalAt),
      logs: broker.logs(),
      notes: [
        `SIGINT ${Math.round(elapsed)} ms after the write: handler 0 could have processed at most ${atMostProcessed} frames by then`,
        exit
          ? `exited ${Math.round(exit.atMs - signalAt)} ms after SIGINT (${describeExit(exit)})`
          : `still running ${EXIT_BOUND_MS} ms after SIGINT`,
      ],
      metrics: { ...common.metrics, slowReceived: received, slowMissedReported: missed },
    };
    if (!broker.handlerIds.has(0))
      return failed(
        `no frame was reported by handler 0, the handler the kit configured as slow (handlers seen: ${[...broker.handlerIds].join(',')})`,
        evidence,
      );
    if (!exit)
      return failed(
        `still running ${EXIT_BOUND_MS} ms after SIGINT with ${FRAMES - received} frames queued to the slow handler (killed by the kit)`,
        evidence,
      );
    const accounted = received + missed;
    if (accounted < FRAMES)
      return failed(
        `the process exited with frames queued to the slow handler lost unreported: handler 0 received ${received} and reported ${missed} missed of ${FRAMES} sent`,
        evidence,
      );
    if (accounted > FRAMES)
      return failed(
        `handler 0 received ${received} and reported ${missed} missed: ${accounted} frames accounted for, ${FRAMES} were sent`,
        evidence,
      );
    if (atMostProcessed >= FRAMES)
      return unknown(
        `the kit signalled ${Math.round(elapsed)} ms after the write, late enough for handler 0 to have finished: the drain of a non-empty queue was not exercised`,
        evidence,
      );
    return pass(
      `handler 0 had at least ${FRAMES - atMostProcessed} frames queued at SIGINT; before exit it received ${received} and reported ${missed} missed (= ${FRAMES})`,
      evidence,
    );
  },
};
