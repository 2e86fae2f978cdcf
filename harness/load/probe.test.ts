import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { PROBE_SIZE, encodeProbe, readProbe, writeProbe } from './probe.ts';
import { decodeCbor } from './telemetry.ts';

describe('probe header', () => {
  const probeArb = fc.record({
    station: fc.nat({ max: 0x7fff_ffff }).map((n) => n * 2 + 1),
    seq: fc.maxSafeNat(),
    scheduledUs: fc.maxSafeNat(),
  });

  it('round-trips at the start of any payload of ≥ 24 bytes', () => {
    fc.assert(
      fc.property(probeArb, fc.uint8Array({ minLength: PROBE_SIZE, maxLength: 200 }), (probe, body) => {
        const payload = Uint8Array.from(body);
        writeProbe(payload, 0, probe);
        expect(readProbe(payload)).toEqual(probe);
        expect(Buffer.from(payload.subarray(PROBE_SIZE)).equals(body.subarray(PROBE_SIZE))).toBe(true);
      }),
    );
  });

  it('is absent from short or foreign payloads', () => {
    expect(readProbe(new Uint8Array(23))).toBeUndefined();
    expect(readProbe(new Uint8Array(100))).toBeUndefined();
    expect(readProbe(encodeProbe({ station: 1, seq: 2, scheduledUs: 3 }).subarray(0, 23))).toBeUndefined();
  });

  it('is itself the start of a CBOR map whose "p" entry holds the fields', () => {
    const probe = encodeProbe({ station: 7, seq: 42, scheduledUs: 123_456 });
    // map(8) → with 7 more entries it would be a record; here check the first entry decodes on its own:
    const asMap1 = Buffer.concat([Buffer.from([0xa1]), probe.subarray(1)]);
    const decoded = decodeCbor(asMap1) as { p: Uint8Array };
    expect(Buffer.from(decoded.p)).toEqual(Buffer.from(probe.subarray(4)));
  });

  it('refuses values it cannot carry', () => {
    expect(() => encodeProbe({ station: -1, seq: 0, scheduledUs: 0 })).toThrow(expect.objectContaining({ code: 'PROBE_OUT_OF_RANGE' }));
    expect(() => encodeProbe({ station: 0, seq: 0.5, scheduledUs: 0 })).toThrow(expect.objectContaining({ code: 'PROBE_OUT_OF_RANGE' }));
    expect(() => writeProbe(new Uint8Array(30), 10, { station: 0, seq: 0, scheduledUs: 0 })).toThrow(
      expect.objectContaining({ code: 'PROBE_TOO_SMALL' }),
    );
  });
});
