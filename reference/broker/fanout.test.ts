import { describe, expect, it } from 'vitest';
import { BufferPool } from './buffer-pool.ts';
import { EventLog } from './event-log.ts';
import { Fanout } from './fanout.ts';
import type { FanoutOptions } from './fanout.ts';
import { waitUntil } from './test-support.ts';

interface Line {
  event: string;
  handler?: number;
  missed?: number;
  bytes?: number;
  crc32?: number;
  station?: string;
}

function setup(overrides: Partial<FanoutOptions> = {}) {
  const lines: Line[] = [];
  const log = new EventLog((text) => {
    for (const line of text.split('\n')) if (line !== '') lines.push(JSON.parse(line) as Line);
  });
  const pool = new BufferPool(1024, 4);
  const fanout = new Fanout({ handlers: 3, capacity: 8, slowHandlerMs: 0, logFrames: true, pool, log, ...overrides });
  const flush = (): void => log.flush();
  return { lines, log, pool, fanout, flush };
}

const STATION = JSON.stringify('gs-1@127.0.0.1:9');

describe('Fanout', () => {
  it('delivers every frame to every handler with its CRC-32, in order', async () => {
    const { lines, fanout, flush } = setup();
    fanout.publish(STATION, Buffer.from('hello'), null);
    fanout.publish(STATION, Buffer.alloc(0), null);
    await waitUntil(() => fanout.idle, 2000, 'handlers idle');
    flush();
    const frames = lines.filter((l) => l.event === 'frame');
    expect(frames).toHaveLength(6);
    for (const h of [0, 1, 2]) {
      expect(frames.filter((f) => f.handler === h).map((f) => [f.bytes, f.crc32, f.station])).toEqual([
        [5, 907060870, 'gs-1@127.0.0.1:9'],
        [0, 0, 'gs-1@127.0.0.1:9'],
      ]);
    }
  });

  it('with logProbes and logFrames off, logs exactly the frames that carry the sampled-probe magic', async () => {
    const { lines, fanout, flush } = setup({ logFrames: false, logProbes: true });
    const sampled = Buffer.alloc(32);
    sampled.set([0xa8, 0x61, 0x71, 0x54]);
    const ordinary = Buffer.alloc(32);
    ordinary.set([0xa8, 0x61, 0x70, 0x54]);
    fanout.publish(STATION, ordinary, null);
    fanout.publish(STATION, sampled, null);
    fanout.publish(STATION, sampled.subarray(0, 23), null); // too short to be a probe
    await waitUntil(() => fanout.idle, 2000, 'handlers idle');
    flush();
    const frames = lines.filter((l) => l.event === 'frame');
    expect(frames.map((f) => [f.handler, f.bytes])).toEqual([
      [0, 32],
      [1, 32],
      [2, 32],
    ]);
    expect(fanout.handlers.map((h) => h.frames)).toEqual([3, 3, 3]);
  });

  it('never loses frames to fast handlers, even for bursts far larger than the ring', async () => {
    const { lines, fanout, flush } = setup({ capacity: 4, logFrames: false });
    for (let i = 0; i < 1000; i++) fanout.publish(STATION, Buffer.from([i & 0xff]), null);
    await waitUntil(() => fanout.idle, 2000, 'handlers idle');
    flush();
    for (const h of fanout.handlers) {
      expect(h.frames).toBe(1000);
      expect(h.missed).toBe(0);
    }
    expect(lines.filter((l) => l.event === 'lagged')).toHaveLength(0);
  });

  it('lets the slow handler lag (drop-oldest), reports it promptly and at most once a second', async () => {
    const { lines, fanout, flush } = setup({ capacity: 4, slowHandlerMs: 5, logFrames: false, lagFirstMs: 10, lagIntervalMs: 1000 });
    const started = performance.now();
    for (let i = 0; i < 50; i++) fanout.publish(STATION, Buffer.from([i]), null);
    const firstLag = await waitUntil(() => (flush(), lines.find((l) => l.event === 'lagged')), 1000, 'first lagged line');
    expect(performance.now() - started).toBeLessThan(500);
    const slow = fanout.handlers[0]!;
    // 1 in hand + 4 queued survive the burst; the rest were evicted.
    expect(slow.missed).toBe(45);
    expect(firstLag).toMatchObject({ handler: 0, missed: 45 });
    // A second burst inside the same second is held back until the window reopens ...
    for (let i = 0; i < 10; i++) fanout.publish(STATION, Buffer.from([i]), null);
    await waitUntil(() => fanout.idle, 2000, 'handlers idle');
    flush();
    expect(lines.filter((l) => l.event === 'lagged')).toHaveLength(1);
    // ... and flushed on demand (shutdown).
    fanout.flushLag();
    flush();
    const lagged = lines.filter((l) => l.event === 'lagged');
    expect(lagged).toHaveLength(2);
    expect(lagged.reduce((sum, l) => sum + (l.missed ?? 0), 0)).toBe(slow.missed);
    for (const h of fanout.handlers.slice(1)) expect(h.missed).toBe(0);
    expect(slow.frames + slow.missed).toBe(60);
  });

  it('returns pooled buffers once every handler is done with the frame', async () => {
    const { pool, fanout } = setup({ capacity: 2, slowHandlerMs: 2, logFrames: false });
    for (let i = 0; i < 6; i++) {
      const backing = pool.acquire(100);
      fanout.publish(STATION, backing.subarray(0, 100), backing);
    }
    expect(pool.outstanding).toBeGreaterThan(0);
    await waitUntil(() => fanout.idle, 2000, 'handlers idle');
    expect(pool.outstanding).toBe(0);
  });
});
