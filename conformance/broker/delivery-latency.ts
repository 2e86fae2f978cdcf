import { loadCandidate } from '../../harness/candidate/candidate.ts';
import type { CheckContext } from '../../harness/checks/check.ts';
import { LatencyRecorder, scheduledAtUs, type LatencySummary } from '../../harness/load/index.ts';
import { NULL_BROKER_MANIFEST } from '../../harness/load/stress/stress.ts';
import { BrokerUnderTest } from './broker-under-test.ts';
import { stationLoad, type StationLoadOptions, type StationLoadResult } from './paced-load.ts';

/**
 * Delivery latency of a paced station load as the kit measures it: the time the kit read a handler's
 * `frame` line minus the frame's scheduled send time (the k-th frame a handler reports from a station is
 * the k-th scheduled on it: TCP and the broker keep a station's order). Every handler's frames count.
 * The figure includes the kit's own share (pacer, sockets, the log pipe, parsing): see {@link measureFloor}.
 */
export function deliveryLatency(broker: BrokerUnderTest, load: StationLoadResult): LatencySummary {
  const recorder = new LatencyRecorder({ series: false });
  for (const [i, station] of load.stations.entries()) {
    const schedule = load.report.schedules[i];
    if (schedule === undefined) continue;
    for (const seen of broker.framesFrom(station).values()) {
      const n = Math.min(seen.length, schedule.frames);
      for (let k = 0; k < n; k++) recorder.record(scheduledAtUs(schedule, k), ((seen[k]?.atMs ?? 0) + broker.proc.startedAt) * 1000);
    }
  }
  return recorder.summary();
}

/** The kit's floor under a latency figure, measured in the same check on the same path. */
export interface DeliveryFloor {
  /** The null broker's delivery latency under the same load. */
  latency: LatencySummary;
  /** The kit's own send lag during the floor run. */
  sendLag: LatencySummary;
  /** Whether the floor run kept ≥ 98% of the target rate (else the machine was too busy for a floor). */
  valid: boolean;
  durationMs: number;
  /** Frames the null broker reported for every handler / frames sent. */
  complete: boolean;
}

/**
 * Runs the same station load (same connections, rate, frame size, handlers and seed; `durationMs` may be
 * shorter) on the kit's null broker (`harness/load/null-broker/`: reads frames and logs them in the
 * reference's JSON format through the same pipe, nothing else), through the same code path as the check
 * ({@link BrokerUnderTest}, {@link stationLoad}, {@link deliveryLatency}). Its p99 is the floor: a
 * candidate's figure can never be better, and the ratio says how much of it is the candidate's.
 */
export async function measureFloor(ctx: CheckContext, options: StationLoadOptions & { handlers: number }): Promise<DeliveryFloor> {
  const candidate = await loadCandidate(NULL_BROKER_MANIFEST);
  const floor = await BrokerUnderTest.launch({ ...ctx, candidate }, { knobs: { handlers: options.handlers }, label: 'kit floor' });
  const load = await stationLoad(floor, options);
  const complete = await floor.until(
    () =>
      load.stations.every((s, i) =>
        [...Array(options.handlers).keys()].every((h) => floor.framesAt(s, h).length >= (load.sentPerStation[i] as number)),
      )
        ? true
        : undefined,
    5000,
  );
  const latency = deliveryLatency(floor, load);
  await floor.proc.kill();
  return { latency, sendLag: load.report.sendLag, valid: load.valid, durationMs: options.durationMs, complete: complete === true };
}

const ms = (us: number): number => Math.round(us / 10) / 100;

/** Metrics for a report: the candidate's latency and send lag beside the floor's, with the p99 ratio. */
export function latencyMetrics(latency: LatencySummary, sendLag: LatencySummary, floor: DeliveryFloor | undefined): Record<string, number> {
  const out: Record<string, number> = {
    deliveryLatencyP50Ms: ms(latency.p50Us),
    deliveryLatencyP99Ms: ms(latency.p99Us),
    deliveryLatencyMaxMs: ms(latency.maxUs),
    kitSendLagP99Ms: ms(sendLag.p99Us),
    kitSendLagMaxMs: ms(sendLag.maxUs),
  };
  if (floor !== undefined) {
    out.floorLatencyP50Ms = ms(floor.latency.p50Us);
    out.floorLatencyP99Ms = ms(floor.latency.p99Us);
    out.floorSendLagP99Ms = ms(floor.sendLag.p99Us);
    if (floor.latency.p99Us > 0) out.p99RatioToFloor = Math.round((latency.p99Us / floor.latency.p99Us) * 100) / 100;
  }
  return out;
}

/** One line for the evidence's notes. */
export function latencyNote(latency: LatencySummary, sendLag: LatencySummary, floor: DeliveryFloor | undefined): string {
  const own = `delivery latency (kit read the frame line − scheduled send) p50 ${ms(latency.p50Us)} ms, p99 ${ms(latency.p99Us)} ms over ${latency.count} frame lines; the kit's own send lag p99 ${ms(sendLag.p99Us)} ms`;
  if (floor === undefined) return `${own}; no floor run (nothing delivered to measure)`;
  const ratio = floor.latency.p99Us > 0 ? `, ratio ${(latency.p99Us / floor.latency.p99Us).toFixed(2)}×` : '';
  const caveat = [
    !floor.valid ? 'the floor run fell short of the target rate: the machine was too busy for a floor' : '',
    !floor.complete ? 'the null broker did not report every frame' : '',
  ]
    .filter(Boolean)
    .join('; ');
  return `${own}; the kit's floor (null broker, same load for ${floor.durationMs / 1000} s, same path): p50 ${ms(floor.latency.p50Us)} ms, p99 ${ms(floor.latency.p99Us)} ms${ratio}, its send lag p99 ${ms(floor.sendLag.p99Us)} ms${caveat ? ` (${caveat})` : ''}`;
}
