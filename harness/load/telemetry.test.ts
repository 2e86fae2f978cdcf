import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createRandom } from '../common/random.ts';
import { PROBE_MAGIC, PROBE_SIZE, readProbe, writeProbe } from './probe.ts';
import {
  MAX_PAYLOAD,
  createSizeSampler,
  decodeCbor,
  decodeTelemetry,
  encodeRecord,
  minimumSizedLength,
  randomRecord,
  sizeArb,
  sizedPayload,
  sizedTelemetryArb,
  telemetryRecordArb,
} from './telemetry.ts';
import type { SizeDistribution, TelemetryRecord } from './telemetry.ts';

describe('telemetry records', () => {
  it('decode back to the generated record', () => {
    fc.assert(
      fc.property(telemetryRecordArb(), (record) => {
        expect(decodeCbor(encodeRecord(record))).toEqual(record);
      }),
      { numRuns: 200 },
    );
  });

  it('look like ground-segment telemetry', () => {
    fc.assert(
      fc.property(telemetryRecordArb(), (record) => {
        expect(record.station).toMatch(/^gs-\d\d$/);
        expect(record.satellite).toMatch(/^MSS-\d\d$/);
        expect(Number.isSafeInteger(record.ts)).toBe(true);
      }),
      { numRuns: 50 },
    );
    const encoded = encodeRecord(randomRecord(createRandom(1)));
    expect(encoded[0]).toBe(0xa6); // preferred map(6) header
    expect(encoded.includes(Buffer.from([0x62, 0x74, 0x73, 0x1b]))).toBe(true); // "ts": uint64
  });

  it('seeded records are deterministic and round-trip', () => {
    const a = randomRecord(createRandom(9).fork('r'), { approxBytes: 2000 });
    const b = randomRecord(createRandom(9).fork('r'), { approxBytes: 2000 });
    expect(a).toEqual(b);
    expect(decodeCbor(encodeRecord(a))).toEqual(a);
    expect(encodeRecord(a).length).toBeGreaterThan(1700);
    expect(encodeRecord(a).length).toBeLessThan(2300);
  });
});

describe('exact-size payloads', () => {
  it('are well-formed CBOR records of exactly the requested size, starting with the probe slot', () => {
    fc.assert(
      fc.property(sizedTelemetryArb({ kind: 'uniform', min: 0, max: 4096 }), ({ record, size, payload }) => {
        expect(payload.bytes.length).toBe(size);
        if (size >= minimumSizedLength(record)) {
          expect(payload.encoding).toBe('cbor');
          expect([...payload.bytes.subarray(0, 4)]).toEqual(PROBE_MAGIC);
          const decoded = decodeTelemetry(payload.bytes);
          expect(decoded.record).toEqual(payload.record);
          expect(decoded.probeSlot?.length).toBe(PROBE_SIZE - 4);
          if (payload.trimmedSamples === 0) expect(decoded.record).toEqual(record);
        } else {
          expect(payload.encoding).toBe('raw');
        }
      }),
      { numRuns: 300 },
    );
  });

  it('hit every size from 0 to 65,536', () => {
    const record = randomRecord(createRandom(3), { approxBytes: 1000 });
    const min = minimumSizedLength(record);
    expect(min).toBeLessThan(260); // documented: below ~200 bytes payloads are raw filler
    for (let size = 0; size <= MAX_PAYLOAD; size++) {
      const payload = sizedPayload(record, size);
      if (payload.bytes.length !== size) throw new Error(`size ${size} produced ${payload.bytes.length} bytes`);
      if ((payload.encoding === 'cbor') !== size >= min) throw new Error(`size ${size}: unexpected ${payload.encoding}`);
      // Decode around every pad-header boundary and a sample of the rest (decoding all 2 GiB is slow).
      if (payload.encoding === 'cbor' && (size < min + 300 || size % 997 === 0 || size > MAX_PAYLOAD - 8)) {
        expect(decodeTelemetry(payload.bytes).record.station).toBe(record.station);
      }
    }
  });

  it('keep decoding after the pacer stamps a probe into the slot', () => {
    const payload = sizedPayload(randomRecord(createRandom(4)), 1024);
    const bytes = Buffer.from(payload.bytes);
    writeProbe(bytes, 0, { station: 3, seq: 99, scheduledUs: 1_234_567 });
    expect(readProbe(bytes)).toEqual({ station: 3, seq: 99, scheduledUs: 1_234_567 });
    expect(decodeTelemetry(bytes).record).toEqual(payload.record);
  });

  it('trim samples from the end when the record is larger than the size', () => {
    const record: TelemetryRecord = randomRecord(createRandom(5), { approxBytes: 8000 });
    const payload = sizedPayload(record, 1000);
    expect(payload.trimmedSamples).toBeGreaterThan(0);
    expect(payload.bytes.length).toBe(1000);
    const kept = decodeTelemetry(payload.bytes).record;
    expect(kept.samples.iq).toEqual(record.samples.iq?.slice(0, kept.samples.iq?.length));
  });
});

describe('size distributions', () => {
  const distributions: SizeDistribution[] = [{ kind: 'fixed', size: 1024 }, { kind: 'uniform', min: 10, max: 20 }, { kind: 'realistic' }];

  it('arbitraries stay in range', () => {
    for (const d of distributions) {
      fc.assert(
        fc.property(sizeArb(d), (size) => {
          expect(Number.isInteger(size)).toBe(true);
          expect(size).toBeGreaterThanOrEqual(d.kind === 'uniform' ? d.min : 0);
          expect(size).toBeLessThanOrEqual(d.kind === 'uniform' ? d.max : MAX_PAYLOAD);
        }),
        { numRuns: 200 },
      );
    }
  });

  it('the realistic mix is mostly ~1 KiB with a tail up to 65,536', () => {
    const sample = createSizeSampler({ kind: 'realistic' }, createRandom(11));
    const sizes = Array.from({ length: 20_000 }, sample);
    const nearOneKiB = sizes.filter((s) => s >= 768 && s <= 1280).length / sizes.length;
    expect(nearOneKiB).toBeGreaterThan(0.85);
    expect(Math.max(...sizes)).toBe(MAX_PAYLOAD);
    expect(sizes.filter((s) => s > 16_384).length).toBeGreaterThan(200);
    expect(Math.min(...sizes)).toBeGreaterThanOrEqual(768);
  });

  it('rejects impossible sizes', () => {
    expect(() => sizeArb({ kind: 'fixed', size: MAX_PAYLOAD + 1 })).toThrow(expect.objectContaining({ code: 'LOAD_INVALID_SIZES' }));
    expect(() => createSizeSampler({ kind: 'uniform', min: 5, max: 4 }, createRandom(1))).toThrow(
      expect.objectContaining({ code: 'LOAD_INVALID_SIZES' }),
    );
  });
});
