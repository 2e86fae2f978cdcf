import { crc32 } from 'node:zlib';
import type { Random } from '../../harness/common/random.ts';
import type { FrameSeen } from './broker-under-test.ts';

/** A frame the kit sent: its size and checksum, to compare with what handlers report. */
export interface SentFrame {
  bytes: number;
  /** Unknown for expectations given by size only: then only the byte count is compared. */
  crc32?: number;
}

export function describeFrame(payload: Uint8Array): SentFrame {
  return { bytes: payload.length, crc32: crc32(payload) };
}

/** Seeded payload bytes of an exact size (no newline-free guarantee: binary telemetry contains every byte). */
export function payloadOf(size: number, random: Random): Buffer {
  const out = Buffer.allocUnsafe(size);
  for (let i = 0; i < size; i++) out[i] = Math.floor(random.next() * 256);
  return out;
}

/** `count` distinct sizes in [min, max], shuffled, so order shows even where only byte counts are logged. */
export function distinctSizes(count: number, min: number, max: number, random: Random): number[] {
  const sizes = new Set<number>();
  while (sizes.size < count) sizes.add(random.int(min, max));
  return random.shuffle([...sizes]);
}

export interface DeliveryDiff {
  ok: boolean;
  /** Human-readable first difference. */
  problem?: string;
}

/**
 * Compares what one handler saw from one station against what was sent: same frames, same order,
 * exact byte counts, and checksums when the candidate reports them. No duplicates, no losses.
 */
export function compareDelivery(sent: readonly SentFrame[], seen: readonly FrameSeen[]): DeliveryDiff {
  const n = Math.min(sent.length, seen.length);
  for (let i = 0; i < n; i++) {
    const s = sent[i] as SentFrame;
    const o = seen[i] as FrameSeen;
    if (s.bytes !== o.bytes) {
      return {
        ok: false,
        problem: `frame #${i + 1}: sent ${s.bytes} bytes, handler ${o.handler} reported ${o.bytes} bytes (sent sizes ${preview(sent.map((f) => f.bytes))}, seen ${preview(seen.map((f) => f.bytes))})`,
      };
    }
    if (o.crc32 !== undefined && s.crc32 !== undefined && o.crc32 !== s.crc32) {
      return {
        ok: false,
        problem: `frame #${i + 1} (${s.bytes} bytes): payload differs, crc32 sent ${s.crc32.toString(16)}, reported ${o.crc32.toString(16)}`,
      };
    }
  }
  if (seen.length < sent.length)
    return {
      ok: false,
      problem: `${sent.length - seen.length} of ${sent.length} frames missing (seen sizes ${preview(seen.map((f) => f.bytes))}, sent ${preview(sent.map((f) => f.bytes))})`,
    };
  if (seen.length > sent.length)
    return {
      ok: false,
      problem: `${seen.length - sent.length} frames more than sent (duplicates or misparsed: seen sizes ${preview(seen.map((f) => f.bytes))})`,
    };
  return { ok: true };
}

function preview(values: readonly number[], max = 12): string {
  const shown = values.slice(0, max).join(',');
  return `[${shown}${values.length > max ? `,… (${values.length})` : ''}]`;
}
