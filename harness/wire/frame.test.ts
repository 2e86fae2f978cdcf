import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { hasCode } from '../common/errors.ts';
import { FrameDecoder, MAX_FRAME, encodeFrame, encodeFrameHeader, encodeFrames, frameHeader, hexPreview } from './frame.ts';

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

  it('keeps the conformance helpers: unchecked header for violations, coalesced frames, hex evidence', () => {
    expect(frameHeader(MAX_FRAME + 1).readUInt32BE(0)).toBe(MAX_FRAME + 1);
    expect(encodeFrames([Buffer.from('ab'), Buffer.from('c')])).toEqual(Buffer.from([0, 0, 0, 2, 0x61, 0x62, 0, 0, 0, 1, 0x63]));
    expect(hexPreview(Buffer.from([1, 2, 3]))).toBe('01 02 03');
    expect(hexPreview(new Uint8Array(40), 2)).toBe('00 00 … (40 bytes)');
  });
});
