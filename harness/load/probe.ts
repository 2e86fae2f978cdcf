/**
 * The probe header: 24 bytes the kit writes at the start of every payload it sends under load, so a
 * payload seen again (echoed, read back, carried in an event) tells when it was *scheduled* to be sent.
 *
 * Layout (big-endian):
 *
 * | offset | size | field |
 * | --- | --- | --- |
 * | 0 | 4 | magic `a8 61 70 54` |
 * | 4 | 4 | station index (u32): the kit's connection number |
 * | 8 | 8 | sequence number (u64, < 2^53): frame k of that connection |
 * | 16 | 8 | scheduled send time (u64, < 2^53), integer µs on the {@link nowUs} clock |
 *
 * The magic is chosen so the probe is also valid CBOR: `a8` opens a map of 8 entries, `61 70` is the key
 * `"p"`, `54` a byte string of 20 bytes (the remaining fields). A CBOR telemetry payload built by
 * `telemetry.ts` therefore stays one well-formed record with an extra `p` field, and a broker that decodes
 * payloads sees no decoding error. Random/zero payloads simply carry the 24 bytes as a prefix.
 *
 * @module
 */
import { KitError } from '../common/errors.ts';

/** Size of the probe header in bytes. Payloads shorter than this carry no probe. */
export const PROBE_SIZE = 24;
/** The 4 magic bytes (a CBOR map(8) header, key "p", byte-string(20) header). */
export const PROBE_MAGIC: readonly number[] = [0xa8, 0x61, 0x70, 0x54];
const MAGIC_U32 = 0xa8617054;
const TWO_32 = 0x1_0000_0000;

/** The facts a probe carries. */
export interface Probe {
  /** Station index: which kit connection sent the frame. */
  readonly station: number;
  /** Sequence number of the frame on that connection, from 0. */
  readonly seq: number;
  /** Scheduled send time, integer µs on the `nowUs()` clock. */
  readonly scheduledUs: number;
}

function writeU64(view: DataView, offset: number, value: number): void {
  view.setUint32(offset, Math.floor(value / TWO_32));
  view.setUint32(offset + 4, value >>> 0);
}

/**
 * Write a probe into `target` at `offset` (24 bytes). Hot path of the pacer: no allocation beyond a
 * DataView. Throws `PROBE_OUT_OF_RANGE` for values that do not fit (negative, non-integer, ≥ 2^53).
 */
export function writeProbe(target: Uint8Array, offset: number, probe: Probe): void {
  const { station, seq, scheduledUs } = probe;
  if (
    !(Number.isSafeInteger(station) && station >= 0 && station < TWO_32) ||
    !(Number.isSafeInteger(seq) && seq >= 0) ||
    !(Number.isSafeInteger(scheduledUs) && scheduledUs >= 0)
  ) {
    throw new KitError('PROBE_OUT_OF_RANGE', 'probe fields must be non-negative safe integers (station < 2^32)', { ...probe });
  }
  if (target.length - offset < PROBE_SIZE) {
    throw new KitError('PROBE_TOO_SMALL', `need ${PROBE_SIZE} bytes for a probe, have ${target.length - offset}`);
  }
  const view = new DataView(target.buffer, target.byteOffset + offset, PROBE_SIZE);
  view.setUint32(0, MAGIC_U32);
  view.setUint32(4, station);
  writeU64(view, 8, seq);
  writeU64(view, 16, scheduledUs);
}

/**
 * The pacer's unchecked fast path of {@link writeProbe}, through a DataView of the target: the caller
 * guarantees room for 24 bytes at `offset` and in-range values (non-negative safe integers, station < 2^32).
 */
export function stampProbe(view: DataView, offset: number, station: number, seq: number, scheduledUs: number): void {
  view.setUint32(offset, MAGIC_U32);
  view.setUint32(offset + 4, station);
  view.setUint32(offset + 8, Math.floor(seq / TWO_32));
  view.setUint32(offset + 12, seq >>> 0);
  view.setUint32(offset + 16, Math.floor(scheduledUs / TWO_32));
  view.setUint32(offset + 20, scheduledUs >>> 0);
}

/** A fresh 24-byte probe header. */
export function encodeProbe(probe: Probe): Uint8Array {
  const out = new Uint8Array(PROBE_SIZE);
  writeProbe(out, 0, probe);
  return out;
}

/**
 * True when `payload` starts with the probe magic, or the sampled-probe magic of `probe-sample.ts`
 * (`a8 61 71 54`), and is long enough to hold a probe.
 */
export function hasProbe(payload: Uint8Array): boolean {
  return (
    payload.length >= PROBE_SIZE &&
    payload[0] === 0xa8 &&
    payload[1] === 0x61 &&
    (payload[2] === 0x70 || payload[2] === 0x71) &&
    payload[3] === 0x54
  );
}

/** True when `payload` is a sampled probe frame (the frames a `logProbes` candidate reports). */
export function isSampledProbe(payload: Uint8Array): boolean {
  return payload.length >= PROBE_SIZE && payload[0] === 0xa8 && payload[1] === 0x61 && payload[2] === 0x71 && payload[3] === 0x54;
}

/** The probe at the start of `payload`, or `undefined` when there is none (too short or wrong magic). */
export function readProbe(payload: Uint8Array): Probe | undefined {
  if (!hasProbe(payload)) return undefined;
  const view = new DataView(payload.buffer, payload.byteOffset, PROBE_SIZE);
  return {
    station: view.getUint32(4),
    seq: view.getUint32(8) * TWO_32 + view.getUint32(12),
    scheduledUs: view.getUint32(16) * TWO_32 + view.getUint32(20),
  };
}
