import type { Random } from '../../harness/common/random.ts';
import { encodeFrame } from '../../harness/wire/frame.ts';
import { delay } from '../../harness/checks/wait.ts';
import type { BrokerUnderTest } from './broker-under-test.ts';
import type { Station } from './station.ts';
import { payloadOf } from './delivery.ts';

export interface PacedLoadOptions {
  connections: number;
  /** Frames per second over all connections. */
  rate: number;
  durationMs: number;
  frameBytes: number;
  random: Random;
}

export interface PacedLoadResult {
  stations: Station[];
  /** Frames written per station. */
  sentPerStation: number[];
  sent: number;
  achievedRate: number;
  /** False when the kit could not keep the schedule (≥ 98% of the target rate): then no verdict on the candidate. */
  valid: boolean;
}

/**
 * Open-loop constant-rate load: frame k of a connection is due at start + k / perConnectionRate, and every
 * wake-up writes all frames that are due, so a slow candidate cannot slow the schedule down.
 */
export async function pacedLoad(broker: BrokerUnderTest, options: PacedLoadOptions): Promise<PacedLoadResult> {
  const stations: Station[] = [];
  for (let i = 0; i < options.connections; i++) stations.push(await broker.station(`gs-${String(i + 1).padStart(2, '0')}`));
  // A few distinct payloads reused: the kit's own allocation rate must not be what limits the run.
  const frames = Array.from({ length: 16 }, () => encodeFrame(payloadOf(options.frameBytes, options.random)));
  const perConnection = options.rate / options.connections;
  const sentPerStation = new Array<number>(stations.length).fill(0);
  const start = performance.now();
  const end = start + options.durationMs;
  const dueTotal = (now: number, i: number): number => Math.floor(((Math.min(now, end) - start) / 1000) * perConnection + (i / stations.length));
  for (;;) {
    const now = performance.now();
    for (let i = 0; i < stations.length; i++) {
      const station = stations[i] as Station;
      const due = dueTotal(now, i);
      let sent = sentPerStation[i] as number;
      if (due <= sent || station.socket.destroyed) continue;
      const batch: Buffer[] = [];
      while (sent < due) batch.push(frames[sent++ % frames.length] as Buffer);
      station.socket.write(batch.length === 1 ? (batch[0] as Buffer) : Buffer.concat(batch));
      sentPerStation[i] = sent;
    }
    if (now >= end) break;
    await delay(2);
  }
  const elapsed = (performance.now() - start) / 1000;
  const sent = sentPerStation.reduce((a, b) => a + b, 0);
  const achievedRate = sent / Math.max(elapsed, options.durationMs / 1000);
  for (const [i, station] of stations.entries()) station.sent.push(`${station.label}: ${sentPerStation[i]} frames of ${options.frameBytes} bytes, paced`);
  return { stations, sentPerStation, sent, achievedRate, valid: achievedRate >= options.rate * 0.98 };
}
