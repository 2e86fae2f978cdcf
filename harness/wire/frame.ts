/**
 * The broker wire framing: a 4-byte big-endian unsigned length, then that many payload bytes (seed 002).
 * One module for every sender and reader in the kit: conformance checks (`encodeFrame`, `encodeFrames`,
 * `frameHeader` for deliberate violations, `hexPreview` for evidence) and the load harness (`encodeFrame`,
 * `FrameDecoder`, incremental and chunking-agnostic, for the kit's own readers: echo servers, in-memory
 * sinks, tests). `harness/load/index.ts` re-exports the load-side names for convenience.
 *
 * @module
 */
import { KitError } from '../common/errors.ts';

/** Protocol maximum payload size (seed 002): a header announcing more is a violation. */
export const MAX_FRAME = 65_536;
/** Bytes of the length prefix. */
export const FRAME_HEADER_SIZE = 4;

/** Options of {@link encodeFrame} and {@link encodeFrameHeader}. */
export interface EncodeFrameOptions {
  /**
   * Largest payload accepted; larger ones throw `FRAME_TOO_LARGE`. Default {@link MAX_FRAME}.
   * Checks that send oversize frames on purpose pass a bigger value (up to 2^32 − 1) or use {@link frameHeader}.
   */
  readonly maxFrame?: number;
}

/** The 4-byte header announcing `length` payload bytes; throws `FRAME_TOO_LARGE` above `maxFrame`. */
export function encodeFrameHeader(length: number, options: EncodeFrameOptions = {}): Buffer {
  const maxFrame = options.maxFrame ?? MAX_FRAME;
  if (!Number.isInteger(length) || length < 0 || length > 0xffff_ffff) {
    throw new KitError('FRAME_INVALID_LENGTH', `frame length ${length} is not a u32`, { length });
  }
  if (length > maxFrame) {
    throw new KitError('FRAME_TOO_LARGE', `payload of ${length} bytes exceeds ${maxFrame}`, { length, maxFrame });
  }
  const header = Buffer.allocUnsafe(FRAME_HEADER_SIZE);
  header.writeUInt32BE(length, 0);
  return header;
}

/** The 4-byte header, unchecked: `length` may exceed MAX_FRAME (the kit sends violations on purpose). */
export function frameHeader(length: number): Buffer {
  const header = Buffer.allocUnsafe(FRAME_HEADER_SIZE);
  header.writeUInt32BE(length >>> 0, 0);
  return header;
}

/** One frame: 4-byte BE length + payload (a copy). Throws `FRAME_TOO_LARGE` above `maxFrame`. */
export function encodeFrame(payload: Uint8Array, options: EncodeFrameOptions = {}): Buffer {
  const header = encodeFrameHeader(payload.length, options);
  const frame = Buffer.allocUnsafe(FRAME_HEADER_SIZE + payload.length);
  header.copy(frame, 0);
  frame.set(payload, FRAME_HEADER_SIZE);
  return frame;
}

/** Concatenation of several frames, as one coalesced write. */
export function encodeFrames(payloads: readonly Uint8Array[], options: EncodeFrameOptions = {}): Buffer {
  return Buffer.concat(payloads.map((payload) => encodeFrame(payload, options)));
}

/** Hex of the first `max` bytes, for evidence ("what was sent"). */
export function hexPreview(bytes: Uint8Array, max = 32): string {
  const shown = Buffer.from(bytes.subarray(0, max)).toString('hex').replace(/(..)/g, '$1 ').trim();
  return bytes.length > max ? `${shown} … (${bytes.length} bytes)` : shown;
}

/** Options of {@link FrameDecoder}. */
export interface FrameDecoderOptions {
  /** A header announcing more than this throws `FRAME_TOO_LARGE` from `push`. Default {@link MAX_FRAME}. */
  readonly maxFrame?: number;
}

/**
 * Incremental decoder: feed it chunks as they arrive, get back every payload completed so far.
 * Returned payloads are either copies or views into the pushed chunks (never overlapping, never reused by
 * the decoder): do not mutate a chunk after pushing it.
 */
export class FrameDecoder {
  readonly #maxFrame: number;
  #chunks: Buffer[] = [];
  /** Index of the first live chunk in #chunks (consumed ones are dropped lazily). */
  #head = 0;
  #buffered = 0;
  /** Payload length announced by the pending header, or -1 while the header is incomplete. */
  #need = -1;
  #frames = 0;

  constructor(options: FrameDecoderOptions = {}) {
    this.#maxFrame = options.maxFrame ?? MAX_FRAME;
  }

  /** Bytes received but not yet returned as a payload. */
  get bufferedBytes(): number {
    return this.#buffered;
  }

  /** Payloads returned so far. */
  get frames(): number {
    return this.#frames;
  }

  /** Feed a chunk; returns the payloads it completed, in order (often none, possibly many). */
  push(chunk: Uint8Array): Buffer[] {
    const out: Buffer[] = [];
    if (chunk.length === 0) return out;
    this.#chunks.push(Buffer.from(chunk.buffer, chunk.byteOffset, chunk.length));
    this.#buffered += chunk.length;
    for (;;) {
      if (this.#need < 0) {
        if (this.#buffered < FRAME_HEADER_SIZE) break;
        const length = this.#take(FRAME_HEADER_SIZE).readUInt32BE(0);
        if (length > this.#maxFrame) {
          throw new KitError('FRAME_TOO_LARGE', `frame header announces ${length} bytes (max ${this.#maxFrame})`, {
            length,
            maxFrame: this.#maxFrame,
          });
        }
        this.#need = length;
      }
      if (this.#buffered < this.#need) break;
      out.push(this.#take(this.#need));
      this.#need = -1;
      this.#frames++;
    }
    return out;
  }

  /** Declare the end of the stream: throws `FRAME_TRUNCATED` if a partial frame is pending. */
  end(): void {
    if (this.#buffered > 0 || this.#need >= 0) {
      throw new KitError('FRAME_TRUNCATED', `stream ended inside a frame (${this.#buffered} bytes pending)`, {
        buffered: this.#buffered,
        announced: this.#need,
      });
    }
  }

  /** Remove and return the next `n` buffered bytes (a view when they sit in one chunk, else one copy). */
  #take(n: number): Buffer {
    this.#buffered -= n;
    const first = this.#chunks[this.#head];
    if (first !== undefined && first.length >= n) {
      const piece = first.subarray(0, n);
      this.#consume(first, n);
      return piece;
    }
    const piece = Buffer.allocUnsafe(n);
    let filled = 0;
    while (filled < n) {
      const head = this.#chunks[this.#head];
      if (head === undefined) throw new KitError('FRAME_DECODER_BUG', 'ran out of buffered bytes');
      const used = Math.min(head.length, n - filled);
      head.copy(piece, filled, 0, used);
      filled += used;
      this.#consume(head, used);
    }
    return piece;
  }

  /** Drop `used` bytes from the head chunk; compacts the chunk list once most of it is consumed. */
  #consume(head: Buffer, used: number): void {
    if (used < head.length) {
      this.#chunks[this.#head] = head.subarray(used);
      return;
    }
    this.#head++;
    if (this.#head === this.#chunks.length) {
      this.#chunks = [];
      this.#head = 0;
    } else if (this.#head > 1024 && this.#head * 2 > this.#chunks.length) {
      this.#chunks = this.#chunks.slice(this.#head);
      this.#head = 0;
    }
  }
}
