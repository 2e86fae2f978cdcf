import type { Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { nowUs } from './clock.ts';
import { waitUntil } from '../common/wait.ts';
import { FrameDecoder } from '../wire/frame.ts';
import { LatencyRecorder, mergeRecorders } from './latency.ts';
import { OrderMatcher, ProbeMatcher } from './latency-match.ts';
import { createPayloadFactory } from './payload-factory.ts';
import { startPacedLoad } from './schedule.ts';
import type { ConnectionSchedule } from './schedule.ts';
import { memorySink, socketSink } from './sink.ts';
import { closeClients, connectClients, startFrameServer } from './test-support.ts';

const ms = 1_000;
const payloads = () => createPayloadFactory({ kind: 'cbor', seed: 3, sizes: { kind: 'fixed', size: 300 }, poolSize: 16 });

describe('latency recorder', () => {
  it('reports known latencies as themselves', () => {
    const recorder = new LatencyRecorder({ seriesOriginUs: 10_000_000 });
    // 1,000 frames, one per ms from the origin, each observed k+1 ms late: latencies 1..1000 ms.
    for (let k = 0; k < 1_000; k++) recorder.record(10_000_000 + k * ms, 10_000_000 + k * ms + (k + 1) * ms);
    const s = recorder.summary();
    expect(s.count).toBe(1_000);
    expect(s.minUs).toBe(1 * ms);
    expect(s.p50Us / (500 * ms)).toBeCloseTo(1, 2);
    expect(s.p90Us / (900 * ms)).toBeCloseTo(1, 2);
    expect(s.p99Us / (990 * ms)).toBeCloseTo(1, 2);
    expect(s.p999Us / (999 * ms)).toBeCloseTo(1, 2);
    expect(s.maxUs / (1_000 * ms)).toBeCloseTo(1, 2);
    expect(s.meanUs / (500.5 * ms)).toBeCloseTo(1, 2);
  });

  it('keeps a per-second series by scheduled time', () => {
    const recorder = new LatencyRecorder({ seriesOriginUs: 5_000_000 });
    for (let second = 0; second < 3; second++) {
      for (let i = 0; i < 100; i++)
        recorder.record(5_000_000 + second * 1e6 + i * 10 * ms, 5_000_000 + second * 1e6 + i * 10 * ms + (second + 1) * 7 * ms);
    }
    const series = recorder.series();
    expect(series.map((p) => [p.index, p.count])).toEqual([
      [0, 100],
      [1, 100],
      [2, 100],
    ]);
    series.forEach((p, i) => expect(p.p50Us / ((i + 1) * 7 * ms)).toBeCloseTo(1, 1));
    expect(series[2]?.offsetUs).toBe(2_000_000);
  });

  it('merges recorders into the union', () => {
    const all = new LatencyRecorder();
    const parts = [new LatencyRecorder(), new LatencyRecorder(), new LatencyRecorder()];
    for (let i = 0; i < 3_000; i++) {
      const latency = (i * 7919) % 50_000;
      all.record(i * 100, i * 100 + latency);
      parts[i % 3]?.record(i * 100, i * 100 + latency);
    }
    const merged = mergeRecorders(parts);
    expect(merged.summary()).toEqual(all.summary());
    expect(merged.series()).toEqual(all.series());
    expect(() => parts[0]?.add(new LatencyRecorder({ seriesBucketUs: 10 }))).toThrow(
      expect.objectContaining({ code: 'LATENCY_INCOMPATIBLE' }),
    );
  });

  it('clamps and counts impossible or out-of-range values', () => {
    const recorder = new LatencyRecorder({ highestTrackableUs: 1_000_000 });
    recorder.record(100, 50);
    recorder.record(0, 5_000_000);
    const s = recorder.summary();
    expect(s.negative).toBe(1);
    expect(s.saturated).toBe(1);
    expect(s.minUs).toBe(0);
    expect(s.maxUs / 1_000_000).toBeCloseTo(1, 2);
  });
});

describe('matching', () => {
  it('by order: the k-th observation of a connection is its k-th scheduled frame', () => {
    const recorder = new LatencyRecorder();
    const matcher = new OrderMatcher<string>(recorder);
    const schedule: ConnectionSchedule = { connection: 0, station: 0, startUs: 1_000, intervalUs: 1_000, frames: 10 };
    matcher.expect('127.0.0.1:4000', schedule);
    for (let k = 0; k < 4; k++) matcher.observe('127.0.0.1:4000', 1_000 + k * 1_000 + 300); // 0.3 ms each
    expect(matcher.observeTotal('127.0.0.1:4000', 10, 12_000)).toBe(6); // frames 4..9 at once
    expect(matcher.observe('127.0.0.1:4000', 13_000)).toBe(0);
    matcher.observe('elsewhere', 1);
    expect(matcher.stats()).toEqual({ matched: 10, surplus: 1, unknown: 1 });
    const s = recorder.summary();
    expect(s.count).toBe(10);
    expect(s.minUs).toBe(300);
    expect(s.maxUs).toBe(12_000 - 5_000); // frame 4 was due at 5 ms, seen at 12 ms
  });

  it('by order, a running total that jumps by thousands is recorded in strata with the same arithmetic', () => {
    const exact = new LatencyRecorder();
    const strata = new LatencyRecorder();
    const schedule: ConnectionSchedule = { connection: -1, station: -1, startUs: 0, intervalUs: 100, frames: 20_000 };
    const byTotal = new OrderMatcher<number>(strata);
    byTotal.expect(0, schedule);
    // A stats event: 10,000 frames handled by t = 1.5 s (frames scheduled 0 … 0.9999 s).
    expect(byTotal.observeTotal(0, 10_000, 1_500_000)).toBe(10_000);
    for (let k = 0; k < 10_000; k++) exact.record(k * 100, 1_500_000);
    const a = exact.summary();
    const b = strata.summary();
    expect(b.count).toBe(10_000);
    const span = 10_000 * 100;
    for (const key of ['p50Us', 'p90Us', 'p99Us', 'meanUs'] as const)
      expect(Math.abs(a[key] - b[key])).toBeLessThanOrEqual(span / 128 + a[key] * 0.001);
    expect(b.maxUs).toBeLessThanOrEqual(a.maxUs);
    expect(byTotal.seen(0)).toBe(10_000);
  });

  it('by probe: payloads carry their scheduled time', () => {
    const recorder = new LatencyRecorder();
    const matcher = new ProbeMatcher(recorder);
    expect(matcher.observe(new Uint8Array(10), 5)).toBeUndefined();
    expect(matcher.unmatched).toBe(1);
  });
});

describe('end to end', () => {
  const cleanups: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0)) await cleanup();
  });

  it('reports a relay that holds each frame 50 ms as 50 ms, and the one-way latency by order', async () => {
    const server = await startFrameServer({ echoDelayMs: 50 });
    const sockets: Socket[] = await connectClients(server.port, 2);
    cleanups.push(
      () => closeClients(sockets),
      () => server.close(),
    );
    const echo = new LatencyRecorder();
    const probes = new ProbeMatcher(echo);
    for (const socket of sockets) {
      const decoder = new FrameDecoder();
      socket.on('data', (chunk: Buffer) => {
        const at = nowUs();
        for (const payload of decoder.push(chunk)) probes.observe(payload, at);
      });
    }
    const load = startPacedLoad({ sinks: sockets.map(socketSink), rate: 400, durationMs: 600, payloads: payloads() });
    const report = await load.done;
    expect(report.valid).toBe(true);
    await waitUntil(() => probes.matched === report.framesSent, { timeoutMs: 5_000, what: 'all echoes back' });
    const s = echo.summary();
    expect(s.p50Us).toBeGreaterThanOrEqual(50 * ms);
    expect(s.p50Us).toBeLessThan(58 * ms);
    expect(s.minUs).toBeGreaterThanOrEqual(49 * ms);

    // The same frames matched by order on the server side, keyed by the client's port as a broker logs it.
    const oneWay = new LatencyRecorder();
    const byPort = new OrderMatcher<number>(oneWay);
    sockets.forEach((socket, i) => byPort.expect(socket.localPort ?? -1, report.schedules[i] as ConnectionSchedule));
    for (const { remotePort, frames } of server.connections) for (const f of frames) byPort.observe(remotePort, f.receivedUs);
    expect(byPort.stats()).toEqual({ matched: report.framesSent, surplus: 0, unknown: 0 });
    expect(oneWay.summary().p50Us).toBeLessThan(10 * ms);
  });

  it('does not hide a stall: frames due during an X ms stall show latencies up to ≈X', async () => {
    const recorder = new LatencyRecorder();
    const matcher = new ProbeMatcher(recorder);
    const latencies: number[] = [];
    const sink = memorySink({
      capture: false,
      onFrame: (f) => {
        const probe = matcher.observe(f.payload, f.deliveredUs);
        if (probe !== undefined) latencies.push(f.deliveredUs - probe.scheduledUs);
      },
    });
    const load = startPacedLoad({ sinks: [sink], rate: 1_000, durationMs: 700, payloads: payloads() });
    await waitUntil(() => load.sent(0) >= 200, { what: 'pacer started' });
    sink.stall(200); // X = 200 ms
    const report = await load.done;
    expect(matcher.matched).toBe(700);
    const s = recorder.summary();
    expect(s.maxUs).toBeGreaterThan(185 * ms);
    expect(s.maxUs).toBeLessThan(260 * ms);
    // Frames scheduled in the first half of the stall waited > 100 ms: ≈ 100 of them at 1 frame/ms.
    const overHundred = latencies.filter((l) => l > 100 * ms).length;
    expect(overHundred).toBeGreaterThan(80);
    expect(overHundred).toBeLessThan(140);
    expect(s.p50Us).toBeLessThan(20 * ms); // the rest of the run is unaffected
    expect(report.sendLag.maxUs).toBeGreaterThan(185 * ms); // the sender's own view agrees
  });
});
