/**
 * How a byte stream is cut into writes: shared by the framing check and the broker fixtures that replay
 * its saved cases, so both cut the same stream at the same points.
 *
 * @module
 */

/** How one generated case is cut into writes. */
export type Chunking = { kind: 'coalesced' } | { kind: 'bytewise' } | { kind: 'cuts'; cuts: number[] };

/** Streams up to this long are written a byte at a time for `bytewise`; longer ones fall back to cuts. */
const BYTEWISE_LIMIT = 700;

/** The writes for a case: every byte alone (small cases), at arbitrary cut points, or all in one. */
export function splitStream(stream: Buffer, chunking: Chunking): Buffer[] {
  if (chunking.kind === 'coalesced' || stream.length <= 1) return [stream];
  if (chunking.kind === 'bytewise' && stream.length <= BYTEWISE_LIMIT) return Array.from(stream, (b) => Buffer.of(b));
  const cuts = chunking.kind === 'cuts' ? chunking.cuts : Array.from({ length: 64 }, (_, i) => i * 37 + 1);
  const points = [...new Set(cuts.map((c) => 1 + (c % (stream.length - 1))))].sort((a, b) => a - b);
  const out: Buffer[] = [];
  let at = 0;
  for (const point of points) {
    out.push(stream.subarray(at, point));
    at = point;
  }
  out.push(stream.subarray(at));
  return out;
}
