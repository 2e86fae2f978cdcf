/** Protocol maximum payload size (seed 002): a header announcing more is a violation. */
export const MAX_FRAME = 65_536;

/** The 4-byte big-endian length header. `length` may exceed MAX_FRAME: the kit sends violations on purpose. */
export function frameHeader(length: number): Buffer {
  const header = Buffer.allocUnsafe(4);
  header.writeUInt32BE(length >>> 0, 0);
  return header;
}

/** Header + payload in one buffer. */
export function encodeFrame(payload: Uint8Array): Buffer {
  const out = Buffer.allocUnsafe(4 + payload.length);
  out.writeUInt32BE(payload.length, 0);
  out.set(payload, 4);
  return out;
}

/** Concatenation of several frames, as one coalesced write. */
export function encodeFrames(payloads: readonly Uint8Array[]): Buffer {
  return Buffer.concat(payloads.map(encodeFrame));
}

/** Hex of the first `max` bytes, for evidence ("what was sent"). */
export function hexPreview(bytes: Uint8Array, max = 32): string {
  const shown = Buffer.from(bytes.subarray(0, max)).toString('hex').replace(/(..)/g, '$1 ').trim();
  return bytes.length > max ? `${shown} … (${bytes.length} bytes)` : shown;
}
