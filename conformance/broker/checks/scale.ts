import { failed, pass, unknown, type CheckDefinition } from '../../../harness/checks/check.ts';
import { BrokerUnderTest } from '../broker-under-test.ts';
import { stationLoad } from '../paced-load.ts';
import { deliveryLatency, latencyMetrics, latencyNote, measureFloor, type DeliveryFloor } from '../delivery-latency.ts';
import { environmentLimits, environmentMetrics, startEnvironmentMonitor } from '../../../harness/load/environment.ts';

const CONNECTIONS = 48;
const RATE = 10_000;
const DURATION_MS = 3000;
/** The kit's floor run (null broker, same load): shorter than the check's run to keep grading affordable. */
const FLOOR_MS = 2000;

export const scale48: CheckDefinition = {
  id: 'broker.scale-48',
  system: 'broker',
  level: 'required',
  title: '48 stations at the seed rate',
  criterion: `${CONNECTIONS} concurrent stations at ${RATE.toLocaleString('en')} frames/s of 1 KiB in total for ${DURATION_MS / 1000} s: nothing is lost to fast handlers.`,
  heavy: true,
  timeoutMs: 60_000,
  async run(ctx) {
    const broker = await BrokerUnderTest.launch(ctx, { knobs: { handlers: 3 } });
    const env = startEnvironmentMonitor({ pid: broker.proc.pid as number });
    ctx.scope.defer(() => void env.stop());
    const load = await stationLoad(broker, {
      connections: CONNECTIONS,
      rate: RATE,
      durationMs: DURATION_MS,
      frameBytes: 1024,
      seed: ctx.seed,
    });
    const metrics: Record<string, number | string> = {
      framesSent: load.sent,
      achievedRate: Math.round(load.achievedRate),
      limitedBy: load.report.limitedBy,
    };
    // When the kit fell short of the rate, a PASS is not earned, but a station or handler left entirely
    // unserved is still the candidate's own failure (it is at any rate).
    const shortRate = load.valid
      ? undefined
      : `the kit sent ${Math.round(load.achievedRate)} frames/s, under 98% of the ${RATE} target: the machine fell short`;
    const want = broker.applied.handlers;
    const complete = (): true | undefined => {
      const handlers = [...broker.handlerIds];
      if (handlers.length === 0 || (want !== undefined && handlers.length < want)) return undefined;
      return load.stations.every((s, i) => handlers.every((h) => broker.framesAt(s, h).length >= (load.sentPerStation[i] as number)))
        ? true
        : undefined;
    };
    const ok = await broker.until(complete, 10_000);
    const environment = await env.stop();
    const limits = environmentLimits(environment);
    Object.assign(metrics, environmentMetrics(environment));
    // Latency is evidence, not the criterion: beside it, the kit's floor measured now on the same path.
    const latency = deliveryLatency(broker, load);
    let floor: DeliveryFloor | undefined;
    if (latency.count > 0) {
      await broker.proc.kill(); // its figures are in; the floor run gets the machine to itself
      floor = await measureFloor(ctx, {
        connections: CONNECTIONS,
        rate: RATE,
        durationMs: FLOOR_MS,
        frameBytes: 1024,
        seed: ctx.seed,
        handlers: want ?? 3,
      });
    }
    Object.assign(metrics, latencyMetrics(latency, load.report.sendLag, floor));
    const notes = [...limits, latencyNote(latency, load.report.sendLag, floor)];
    const handlers = [...broker.handlerIds].sort((a, b) => a - b);
    for (const h of handlers) metrics[`handler${h}Frames`] = broker.frameCounts().get(h) ?? 0;
    if (!ok) {
      // Judge against the handlers the kit configured (0..n-1), not only those that happened to log.
      const expected = want !== undefined ? Array.from({ length: want }, (_, h) => h) : handlers;
      const absent = expected.filter((h) => !broker.handlerIds.has(h));
      const short = load.stations
        .map((s, i) => ({
          s,
          missing: Math.max(0, ...expected.map((h) => (load.sentPerStation[i] as number) - broker.framesAt(s, h).length)),
        }))
        .filter((x) => x.missing > 0);
      const what = [
        short.length > 0
          ? `${short.length} of ${CONNECTIONS} stations lost frames on some handler 10 s after the run (e.g. ${short
              .slice(0, 4)
              .map((x) => `${x.s.label} missing ${x.missing}`)
              .join(', ')})`
          : '',
        absent.length > 0
          ? `handler${absent.length > 1 ? 's' : ''} ${absent.join(',')} of the ${expected.length} configured never reported a frame (seen: ${handlers.join(',') || 'none'})`
          : '',
      ].filter(Boolean);
      const summary = what.join('; ') || 'the deliveries were incomplete 10 s after the run';
      // A starved broker (no CPU, or blocked writing its log to the kit) falls behind on every station;
      // it does not leave a station or a handler entirely unserved: that is the candidate's own.
      const partial = absent.length === 0 && load.stations.every((s) => expected.every((h) => broker.framesAt(s, h).length > 0));
      if (partial && (limits.length > 0 || shortRate)) {
        return unknown(
          `${summary}; but ${[shortRate, ...limits.map((l) => `the environment limited the run: ${l}`)].filter(Boolean).join('; ')}`,
          { metrics, notes, logs: broker.logs() },
        );
      }
      return failed(summary, {
        notes,
        metrics,
        sent: [`${CONNECTIONS} connections × ${Math.round(RATE / CONNECTIONS)} frames/s × ${DURATION_MS / 1000} s of 1024-byte frames`],
        logs: broker.logs(),
      });
    }
    if (shortRate)
      return unknown(`${shortRate}; every frame sent reached every handler, but not at the seed rate: no verdict on the candidate`, {
        metrics,
        notes,
      });
    return pass(
      `${load.sent} frames from ${CONNECTIONS} stations reached all ${handlers.length} handlers at ${Math.round(load.achievedRate)} frames/s`,
      { metrics, notes },
    );
  },
};
