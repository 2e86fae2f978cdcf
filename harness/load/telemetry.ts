/**
 * Realistic CBOR telemetry records: their shape, fast-check arbitraries (for conformance property checks),
 * a seeded fast generator (for the payload factory), the CBOR codec, and payloads of an exact byte size.
 *
 * Encoding: a CBOR map (preferred serialization, cbor-x) with text keys
 * `station`, `satellite`, `ts` (uint, µs since the Unix epoch), `seq` (uint), `values` (map of scalars),
 * `samples` (map channel → array of floats or ints). Floats are float64.
 *
 * A *sized* payload (see {@link sizedPayload}) is the same map with two more entries, giving 8: first
 * `p` (a 20-byte string: the probe slot, see `probe.ts`, so the payload starts with the probe magic) and
 * last `pad` (a byte string sized so the whole payload has exactly the requested length).
 *
 * @module
 */
import { Encoder } from 'cbor-x';
import fc from 'fast-check';
import { KitError } from '../common/errors.ts';
import type { Random } from '../common/random.ts';
import { PROBE_MAGIC, PROBE_SIZE } from './probe.ts';
import { sizeArb } from './sizes.ts';
import type { SizeDistribution } from './sizes.ts';

export * from './sizes.ts';

/** Operating mode reported in housekeeping values. */
export type SpacecraftMode = 'nominal' | 'safe' | 'eclipse' | 'downlink';
export const SPACECRAFT_MODES: readonly SpacecraftMode[] = ['nominal', 'safe', 'eclipse', 'downlink'];

/** A few housekeeping scalars. */
export interface TelemetryValues {
  mode: SpacecraftMode;
  /** Bus voltage, volts (float). */
  batteryV: number;
  /** Board temperature, °C (float). */
  tempC: number;
  /** Link signal-to-noise ratio, dB (float). */
  snrDb: number;
  /** Received power, dBm (integer). */
  rssiDbm: number;
  /** Receiver carrier lock. */
  locked: boolean;
}

/** Sample channels: float channels (`iq`, `gyro`) and integer channels (`adc`, `counts`); any may be absent. */
export interface TelemetrySamples {
  iq?: number[];
  gyro?: number[];
  adc?: number[];
  counts?: number[];
}

/** One telemetry record as a ground station forwards it. */
export interface TelemetryRecord {
  /** Ground station id, `gs-00` … `gs-99`. */
  station: string;
  /** Satellite id, `MSS-00` … `MSS-99`. */
  satellite: string;
  /** Acquisition time, integer µs since the Unix epoch (a safe integer; CBOR uint64). */
  ts: number;
  /** Per-satellite record counter (u32). */
  seq: number;
  values: TelemetryValues;
  samples: TelemetrySamples;
}

/** Channel order used when trimming samples to fit a size. */
export const SAMPLE_CHANNELS: readonly (keyof TelemetrySamples)[] = ['iq', 'gyro', 'adc', 'counts'];

const TS_MIN = Date.UTC(2024, 0, 1) * 1000;
const TS_MAX = Date.UTC(2036, 0, 1) * 1000;
const FLOAT_CHANNEL_LIMIT = 1e4;

// ---------------------------------------------------------------------------------------------- codec

// int64AsNumber: uint64 `ts` decodes to a number (it is a safe integer), not a BigInt.
const cbor = new Encoder({
  useRecords: false,
  mapsAsObjects: true,
  variableMapSize: true,
  tagUint8Array: false,
  int64AsNumber: true,
} as ConstructorParameters<typeof Encoder>[0]);

/** cbor-x writes numbers ≥ 2^32 as floats; a BigInt makes `ts` a CBOR uint64 as the schema says. */
function toWire(record: TelemetryRecord): Record<string, unknown> {
  return { ...record, ts: BigInt(record.ts) };
}

/** CBOR encoding of a record (a map of 6 entries, preferred serialization). */
export function encodeRecord(record: TelemetryRecord): Buffer {
  return cbor.encode(toWire(record));
}

/** Decode one CBOR item (no validation of the record shape). Throws cbor-x's error on malformed input. */
export function decodeCbor(bytes: Uint8Array): unknown {
  return cbor.decode(bytes);
}

/** What a sized payload decodes to: the record, the 20-byte probe slot and the padding length. */
export interface DecodedTelemetry {
  record: TelemetryRecord;
  probeSlot: Uint8Array | undefined;
  padLength: number;
}

/** Decode a plain or sized CBOR telemetry payload. Throws `TELEMETRY_NOT_A_RECORD` if it is not a map. */
export function decodeTelemetry(bytes: Uint8Array): DecodedTelemetry {
  const value = cbor.decode(bytes) as unknown;
  if (value === null || typeof value !== 'object' || Array.isArray(value) || value instanceof Uint8Array) {
    throw new KitError('TELEMETRY_NOT_A_RECORD', 'payload does not decode to a CBOR map');
  }
  const { p, pad, ...record } = value as Record<string, unknown>;
  return {
    record: record as unknown as TelemetryRecord,
    probeSlot: p instanceof Uint8Array ? p : undefined,
    padLength: pad instanceof Uint8Array ? pad.length : 0,
  };
}

// -------------------------------------------------------------------------------------- arbitraries

const twoDigits = (n: number): string => String(n).padStart(2, '0');
const noNegativeZero = (x: number): number => (x === 0 ? 0 : x);
const floatIn = (min: number, max: number): fc.Arbitrary<number> =>
  fc.double({ min, max, noNaN: true, noDefaultInfinity: true }).map(noNegativeZero);

/** `gs-00` … `gs-99`. */
export const stationIdArb: fc.Arbitrary<string> = fc.integer({ min: 0, max: 99 }).map((n) => `gs-${twoDigits(n)}`);
/** `MSS-00` … `MSS-99`. */
export const satelliteIdArb: fc.Arbitrary<string> = fc.integer({ min: 0, max: 99 }).map((n) => `MSS-${twoDigits(n)}`);

/** Housekeeping scalars within physically plausible ranges. */
export const telemetryValuesArb: fc.Arbitrary<TelemetryValues> = fc.record({
  mode: fc.constantFrom(...SPACECRAFT_MODES),
  batteryV: floatIn(20, 34),
  tempC: floatIn(-40, 85),
  snrDb: floatIn(-5, 40),
  rssiDbm: fc.integer({ min: -140, max: -30 }),
  locked: fc.boolean(),
});

/** Options of {@link telemetryRecordArb}. */
export interface TelemetryRecordArbOptions {
  /** Longest sample array per channel. Default 64 (records up to ~2 KiB). */
  readonly maxSamples?: number;
}

/** Arbitrary telemetry records (every field in range, no NaN / −0 / infinities, so they round-trip). */
export function telemetryRecordArb(options: TelemetryRecordArbOptions = {}): fc.Arbitrary<TelemetryRecord> {
  const maxLength = options.maxSamples ?? 64;
  const floats = fc.array(floatIn(-FLOAT_CHANNEL_LIMIT, FLOAT_CHANNEL_LIMIT), { maxLength });
  const samples: fc.Arbitrary<TelemetrySamples> = fc.record(
    {
      iq: floats,
      gyro: floats,
      adc: fc.array(fc.integer({ min: -32_768, max: 32_767 }), { maxLength }),
      counts: fc.array(fc.integer({ min: 0, max: 65_535 }), { maxLength }),
    },
    { requiredKeys: [] },
  );
  return fc.record({
    station: stationIdArb,
    satellite: satelliteIdArb,
    ts: fc.bigInt({ min: BigInt(TS_MIN), max: BigInt(TS_MAX) }).map(Number),
    seq: fc.bigInt({ min: 0n, max: 0xffff_ffffn }).map(Number),
    values: telemetryValuesArb,
    samples,
  });
}

/** A record together with a payload of exactly `size` bytes built from it (see {@link sizedPayload}). */
export interface SizedTelemetryCase {
  readonly record: TelemetryRecord;
  readonly size: number;
  readonly payload: SizedPayload;
}

/** Arbitrary exact-size telemetry payloads with sizes following `sizes`. */
export function sizedTelemetryArb(sizes: SizeDistribution, options: TelemetryRecordArbOptions = {}): fc.Arbitrary<SizedTelemetryCase> {
  return fc
    .tuple(telemetryRecordArb(options), sizeArb(sizes))
    .map(([record, size]) => ({ record, size, payload: sizedPayload(record, size) }));
}

// --------------------------------------------------------------------------------- seeded generator

/** Options of {@link randomRecord}. */
export interface RandomRecordOptions {
  /** Aim for an encoded record of about this many bytes (sample arrays are sized to fill it). Default 900. */
  readonly approxBytes?: number;
}

/**
 * A record from the kit's seeded stream (no fast-check, cheap): same shape and ranges as the arbitrary.
 * Float channels take ~9 bytes per sample, integer channels 1–3, so `approxBytes` is met to within ~10%.
 */
export function randomRecord(random: Random, options: RandomRecordOptions = {}): TelemetryRecord {
  const budget = Math.max(0, (options.approxBytes ?? 900) - 150);
  const float = (): number => noNegativeZero((random.next() * 2 - 1) * FLOAT_CHANNEL_LIMIT);
  const nFloat = Math.floor((budget * 0.6) / 9 / 2);
  const nInt = Math.floor((budget * 0.4) / 3 / 2);
  return {
    station: `gs-${twoDigits(random.int(0, 99))}`,
    satellite: `MSS-${twoDigits(random.int(0, 99))}`,
    ts: random.int(TS_MIN, TS_MAX),
    seq: random.int(0, 0xffff_ffff),
    values: {
      mode: random.pick(SPACECRAFT_MODES),
      batteryV: 20 + random.next() * 14,
      tempC: -40 + random.next() * 125,
      snrDb: -5 + random.next() * 45,
      rssiDbm: random.int(-140, -30),
      locked: random.chance(0.9),
    },
    samples: {
      iq: Array.from({ length: nFloat }, float),
      gyro: Array.from({ length: nFloat }, float),
      adc: Array.from({ length: nInt }, () => random.int(-32_768, 32_767)),
      counts: Array.from({ length: nInt }, () => random.int(0, 65_535)),
    },
  };
}

// ------------------------------------------------------------------------------- exact-size payloads

/** A payload of an exact size. */
export interface SizedPayload {
  /** Exactly the requested number of bytes. */
  readonly bytes: Buffer;
  /** `cbor`: a well-formed telemetry map starting with the probe slot; `raw`: filler bytes (size too small). */
  readonly encoding: 'cbor' | 'raw';
  /** The record as encoded (samples possibly trimmed to fit); `undefined` for `raw`. */
  readonly record: TelemetryRecord | undefined;
  /** How many samples were dropped (from the end of the channels, in {@link SAMPLE_CHANNELS} order) to fit. */
  readonly trimmedSamples: number;
}

/** Options of {@link sizedPayload}. */
export interface SizedPayloadOptions {
  /** Fills the `pad` byte string and `raw` payloads. Default: leave zeros. */
  readonly fill?: (target: Uint8Array) => void;
}

const MAP6 = 0xa6;
/** Key "pad" as CBOR text. */
const PAD_KEY = [0x63, 0x70, 0x61, 0x64];
/** Bytes before the record entries: the map(8) header and the `p` entry (= the probe). */
const PREFIX_SIZE = PROBE_SIZE;
/** Fixed overhead around the record entries: prefix + pad key + a 1-byte pad header (empty pad). */
const SIZED_OVERHEAD = PREFIX_SIZE + PAD_KEY.length + 1;

/** Bytes a CBOR byte string of `length` takes with a header of `width` bytes, if that width can say it. */
function fitsWidth(length: number, width: number): boolean {
  switch (width) {
    case 1:
      return length <= 23;
    case 2:
      return length <= 0xff;
    case 3:
      return length <= 0xffff;
    case 5:
      return length <= 0xffff_ffff;
    default:
      return false;
  }
}

/**
 * Pick the header width for a pad whose header + content must take exactly `extra` bytes.
 * The narrowest width that works wins, which is CBOR's preferred serialization except at the two gaps
 * (`extra` = 25 and 258) where it uses the next width with a small length (still well-formed CBOR).
 */
function padLayout(extra: number): { width: number; length: number } | undefined {
  for (const width of [1, 2, 3, 5]) {
    const length = extra - width;
    if (length >= 0 && fitsWidth(length, width)) return { width, length };
  }
  return undefined;
}

function writePadHeader(target: Buffer, offset: number, width: number, length: number): void {
  if (width === 1) {
    target[offset] = 0x40 | length;
  } else if (width === 2) {
    target[offset] = 0x58;
    target.writeUInt8(length, offset + 1);
  } else if (width === 3) {
    target[offset] = 0x59;
    target.writeUInt16BE(length, offset + 1);
  } else {
    target[offset] = 0x5a;
    target.writeUInt32BE(length, offset + 1);
  }
}

/** The record's 6 entries without their map header. Throws `TELEMETRY_BAD_SHAPE` for other key counts. */
function recordEntries(record: TelemetryRecord): Buffer {
  const encoded = encodeRecord(record);
  if (encoded[0] !== MAP6) {
    throw new KitError('TELEMETRY_BAD_SHAPE', 'a telemetry record must have exactly its 6 fields to be sized', {
      keys: Object.keys(record),
    });
  }
  return encoded.subarray(1);
}

function totalSamples(record: TelemetryRecord): number {
  return SAMPLE_CHANNELS.reduce((sum, channel) => sum + (record.samples[channel]?.length ?? 0), 0);
}

/** A copy of `record` keeping only the first `keep` samples (channels in {@link SAMPLE_CHANNELS} order). */
export function keepSamples(record: TelemetryRecord, keep: number): TelemetryRecord {
  const samples: TelemetrySamples = {};
  let left = keep;
  for (const channel of SAMPLE_CHANNELS) {
    const values = record.samples[channel];
    if (values === undefined) continue;
    samples[channel] = values.slice(0, Math.max(0, left));
    left -= samples[channel].length;
  }
  return { ...record, samples };
}

/** Smallest sized CBOR payload this record can make (all samples dropped, empty pad). */
export function minimumSizedLength(record: TelemetryRecord): number {
  return SIZED_OVERHEAD + recordEntries(keepSamples(record, 0)).length;
}

/**
 * A payload of exactly `size` bytes carrying `record` (see the module doc for the layout), for any
 * `size` in 0..65,536:
 * - if the record fits, it is padded with the `pad` byte string;
 * - if it is too big, samples are dropped from the end until it fits (`trimmedSamples` says how many);
 * - if even the sample-less record does not fit (sizes below ~{@link minimumSizedLength}, about 150 bytes),
 *   the payload is `raw` filler bytes instead of CBOR (no probe slot; the pacer still stamps a probe over
 *   the first 24 bytes of any payload of ≥ 24 bytes, so probes work for all sizes ≥ 24).
 */
export function sizedPayload(record: TelemetryRecord, size: number, options: SizedPayloadOptions = {}): SizedPayload {
  if (!Number.isInteger(size) || size < 0) throw new KitError('TELEMETRY_BAD_SIZE', `bad payload size ${size}`, { size });
  let entries = recordEntries(record);
  let encoded = record;
  let trimmed = 0;
  if (SIZED_OVERHEAD + entries.length > size) {
    const total = totalSamples(record);
    const fits = (keep: number): Buffer | undefined => {
      const candidate = recordEntries(keepSamples(record, keep));
      return SIZED_OVERHEAD + candidate.length <= size ? candidate : undefined;
    };
    if (fits(0) === undefined) {
      const bytes = Buffer.alloc(size);
      options.fill?.(bytes);
      return { bytes, encoding: 'raw', record: undefined, trimmedSamples: total };
    }
    let lo = 0; // fits
    let hi = total; // does not fit
    while (hi - lo > 1) {
      const mid = (lo + hi) >>> 1;
      if (fits(mid) !== undefined) lo = mid;
      else hi = mid;
    }
    encoded = keepSamples(record, lo);
    entries = recordEntries(encoded);
    trimmed = total - lo;
  }
  const extra = size - PREFIX_SIZE - entries.length - PAD_KEY.length;
  const layout = padLayout(extra);
  if (layout === undefined) throw new KitError('TELEMETRY_BAD_SIZE', `cannot pad to ${size} bytes`, { size });
  const bytes = Buffer.alloc(size);
  bytes.set(PROBE_MAGIC, 0); // map(8) header, key "p", bytes(20) header; the 20 probe bytes stay zero
  let offset = PREFIX_SIZE;
  entries.copy(bytes, offset);
  offset += entries.length;
  for (const byte of PAD_KEY) bytes[offset++] = byte;
  writePadHeader(bytes, offset, layout.width, layout.length);
  offset += layout.width;
  options.fill?.(bytes.subarray(offset, offset + layout.length));
  return { bytes, encoding: 'cbor', record: encoded, trimmedSamples: trimmed };
}
