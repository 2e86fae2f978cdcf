import fc from 'fast-check';
import { KitError } from '../common/errors.ts';
import type { Random } from '../common/random.ts';
import { MAX_FRAME } from '../wire/frame.ts';

/** Largest legal payload: a frame header announcing more is a protocol violation (broker contract). */
export const MAX_PAYLOAD = MAX_FRAME;

/**
 * How payload sizes (bytes, excluding the 4-byte length prefix) are distributed.
 * - `fixed`: always `size`.
 * - `uniform`: uniform integer in [`min`, `max`].
 * - `realistic`: the ground-segment mix, see {@link REALISTIC_MIX}.
 */
export type SizeDistribution =
  | { readonly kind: 'fixed'; readonly size: number }
  | { readonly kind: 'uniform'; readonly min: number; readonly max: number }
  | { readonly kind: 'realistic' };

/**
 * The realistic mix, as weighted bands (weights sum to 1000). Mostly ~1 KiB housekeeping frames, some
 * multi-KiB sample bursts, a thin log-uniform tail of large dumps, and a few frames of exactly MAX_PAYLOAD.
 */
export const REALISTIC_MIX: readonly { readonly weight: number; readonly min: number; readonly max: number; readonly log: boolean }[] = [
  { weight: 880, min: 768, max: 1_280, log: false },
  { weight: 90, min: 1_281, max: 16_384, log: true },
  { weight: 25, min: 16_385, max: MAX_PAYLOAD - 1, log: true },
  { weight: 5, min: MAX_PAYLOAD, max: MAX_PAYLOAD, log: false },
];

/** Throws `LOAD_INVALID_SIZES` unless every size the distribution can produce is in [0, MAX_PAYLOAD]. */
export function checkSizeDistribution(d: SizeDistribution): void {
  const bad = (why: string): never => {
    throw new KitError('LOAD_INVALID_SIZES', `invalid size distribution: ${why}`, { distribution: d });
  };
  const ok = (n: number): boolean => Number.isInteger(n) && n >= 0 && n <= MAX_PAYLOAD;
  if (d.kind === 'fixed' && !ok(d.size)) bad(`size ${d.size} not an integer in 0..${MAX_PAYLOAD}`);
  if (d.kind === 'uniform' && (!ok(d.min) || !ok(d.max) || d.min > d.max)) bad(`range ${d.min}..${d.max}`);
}

/** Smallest and largest size the distribution can produce. */
export function sizeBounds(d: SizeDistribution): { min: number; max: number } {
  switch (d.kind) {
    case 'fixed':
      return { min: d.size, max: d.size };
    case 'uniform':
      return { min: d.min, max: d.max };
    case 'realistic':
      return { min: REALISTIC_MIX[0]?.min ?? 0, max: MAX_PAYLOAD };
  }
}

/** Short label for reports: `fixed(1024)`, `uniform(0..65536)`, `realistic`. */
export function describeSizes(d: SizeDistribution): string {
  switch (d.kind) {
    case 'fixed':
      return `fixed(${d.size})`;
    case 'uniform':
      return `uniform(${d.min}..${d.max})`;
    case 'realistic':
      return 'realistic';
  }
}

const logUniformArb = (min: number, max: number): fc.Arbitrary<number> =>
  fc
    .double({ min: Math.log(min), max: Math.log(max + 1), noNaN: true, maxExcluded: true })
    .map((x) => Math.min(max, Math.max(min, Math.floor(Math.exp(x)))));

/** fast-check arbitrary of payload sizes following `d` (shrinks towards the smallest size of a band). */
export function sizeArb(d: SizeDistribution): fc.Arbitrary<number> {
  checkSizeDistribution(d);
  switch (d.kind) {
    case 'fixed':
      return fc.constant(d.size);
    case 'uniform':
      return fc.integer({ min: d.min, max: d.max });
    case 'realistic':
      return fc.oneof(
        ...REALISTIC_MIX.map((band) => ({
          weight: band.weight,
          arbitrary: band.log ? logUniformArb(band.min, band.max) : fc.integer({ min: band.min, max: band.max }),
        })),
      );
  }
}

/** Fast seeded sampler of sizes following `d` (no fast-check; for the payload factory and the stress run). */
export function createSizeSampler(d: SizeDistribution, random: Random): () => number {
  checkSizeDistribution(d);
  switch (d.kind) {
    case 'fixed':
      return () => d.size;
    case 'uniform':
      return () => random.int(d.min, d.max);
    case 'realistic': {
      const total = REALISTIC_MIX.reduce((sum, band) => sum + band.weight, 0);
      return () => {
        let pick = random.next() * total;
        for (const band of REALISTIC_MIX) {
          pick -= band.weight;
          if (pick < 0 || band === REALISTIC_MIX[REALISTIC_MIX.length - 1]) {
            if (!band.log) return random.int(band.min, band.max);
            const x = Math.log(band.min) + random.next() * (Math.log(band.max + 1) - Math.log(band.min));
            return Math.min(band.max, Math.max(band.min, Math.floor(Math.exp(x))));
          }
        }
        return MAX_PAYLOAD;
      };
    }
  }
}
