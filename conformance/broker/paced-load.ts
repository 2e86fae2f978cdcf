import { createPayloadFactory, runPacedLoad, socketSink, type PayloadKind, type PacedLoadReport } from '../../harness/load/index.ts';
import type { BrokerUnderTest } from './broker-under-test.ts';
import type { Station } from './station.ts';

export interface StationLoadOptions {
  connections: number;
  /** Frames per second over all connections. */
  rate: number;
  durationMs: number;
  frameBytes: number;
  seed: number;
  payload?: PayloadKind;
}

export interface StationLoadResult {
  stations: Station[];
  /** Frames written per station. */
  sentPerStation: number[];
  sent: number;
  achievedRate: number;
  /**
   * False when the kit could not keep the schedule (< 98% of the target rate) for reasons of its own:
   * then there is no verdict on the candidate. A candidate that stops reading (backpressure) is judged.
   */
  valid: boolean;
  report: PacedLoadReport;
}

/** Opens `connections` stations and drives them open-loop at a constant total rate (harness/load). */
export async function stationLoad(broker: BrokerUnderTest, options: StationLoadOptions): Promise<StationLoadResult> {
  const stations: Station[] = [];
  for (let i = 0; i < options.connections; i++) stations.push(await broker.station(`gs-${String(i + 1).padStart(2, '0')}`));
  const report = await runPacedLoad({
    sinks: stations.map((s) => socketSink(s.socket)),
    rate: options.rate,
    durationMs: options.durationMs,
    payloads: createPayloadFactory({
      kind: options.payload ?? 'random',
      seed: options.seed,
      sizes: { kind: 'fixed', size: options.frameBytes },
      poolSize: 64,
    }),
  });
  const sentPerStation = report.connections.map((c) => c.framesSent);
  for (const [i, station] of stations.entries())
    station.sent.push(`${station.label}: ${sentPerStation[i]} frames of ${options.frameBytes} bytes, paced`);
  return {
    stations,
    sentPerStation,
    sent: report.framesSent,
    achievedRate: report.achievedRate,
    valid: report.valid || report.limitedBy === 'backpressure',
    report,
  };
}
