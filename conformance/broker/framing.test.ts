import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { framingCaseArbitrary } from './checks/framing.ts';
import { splitStream } from './split-stream.ts';
import { compareDelivery } from './delivery.ts';
import { slope } from './checks/memory.ts';

describe('splitStream', () => {
  it('always reassembles to the original bytes, with no empty writes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 2000 }), framingCaseArbitrary, (bytes, c) => {
        const stream = Buffer.from(bytes);
        const parts = splitStream(stream, c.chunking);
        expect(Buffer.concat(parts).equals(stream)).toBe(true);
        if (stream.length > 0) expect(parts.every((p) => p.length > 0)).toBe(true);
      }),
    );
  });
  it('splits small streams at every byte boundary', () => {
    expect(splitStream(Buffer.from([1, 2, 3]), { kind: 'bytewise' })).toHaveLength(3);
  });
});

describe('compareDelivery', () => {
  const sent = [
    { bytes: 3, crc32: 1 },
    { bytes: 5, crc32: 2 },
  ];
  it('accepts exact delivery and names the first difference otherwise', () => {
    expect(
      compareDelivery(sent, [
        { handler: 0, bytes: 3, atMs: 0 },
        { handler: 0, bytes: 5, crc32: 2, atMs: 0 },
      ]).ok,
    ).toBe(true);
    expect(compareDelivery(sent, [{ handler: 0, bytes: 5, atMs: 0 }]).problem).toContain('frame #1');
    expect(compareDelivery(sent, [{ handler: 0, bytes: 3, atMs: 0 }]).problem).toContain('missing');
    expect(compareDelivery(sent, [{ handler: 0, bytes: 3, crc32: 9, atMs: 0 }]).problem).toContain('payload differs');
    expect(
      compareDelivery(
        sent,
        [...sent, sent[0]!].map((f) => ({ ...f, handler: 0, atMs: 0 })),
      ).problem,
    ).toContain('more than sent');
  });
});

describe('memory slope', () => {
  it('is the least-squares slope in bytes per second', () => {
    expect(
      slope([
        [0, 0],
        [1, 10],
        [2, 20],
      ]),
    ).toBeCloseTo(10);
    expect(
      slope([
        [0, 5],
        [1, 5],
      ]),
    ).toBe(0);
    expect(slope([[0, 1]])).toBe(0);
  });
});
