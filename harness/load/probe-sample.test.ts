import { describe, expect, it } from 'vitest';
import { LatencyRecorder } from './latency.ts';
import { createPayloadFactory } from './payload-factory.ts';
import { SampledProbeMatcher, defaultSampling, isSampled, sampledCount } from './probe-sample.ts';
import type { ProbeSampling } from './probe-sample.ts';
import { isSampledProbe, readProbe } from './probe.ts';
import { planSchedules, runPacedLoad, scheduledAtUs } from './schedule.ts';
import type { ConnectionSchedule } from './schedule.ts';
import { memorySink } from './sink.ts';

/** Every frame of a 1 s plan in global send order: what a candidate's handler sees. */
function framesInOrder(schedules: readonly ConnectionSchedule[]): { c: number; k: number; atUs: number }[] {
  const out: { c: number; k: number; atUs: number }[] = [];
  for (const s of schedules) for (let k = 0; k < s.frames; k++) out.push({ c: s.connection, k, atUs: scheduledAtUs(s, k) });
  return out.sort((a, b) => a.atUs - b.atUs);
}

/**
 * A simulated `logProbes` candidate: every sampled frame is reported `delayOf(frame)` µs after it was
 * scheduled (reports sorted by time, as a log would deliver them); returns the recorder and matcher.
 */
function simulate(rate: number, sampling: ProbeSampling, delayOf: (atUs: number, k: number) => number) {
  const schedules = planSchedules({ connections: 48, rate, originUs: 1_000_000.25, durationMs: 1_000 });
  const recorder = new LatencyRecorder({ series: false });
  const matcher = new SampledProbeMatcher<number>(recorder, sampling);
  for (const s of schedules) matcher.expect(40_000 + s.connection, s);
  const reports = framesInOrder(schedules)
    .filter((f) => isSampled(sampling, (schedules[f.c] as ConnectionSchedule).station, f.k))
    .map((f) => ({ ...f, delay: delayOf(f.atUs, f.k), reportedUs: f.atUs + delayOf(f.atUs, f.k) }))
    .sort((a, b) => a.reportedUs - b.reportedUs);
  const recorded = reports.map((r) => ({ injected: r.delay, got: matcher.observe(40_000 + r.c, r.reportedUs) }));
  return { schedules, recorder, matcher, recorded, sampled: reports.length };
}

describe('sampled probe frames', () => {
  it('selects a seeded, reproducible fraction of frames', () => {
    const a: ProbeSampling = { seed: 42, fraction: 0.01 };
    let n = 0;
    for (let station = 0; station < 48; station++) for (let k = 0; k < 10_000; k++) if (isSampled(a, station, k)) n++;
    expect(n / 480_000).toBeGreaterThan(0.009);
    expect(n / 480_000).toBeLessThan(0.011);
    const picks = (seed: number): number[] =>
      Array.from({ length: 20_000 }, (_, k) => k).filter((k) => isSampled({ seed, fraction: 0.01 }, 3, k));
    expect(picks(42)).toEqual(picks(42));
    expect(picks(43)).not.toEqual(picks(42));
    expect(isSampled({ seed: 1, fraction: 1 }, 0, 0)).toBe(true);
    expect(defaultSampling(1, 200_000).fraction).toBeCloseTo(0.01, 9);
    expect(defaultSampling(1, 500).fraction).toBe(1);
  });

  for (const rate of [10_000, 200_000]) {
    it(`reports an injected constant delay exactly at ${rate.toLocaleString('en')} frames/s`, () => {
      const sampling = defaultSampling(9, rate);
      const { recorder, matcher, recorded, sampled, schedules } = simulate(rate, sampling, () => 1_234);
      const summary = recorder.summary();
      expect(sampled).toBeGreaterThan(1_500);
      expect(summary.count).toBe(sampled);
      expect(sampled).toBe(schedules.reduce((sum, s) => sum + sampledCount(sampling, s), 0));
      expect([summary.minUs, summary.p50Us, summary.p99Us, summary.p999Us, summary.maxUs]).toEqual([1_234, 1_234, 1_234, 1_234, 1_234]);
      expect(matcher.stats()).toEqual({ matched: sampled, surplus: 0, unknown: 0 });
      expect(recorded.every((r) => r.got === 1_234)).toBe(true);
    });

    it(`attributes a varying delay to the very frame it was injected into at ${rate.toLocaleString('en')} frames/s`, () => {
      // 100 µs everywhere (+3 µs on odd sequence numbers), but a 10 ms stall: frames scheduled in it are all
      // reported when it ends (each connection stays in order, as a handler sees it); reports then
      // overtake each other across connections, and each must still match its own frame.
      const delayOf = (atUs: number, k: number): number =>
        atUs > 1_500_000 && atUs < 1_510_000 ? Math.round(1_510_100 - atUs) : 100 + (k % 2) * 3;
      const { recorded, recorder } = simulate(rate, defaultSampling(5, rate), delayOf);
      expect(recorded.every((r) => r.got === r.injected)).toBe(true);
      expect(recorder.summary().maxUs).toBe(Math.max(...recorded.map((r) => r.injected)));
      expect(recorder.summary().maxUs).toBeGreaterThan(7_000);
      expect(recorder.summary().p50Us).toBeLessThanOrEqual(103);
    });
  }

  it('counts reports beyond the sampled frames as surplus and foreign keys as unknown', () => {
    const [schedule] = planSchedules({ connections: 1, rate: 1_000, originUs: 0, framesPerConnection: 100 });
    const sampling = { seed: 3, fraction: 0.1 };
    const matcher = new SampledProbeMatcher<number>(new LatencyRecorder({ series: false }), sampling);
    matcher.expect(1, schedule as ConnectionSchedule);
    const n = sampledCount(sampling, schedule as ConnectionSchedule);
    for (let i = 0; i < n + 2; i++) matcher.observe(1, 1e9);
    matcher.observe(2, 1e9);
    expect(matcher.stats()).toEqual({ matched: n, surplus: 2, unknown: 1 });
  });

  it('the pacer stamps the sampled magic on exactly the sampled frames', async () => {
    const sampling = { seed: 11, fraction: 0.05 };
    const sinks = Array.from({ length: 3 }, () => memorySink());
    const payloads = createPayloadFactory({ kind: 'cbor', seed: 7, sizes: { kind: 'fixed', size: 256 }, poolSize: 16 });
    const report = await runPacedLoad({ sinks, rate: 20_000, framesPerConnection: 400, payloads, sampling });
    report.schedules.forEach((schedule, i) => {
      const frames = sinks[i]?.frames ?? [];
      expect(frames.length).toBe(400);
      frames.forEach(({ payload }, k) => {
        expect(isSampledProbe(payload)).toBe(isSampled(sampling, schedule.station, k));
        expect(readProbe(payload)?.seq).toBe(k);
      });
    });
  });
});
