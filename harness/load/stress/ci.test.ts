import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { afterAll, describe, expect, it } from 'vitest';
import { loadCandidate } from '../../candidate/candidate.ts';
import { killAll, liveCount } from '../../process/supervisor.ts';
import { combineRounds, renderComparison, roundOrder, runComparison } from './compare.ts';
import { parseFraction, parseLatencyLimit, parseStressExtras } from './options.ts';
import { parseTarget } from './remote-target.ts';
import { NULL_BROKER_MANIFEST, runStress, runTargetStress } from './stress.ts';
import type { StressResult } from './stress.ts';
import { checkThresholds } from './thresholds.ts';

const spec = { connections: 4, rate: 2_000, sizes: { kind: 'fixed', size: 256 }, payload: 'cbor', seed: 7 } as const;

afterAll(async () => {
  await killAll();
});

describe('stress for CI', () => {
  it('parses targets, latency limits and fractions, naming the bad flag', () => {
    expect(parseTarget('127.0.0.1:7777')).toEqual({ host: '127.0.0.1', port: 7777 });
    expect(parseTarget('[::1]:80')).toEqual({ host: '::1', port: 80 });
    expect(() => parseTarget('localhost')).toThrow(expect.objectContaining({ code: 'BAD_ARGUMENT' }));
    expect(() => parseTarget('h:70000')).toThrow(expect.objectContaining({ code: 'BAD_ARGUMENT' }));
    expect([parseLatencyLimit('5ms'), parseLatencyLimit('500us'), parseLatencyLimit('2s'), parseLatencyLimit('1.5')]).toEqual([
      5_000, 500, 2_000_000, 1_500,
    ]);
    expect(() => parseLatencyLimit('0ms')).toThrow(expect.objectContaining({ code: 'BAD_ARGUMENT' }));
    expect(parseFraction('99.9%')).toBeCloseTo(0.999, 12);
    expect([parseFraction('0.5'), parseFraction('1')]).toEqual([0.5, 1]);
    expect(() => parseFraction('101%')).toThrow(expect.objectContaining({ code: 'BAD_ARGUMENT' }));
    expect(parseStressExtras({ floor: '0', 'max-p99': '3ms' })).toMatchObject({ floorMs: 0, thresholds: { maxP99Us: 3_000 }, rounds: 2 });
  });

  it('--target: a running service that logs nothing gets acceptance latency, thresholds met / not measurable', async () => {
    const server = net.createServer((s) => s.on('data', () => undefined).on('error', () => undefined));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    try {
      const port = (server.address() as AddressInfo).port;
      const r = await runTargetStress({ ...spec, target: `127.0.0.1:${port}`, durationMs: 500, floorMs: 0 });
      expect(r.load.latencySource).toBe('acceptance');
      expect(r.load.sent).toBe(1_000);
      expect(r.load.latency.count).toBe(1_000);
      const outcomes = checkThresholds(r, { maxP99Us: 60_000_000, minDelivered: 0.99 });
      expect(outcomes.map((o) => o.verdict)).toEqual(['met', 'not measurable']);
      expect(checkThresholds(r, { maxP99Us: 1 })[0]?.verdict).toBe(r.load.latency.p99Us <= 1 ? 'met' : 'missed');
    } finally {
      server.close();
    }
    await expect(runTargetStress({ ...spec, target: '127.0.0.1:1', durationMs: 100, floorMs: 0 })).rejects.toMatchObject({
      code: 'STRESS_CONNECT',
    });
  });

  it('the null broker as a candidate, with its floor: exact counts, probes mode at a high rate, floor and ratio reported', async () => {
    const nullBroker = await loadCandidate(NULL_BROKER_MANIFEST);
    const r = await runStress({ ...spec, candidate: nullBroker, durationMs: 1_000, handlers: 2, events: 'probes', floorMs: 1_000 });
    expect(r.events.mode).toBe('probes');
    expect(r.load.latencySource).toBe('probes');
    expect(r.load.latencyMethod).toContain('sampled probe frames');
    for (const h of r.load.handlers) expect(h.seen).toBe(r.load.sent);
    expect(r.load.latency.count).toBeGreaterThan(0);
    expect(r.load.matching.surplus).toBe(0);
    expect(r.floor?.events).toBe('probes');
    expect(r.floor?.latency.count).toBeGreaterThan(0);
    expect(r.floor?.p99Ratio).toBeGreaterThan(0);
    const met = checkThresholds(r, { minDelivered: 1 });
    expect(met[0]?.verdict).toBe('met');
    // A p99 limit under the floor cannot blame the candidate: UNKNOWN, not MISSED.
    const underFloor = checkThresholds(r, { maxP99Us: Math.max(1, Math.min(r.load.latency.p99Us, r.floor?.latency.p99Us ?? 0) - 1) });
    expect(underFloor[0]?.verdict).toBe('unknown');
    expect(liveCount()).toBe(0);
  }, 60_000);

  it('compares two candidates interleaved in one run: every round, one table of ratios to the first, one floor', async () => {
    const nullBroker = await loadCandidate(NULL_BROKER_MANIFEST);
    const order: string[] = [];
    const c = await runComparison({
      ...spec,
      candidates: [nullBroker, { ...nullBroker, manifest: { ...nullBroker.manifest, name: 'null-broker-b' } }],
      durationMs: 1_000,
      rounds: 2,
      handlers: 1,
      floorMs: 500,
      onRun: (name, round) => order.push(`${round}:${name}`),
    });
    expect(order).toEqual(['0:null-broker', '0:null-broker-b', '1:null-broker-b', '1:null-broker']);
    expect(c.candidates.map((x) => x.rounds.length)).toEqual([2, 2]);
    for (const x of c.candidates) expect(x.delivered).toBe(1);
    expect(c.floor?.latency.count).toBeGreaterThan(0);
    const table = renderComparison(c);
    expect(table).toMatch(/^null-broker\s.*1\.00×/m);
    expect(table).toContain('null-broker-b');
    expect(liveCount()).toBe(0);
  }, 90_000);

  it('comparison rounds alternate the order and combine rounds: lowest p99, largest RSS, CPU per 10k frames', () => {
    expect(roundOrder(['a', 'b', 'c'], 0)).toEqual(['a', 'b', 'c']);
    expect(roundOrder(['a', 'b', 'c'], 1)).toEqual(['c', 'b', 'a']);
    const round = (p99Us: number, rss: number, cpuSeconds: number, valid = true): StressResult =>
      ({
        load: { valid, sent: 10_000, latency: { p99Us, p50Us: p99Us / 2, count: 10 }, handlers: [{ slow: false, seen: 9_990 }] },
        memory: { maxRssBytes: rss },
        proc: { cpuSeconds },
      }) as unknown as StressResult;
    const c = combineRounds([round(3_000, 10, 0.2), round(2_000, 30, 0.4), round(1_000, 5, 0.1, false)]);
    expect(c).toMatchObject({ p99Us: 2_000, p50Us: 1_000, maxRssBytes: 30, validRounds: 2 });
    expect(c.delivered).toBeCloseTo(0.999, 12);
    expect(c.cpuMsPer10kFrames).toBeCloseTo(700 / 3, 9); // 0.7 CPU s over 30,000 frames
  });
});
