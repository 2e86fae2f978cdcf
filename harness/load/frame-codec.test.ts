import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { hasCode } from '../common/errors.ts';
import { FrameDecoder, MAX_FRAME, encodeFrame, encodeFrameHeader } from './frame-codec.ts';
import { PROBE_SIZE, encodeProbe, readProbe, writeProbe } from './probe.ts';
import { decodeCbor } from './telemetry.ts';

/** Split `bytes` at the given cut points (any order, duplicates allowed). */
function chunk(bytes: Uint8Array, cuts: number[]): Uint8Array[] {
  const points = [...new Set(cuts.map((c) => c % (bytes.length + 1)))].sort((a, b) => a - b);
  const out: Uint8Array[] = [];
  let from = 0;
  for (const p of [...points, bytes.length]) {
    out.push(bytes.subarray(from, p));
    from = p;
  }
  return out;
}

const payloadArb = fc.oneof(
  { weight: 4, arbitrary: fc.uint8Array({ maxLength: 300 }) },
  { weight: 1, arbitrary: fc.integer({ min: 0, max: MAX_FRAME }).map((n) => new Uint8Array(n).fill(n % 251)) },
);

describe('frame codec', () => {
  it('round-trips any payload sequence under any chunking', () => {
    fc.assert(
      fc.property(fc.array(payloadArb, { maxLength: 12 }), fc.array(fc.nat(), { maxLength: 40 }), (payloads, cuts) => {
        const stream = Buffer.concat(payloads.map((p) => encodeFrame(p)));
        const decoder = new FrameDecoder();
        const out = chunk(stream, cuts).flatMap((piece) => decoder.push(piece));
        // Buffer#equals, not toEqual: deep equality of 64 KiB buffers byte by byte is very slow.
        expect(out.map((b) => b.length)).toEqual(payloads.map((p) => p.length));
        expect(out.every((b, i) => b.equals(payloads[i] as Uint8Array))).toBe(true);
        expect(decoder.bufferedBytes).toBe(0);
        decoder.end();
      }),
      { numRuns: 150 },
    );
  });

  it('decodes byte-at-a-time', () => {
    const payloads = [new Uint8Array(0), Buffer.from('hello'), new Uint8Array(5000).fill(7)];
    const stream = Buffer.concat(payloads.map((p) => encodeFrame(p)));
    const decoder = new FrameDecoder();
    const out: Buffer[] = [];
    for (let i = 0; i < stream.length; i++) out.push(...decoder.push(stream.subarray(i, i + 1)));
    expect(out.map((b) => b.length)).toEqual([0, 5, 5000]);
    expect(out[2]?.every((b) => b === 7)).toBe(true);
  });

  it('rejects oversize frames on both sides, unless the limit is raised', () => {
    expect(encodeFrame(new Uint8Array(MAX_FRAME)).length).toBe(MAX_FRAME + 4);
    expect(() => encodeFrame(new Uint8Array(MAX_FRAME + 1))).toThrow(expect.objectContaining({ code: 'FRAME_TOO_LARGE' }));
    expect(encodeFrameHeader(MAX_FRAME + 1, { maxFrame: Infinity }).readUInt32BE(0)).toBe(MAX_FRAME + 1);
    const decoder = new FrameDecoder();
    let error: unknown;
    try {
      decoder.push(encodeFrameHeader(MAX_FRAME + 1, { maxFrame: Infinity }));
    } catch (e) {
      error = e;
    }
    expect(hasCode(error, 'FRAME_TOO_LARGE')).toBe(true);
  });

  it('reports a truncated stream', () => {
    const decoder = new FrameDecoder();
    decoder.push(encodeFrame(Buffer.from('abcdef')).subarray(0, 7));
    expect(() => decoder.end()).toThrow(expect.objectContaining({ code: 'FRAME_TRUNCATED' }));
  });
});

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
