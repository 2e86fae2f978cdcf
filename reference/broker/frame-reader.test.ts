import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { BufferPool } from './buffer-pool.ts';
import { FrameReader } from './frame-reader.ts';
import type { FeedResult, FrameSink } from './frame-reader.ts';
import { encodeFrame, header, patternPayload } from './test-support.ts';

const MAX = 65_536;
// One pattern buffer sliced at different offsets: cheap payloads that still differ frame to frame.
const PATTERN = patternPayload(MAX + 1024, 5);
const payloadFor = (size: number, i: number): Buffer => PATTERN.subarray((i * 37) % 1024, ((i * 37) % 1024) + size);

/** Buffer-list equality via memcmp (toEqual walks every byte of big Buffers, far too slowly). */
function expectSame(actual: Buffer[], expected: Buffer[]): void {
  expect(actual.length).toBe(expected.length);
  actual.forEach((buf, i) => {
    if (!buf.equals(expected[i] as Buffer)) throw new Error(`payload ${i} differs (${buf.length} vs ${expected[i]?.length} bytes)`);
  });
}

/** Sink that copies every payload out and returns pooled buffers at once. */
class Collector implements FrameSink {
  payloads: Buffer[] = [];
  views = 0;
  constructor(private readonly pool: BufferPool) {}
  frame(payload: Buffer, backing: Buffer | null): void {
    this.payloads.push(Buffer.from(payload));
    if (backing === null) this.views++;
    else this.pool.release(backing);
  }
}

/** Cuts `stream` at the given (sorted, deduplicated) offsets. */
function split(stream: Buffer, cuts: number[]): Buffer[] {
  const chunks: Buffer[] = [];
  let prev = 0;
  for (const cut of cuts) {
    if (cut <= prev || cut >= stream.length) continue;
    chunks.push(stream.subarray(prev, cut));
    prev = cut;
  }
  chunks.push(stream.subarray(prev));
  return chunks;
}

function feedAll(reader: FrameReader, chunks: Buffer[], sink: FrameSink): FeedResult {
  let result: FeedResult = 'more';
  for (const chunk of chunks) result = reader.feed(chunk, sink);
  return result;
}

// Sizes weighted towards the interesting ones: empty, tiny, around 64 KiB, exactly the maximum.
const frameSize = fc.oneof(
  { weight: 3, arbitrary: fc.integer({ min: 0, max: 64 }) },
  { weight: 2, arbitrary: fc.integer({ min: 65, max: 4096 }) },
  { weight: 1, arbitrary: fc.integer({ min: 60_000, max: MAX }) },
  { weight: 1, arbitrary: fc.constant(MAX) },
  { weight: 1, arbitrary: fc.constant(0) },
);

function buildStream(sizes: number[]): { payloads: Buffer[]; stream: Buffer; boundaries: Set<number> } {
  const payloads = sizes.map((size, i) => payloadFor(size, i));
  const stream = Buffer.concat(payloads.map((p) => encodeFrame(p)));
  const boundaries = new Set<number>([0]);
  let offset = 0;
  for (const p of payloads) {
    offset += 4 + p.length;
    boundaries.add(offset);
  }
  return { payloads, stream, boundaries };
}

describe('FrameReader', () => {
  it('round-trips any frame sequence split at arbitrary chunk boundaries', () => {
    fc.assert(
      fc.property(fc.array(frameSize, { minLength: 0, maxLength: 12 }), fc.array(fc.nat(), { maxLength: 40 }), (sizes, rawCuts) => {
        const { payloads, stream } = buildStream(sizes);
        const cuts = [...new Set(rawCuts.map((c) => (stream.length === 0 ? 0 : c % stream.length)))].sort((a, b) => a - b);
        const pool = new BufferPool(MAX, 4);
        const sink = new Collector(pool);
        const reader = new FrameReader(MAX, pool);
        expect(feedAll(reader, split(stream, cuts), sink)).toBe('more');
        expectSame(sink.payloads, payloads);
        expect(reader.midFrame).toBe(false);
        expect(reader.offset).toBe(stream.length);
        expect(pool.outstanding).toBe(0);
      }),
      { numRuns: 150 },
    );
  });

  it('handles every byte fed separately, and everything coalesced into one chunk', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 40 }), { maxLength: 10 }), (sizes) => {
        const { payloads, stream } = buildStream(sizes);
        const pool = new BufferPool(MAX, 4);

        const bytewise = new Collector(pool);
        const r1 = new FrameReader(MAX, pool);
        for (let i = 0; i < stream.length; i++) r1.feed(stream.subarray(i, i + 1), bytewise);
        expectSame(bytewise.payloads, payloads);

        const whole = new Collector(pool);
        const r2 = new FrameReader(MAX, pool);
        r2.feed(stream, whole);
        expectSame(whole.payloads, payloads);
        // Every frame inside a single chunk is a zero-copy view.
        expect(whole.views).toBe(payloads.length);
        expect(pool.outstanding).toBe(0);
      }),
      { numRuns: 200 },
    );
  });

  it('delivers frames inside one chunk as views of that chunk', () => {
    const pool = new BufferPool(MAX, 4);
    const chunk = Buffer.concat([encodeFrame(patternPayload(100, 1)), encodeFrame(patternPayload(MAX, 2))]);
    const seen: Buffer[] = [];
    new FrameReader(MAX, pool).feed(chunk, {
      frame(payload, backing) {
        expect(backing).toBeNull();
        seen.push(payload);
      },
    });
    expect(seen).toHaveLength(2);
    for (const payload of seen) expect(payload.buffer).toBe(chunk.buffer);
    expect(seen[1]?.byteOffset).toBe(chunk.byteOffset + 4 + 100 + 4);
  });

  it('reports an oversize header at the right stream offset, after every earlier frame', () => {
    fc.assert(
      fc.property(
        fc.array(frameSize, { maxLength: 6 }),
        fc.integer({ min: MAX + 1, max: 0xffff_ffff }),
        fc.array(fc.nat(), { maxLength: 20 }),
        (sizes, badLength, rawCuts) => {
          const { payloads, stream: good } = buildStream(sizes);
          const stream = Buffer.concat([good, header(badLength), patternPayload(64, 9)]);
          const cuts = [...new Set(rawCuts.map((c) => c % stream.length))].sort((a, b) => a - b);
          const pool = new BufferPool(MAX, 4);
          const sink = new Collector(pool);
          const reader = new FrameReader(MAX, pool);
          expect(feedAll(reader, split(stream, cuts), sink)).toBe('violation');
          expectSame(sink.payloads, payloads);
          expect(reader.violation).toEqual({
            length: badLength,
            offset: good.length,
            reason: `frame length ${badLength} exceeds maximum ${MAX}`,
          });
          // Nothing more is parsed after a violation.
          expect(reader.feed(encodeFrame(Buffer.from('x')), sink)).toBe('violation');
          expect(sink.payloads).toHaveLength(payloads.length);
        },
      ),
      { numRuns: 100 },
    );
  });

  it('accepts exactly the maximum and rejects one more', () => {
    const pool = new BufferPool(MAX, 2);
    const sink = new Collector(pool);
    const reader = new FrameReader(MAX, pool);
    expect(reader.feed(Buffer.concat([encodeFrame(patternPayload(MAX, 3)), header(MAX + 1)]), sink)).toBe('violation');
    expect(sink.payloads).toHaveLength(1);
    expect(reader.violation?.reason).toBe('frame length 65537 exceeds maximum 65536');
  });

  it('knows whether it is mid-frame after any prefix of the stream', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 0, max: 300 }), { minLength: 1, maxLength: 8 }),
        fc.nat(),
        fc.array(fc.nat(), { maxLength: 6 }),
        (sizes, rawK, rawCuts) => {
          const { stream, boundaries } = buildStream(sizes);
          const k = rawK % (stream.length + 1);
          const prefix = stream.subarray(0, k);
          const cuts = [...new Set(rawCuts.map((c) => (k === 0 ? 0 : c % k)))].sort((a, b) => a - b);
          const pool = new BufferPool(MAX, 2);
          const reader = new FrameReader(MAX, pool);
          feedAll(reader, k === 0 ? [] : split(prefix, cuts), new Collector(pool));
          expect(reader.midFrame).toBe(!boundaries.has(k));
        },
      ),
      { numRuns: 200 },
    );
  });

  describe('requestStop', () => {
    it('stops at once when idle between frames', () => {
      const pool = new BufferPool(MAX, 2);
      const sink = new Collector(pool);
      const reader = new FrameReader(MAX, pool);
      reader.feed(encodeFrame(Buffer.from('a')), sink);
      expect(reader.requestStop()).toBe(true);
      expect(reader.feed(encodeFrame(Buffer.from('b')), sink)).toBe('stopped');
      expect(sink.payloads.map(String)).toEqual(['a']);
    });

    it('finishes the frame in progress plus frames complete in the same chunk, then reads nothing more', () => {
      fc.assert(
        fc.property(
          fc.array(fc.integer({ min: 0, max: 2000 }), { minLength: 2, maxLength: 10 }),
          fc.nat(),
          fc.nat(),
          (sizes, rawStopAt, rawChunkEnd) => {
            const { payloads, stream, boundaries } = buildStream(sizes);
            // Stop requested at a point strictly inside some frame.
            const inside = [...Array(stream.length).keys()].filter((i) => !boundaries.has(i));
            fc.pre(inside.length > 0);
            const stopAt = inside[rawStopAt % inside.length] as number;
            const firstEnd = [...boundaries].sort((a, b) => a - b).find((b) => b > stopAt) as number;
            // Next chunk ends somewhere at or after the end of the frame in progress.
            const chunkEnd = firstEnd + (rawChunkEnd % (stream.length - firstEnd + 1));
            const pool = new BufferPool(MAX, 2);
            const sink = new Collector(pool);
            const reader = new FrameReader(MAX, pool);
            expect(reader.feed(stream.subarray(0, stopAt), sink)).toBe('more');
            expect(reader.midFrame).toBe(true);
            expect(reader.requestStop()).toBe(false);
            // Feeding up to just before the end of the frame keeps it going.
            if (firstEnd - 1 > stopAt) expect(reader.feed(stream.subarray(stopAt, firstEnd - 1), sink)).toBe('more');
            const resume = Math.max(stopAt, firstEnd - 1);
            expect(reader.feed(stream.subarray(resume, chunkEnd), sink)).toBe('stopped');
            // Whatever frames end within the chunk are delivered; nothing after.
            const complete = [...boundaries].filter((b) => b > 0 && b <= chunkEnd).length;
            expectSame(sink.payloads, payloads.slice(0, complete));
            expect(reader.feed(stream.subarray(chunkEnd), sink)).toBe('stopped');
            expect(sink.payloads).toHaveLength(complete);
            expect(pool.outstanding).toBe(0);
          },
        ),
        { numRuns: 150 },
      );
    });
  });
});
