/**
 * The fast path for payloads under load: a seeded pool of ready-made payloads, handed out in a seeded
 * order. Building the pool costs a few milliseconds; `next()` is an array index (millions per second),
 * so the generator's rate is never limited by payload construction.
 *
 * Sizes follow the distribution as sampled into the pool: with the default pool of 512 payloads a
 * `realistic` mix is represented by 512 draws (so ~2–3 frames in the pool are from the 16–64 KiB tail).
 *
 * @module
 */
import { KitError } from '../common/errors.ts';
import { createRandom } from '../common/random.ts';
import type { Random } from '../common/random.ts';
import { createSizeSampler, describeSizes } from './sizes.ts';
import type { SizeDistribution } from './sizes.ts';
import { randomRecord, sizedPayload } from './telemetry.ts';

/** What the payload bytes are: CBOR telemetry records, seeded random bytes, or zeros. */
export type PayloadKind = 'cbor' | 'random' | 'zeros';

/** Anything that hands out payloads; the pacer only needs this. */
export interface PayloadSource {
  /** The next payload. Callers must not mutate it (it is shared and reused). */
  next(): Uint8Array;
}

/** Options of {@link createPayloadFactory}. */
export interface PayloadFactoryOptions {
  /** Payload bytes. */
  readonly kind: PayloadKind;
  /** Seed for sizes, record contents, filler bytes and hand-out order (the factory forks it). */
  readonly seed: number;
  /** Size distribution of the payloads (bytes, excluding the 4-byte frame header). */
  readonly sizes: SizeDistribution;
  /** Distinct payloads pre-generated. Default 512 (1 for a `fixed` size of kind `zeros`). */
  readonly poolSize?: number;
  /** Cap on the pool's total bytes; the pool stops growing past it (min 1 entry). Default 32 MiB. */
  readonly maxPoolBytes?: number;
}

/** A seeded payload pool. */
export interface PayloadFactory extends PayloadSource {
  readonly kind: PayloadKind;
  /** The pre-generated payloads (read-only by contract). */
  readonly pool: readonly Uint8Array[];
  /** Mean payload size of the pool, bytes. */
  readonly meanSize: number;
  /** How many pool payloads are CBOR records (the rest, for `cbor`, were below the minimum record size). */
  readonly cborCount: number;
  /** `cbor fixed(1024) ×512` style label for reports. */
  readonly description: string;
}

const FILL_BLOCK = 64 * 1024;

function randomBytes(random: Random, length: number): Buffer {
  const out = Buffer.allocUnsafe(length);
  let i = 0;
  for (; i + 4 <= length; i += 4) out.writeUInt32LE(Math.floor(random.next() * 0x1_0000_0000), i);
  for (; i < length; i++) out[i] = random.int(0, 255);
  return out;
}

/**
 * A seeded pool of payloads following `sizes`. Same options → same pool and same sequence from `next()`.
 * CBOR payloads are sized telemetry records (see `sizedPayload`): each starts with the probe slot and is
 * exactly the sampled size; below ~200 bytes they fall back to random filler (see `sizedPayload`).
 */
export function createPayloadFactory(options: PayloadFactoryOptions): PayloadFactory {
  const { kind, seed, sizes } = options;
  const maxPoolBytes = options.maxPoolBytes ?? 32 * 1024 * 1024;
  const poolSize = options.poolSize ?? (kind === 'zeros' && sizes.kind === 'fixed' ? 1 : 512);
  if (!Number.isInteger(poolSize) || poolSize < 1) {
    throw new KitError('LOAD_INVALID_OPTION', `poolSize must be a positive integer, got ${poolSize}`);
  }
  const root = createRandom(seed);
  const sampleSize = createSizeSampler(sizes, root.fork('sizes'));
  const records = root.fork('records');
  const filler = randomBytes(root.fork('filler'), FILL_BLOCK);
  let fillCursor = 0;
  const fill = (target: Uint8Array): void => {
    for (let done = 0; done < target.length; ) {
      const take = Math.min(target.length - done, FILL_BLOCK - fillCursor);
      target.set(filler.subarray(fillCursor, fillCursor + take), done);
      done += take;
      fillCursor = (fillCursor + take) % FILL_BLOCK;
    }
  };

  const pool: Uint8Array[] = [];
  let poolBytes = 0;
  let cborCount = 0;
  while (pool.length < poolSize && (pool.length === 0 || poolBytes < maxPoolBytes)) {
    const size = sampleSize();
    let payload: Uint8Array;
    if (kind === 'zeros') {
      payload = Buffer.alloc(size);
    } else if (kind === 'random') {
      payload = Buffer.allocUnsafe(size);
      fill(payload);
    } else {
      const sized = sizedPayload(randomRecord(records, { approxBytes: Math.floor(size * 0.9) }), size, { fill });
      if (sized.encoding === 'cbor') cborCount++;
      payload = sized.bytes;
    }
    pool.push(payload);
    poolBytes += size;
  }

  const order = root.fork('order');
  const count = pool.length;
  return {
    kind,
    pool,
    meanSize: poolBytes / count,
    cborCount,
    description: `${kind} ${describeSizes(sizes)} ×${count}`,
    next: count === 1 ? () => pool[0] as Uint8Array : () => pool[Math.floor(order.next() * count)] as Uint8Array,
  };
}
