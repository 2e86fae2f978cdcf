import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ROOT } from '../harness/common/root.ts';
import type { StressResult } from '../harness/load/stress/stress.ts';
import { killAll, liveCount } from '../harness/process/supervisor.ts';
import { stressCommand } from './stress-command.ts';

/**
 * Tests prove matching and arithmetic, not speed: on a starved machine the kit itself may fall under 98% of
 * the target (then the run says `generator`, correctly); everything else must hold either way.
 */
const validOrKitStarved = (r: { valid: boolean; limitedBy: string }): void => {
  expect(r.limitedBy).toBe(r.valid ? 'none' : 'generator');
};

afterAll(async () => {
  await killAll();
});

describe('stress command arguments', () => {
  it('refuses bad input with exit code 2 before starting anything', async () => {
    const broker = join(ROOT, 'reference/broker/manifest.json');
    const quietErr = process.stderr.write;
    process.stderr.write = (() => true) as typeof process.stderr.write;
    try {
      expect(await stressCommand({ candidate: [broker], sizes: 'lognormal' })).toBe(2);
      expect(await stressCommand({ candidate: [broker], size: '10', sizes: 'realistic' })).toBe(2);
      expect(await stressCommand({ candidate: [broker], payload: 'json' })).toBe(2);
      expect(await stressCommand({ candidate: [broker], events: 'all' })).toBe(2);
      expect(await stressCommand({ candidate: [broker], conns: '0' })).toBe(2);
      expect(await stressCommand({ candidate: [broker], seed: '1e3' })).toBe(2);
      expect(await stressCommand({ candidate: [broker], seed: '4294967296' })).toBe(2);
      expect(await stressCommand({ candidate: [join(ROOT, 'reference/gossip/manifest.json')] })).toBe(2);
      expect(await stressCommand({})).toBe(2);
    } finally {
      process.stderr.write = quietErr;
    }
    expect(liveCount()).toBe(0);
  });
});

describe('stress command against the reference broker', () => {
  let dir: string | undefined;
  afterAll(async () => {
    if (dir !== undefined) await rm(dir, { recursive: true, force: true });
  });

  it('the reference broker for 2 s at a low rate: valid, every frame matched on every handler, sane percentiles, files written', async () => {
    dir = await mkdtemp(join(tmpdir(), 'mk-stress-'));
    const lines: string[] = [];
    const code = await stressCommand(
      {
        candidate: [join(ROOT, 'reference/broker/manifest.json')],
        conns: '8',
        rate: '800',
        duration: '2s',
        seed: '5',
        json: join(dir, 'r.json'),
        html: join(dir, 'r.html'),
        quiet: true,
      },
      (t) => lines.push(t),
    );
    const r = JSON.parse(await readFile(join(dir, 'r.json'), 'utf8')) as StressResult;
    expect(code).toBe(r.load.valid ? 0 : 1);
    validOrKitStarved(r.load);
    expect(r.load.sent).toBe(1600);
    expect(r.events.mode).toBe('frames');
    expect(r.knobs.applied).toMatchObject({ handlers: 3, logFrames: 1 });
    expect(r.load.handlers.map((h) => [h.handler, h.source, h.seen, h.loss, h.surplus, h.missedReported])).toEqual([
      [0, 'frames', 1600, 0, 0, 0],
      [1, 'frames', 1600, 0, 0, 0],
      [2, 'frames', 1600, 0, 0, 0],
    ]);
    expect(r.load.matching).toEqual({ matched: 4800, surplus: 0, unknown: 0 });
    const lat = r.load.latency;
    expect(lat.count).toBe(4800);
    expect(lat.negative).toBe(0);
    expect(lat.minUs).toBeGreaterThan(0);
    expect(lat.p50Us).toBeLessThanOrEqual(lat.p90Us);
    expect(lat.p90Us).toBeLessThanOrEqual(lat.p99Us);
    expect(lat.p99Us).toBeLessThanOrEqual(lat.p999Us);
    expect(lat.p999Us).toBeLessThanOrEqual(lat.maxUs);
    expect(lat.p50Us).toBeLessThan(500_000); // sane, not fast: ~1 ms on a quiet machine, seconds for a collapse
    expect(r.proc?.samples.length).toBeGreaterThan(3);
    expect(r.memory.maxRssBytes).toBeGreaterThan(10 * 1024 * 1024);
    expect(r.memory.withinLimit).toBe(true);
    const summary = lines.join('\n');
    expect(summary).toMatch(
      r.load.valid ? /→ VALID \(\d+\.\d% of target, limited by: none\)/ : /→ INVALID \(\d+\.\d% of target, limited by: generator: /,
    );
    expect(summary).toMatch(/loss = frames sent − frames the handler was seen processing/);
    const html = await readFile(join(dir, 'r.html'), 'utf8');
    expect(html).toContain('<svg');
    expect(html).toContain('Latency over time');
    expect(html).toContain('Candidate resident memory');
    expect(html).not.toMatch(/<script|src="http/);
    expect(liveCount()).toBe(0);
  });
});
