import { describe, expect, it } from 'vitest';
import { createPayloadFactory } from './payload-factory.ts';
import { PROBE_MAGIC } from './probe.ts';
import { decodeTelemetry } from './telemetry.ts';

describe('payload factory', () => {
  it('is deterministic for a seed', () => {
    const options = { kind: 'cbor', seed: 42, sizes: { kind: 'realistic' } } as const;
    const a = createPayloadFactory(options);
    const b = createPayloadFactory(options);
    for (let i = 0; i < 200; i++) expect(Buffer.from(a.next()).equals(b.next())).toBe(true);
    const c = createPayloadFactory({ ...options, seed: 43 });
    expect(a.pool.map((p) => p.length)).not.toEqual(c.pool.map((p) => p.length));
  });

  it('produces exact-size CBOR records', () => {
    const factory = createPayloadFactory({ kind: 'cbor', seed: 1, sizes: { kind: 'fixed', size: 1024 }, poolSize: 64 });
    expect(factory.cborCount).toBe(64);
    for (let i = 0; i < 100; i++) {
      const payload = factory.next();
      expect(payload.length).toBe(1024);
      expect([...payload.subarray(0, 4)]).toEqual(PROBE_MAGIC);
      expect(decodeTelemetry(payload).record.station).toMatch(/^gs-\d\d$/);
    }
  });

  it('follows the size distribution and falls back to filler below the record minimum', () => {
    const factory = createPayloadFactory({ kind: 'cbor', seed: 2, sizes: { kind: 'uniform', min: 0, max: 400 }, poolSize: 300 });
    const sizes = factory.pool.map((p) => p.length);
    expect(Math.min(...sizes)).toBeLessThan(40);
    expect(Math.max(...sizes)).toBeGreaterThan(360);
    expect(factory.cborCount).toBeGreaterThan(50);
    expect(factory.cborCount).toBeLessThan(300);
  });

  it('makes random and zero payloads', () => {
    const random = createPayloadFactory({ kind: 'random', seed: 3, sizes: { kind: 'fixed', size: 256 } });
    const zeros = createPayloadFactory({ kind: 'zeros', seed: 3, sizes: { kind: 'fixed', size: 256 } });
    expect(new Set(random.next()).size).toBeGreaterThan(100);
    expect(zeros.next().every((b) => b === 0)).toBe(true);
    expect(zeros.pool.length).toBe(1);
  });

  it('caps the pool by bytes', () => {
    const factory = createPayloadFactory({
      kind: 'zeros',
      seed: 4,
      sizes: { kind: 'fixed', size: 65_536 },
      poolSize: 100,
      maxPoolBytes: 1 << 20,
    });
    expect(factory.pool.length).toBe(16);
  });

  it('builds quickly and hands out well over 10k payloads/s', () => {
    const built = performance.now();
    const factory = createPayloadFactory({ kind: 'cbor', seed: 5, sizes: { kind: 'realistic' } });
    const buildMs = performance.now() - built;
    const start = performance.now();
    let bytes = 0;
    for (let i = 0; i < 100_000; i++) bytes += factory.next().length;
    const perSecond = 100_000 / ((performance.now() - start) / 1000);
    expect(bytes).toBeGreaterThan(0);
    expect(buildMs).toBeLessThan(3_000);
    expect(perSecond).toBeGreaterThan(10_000);
  });
});
