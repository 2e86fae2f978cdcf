/**
 * Seeded randomness for the gossip core. The core never calls Math.random: every node gets its own
 * stream, derived from the run seed and the node id, so a simulation (or a round-driven run) replays
 * exactly for a given seed.
 */
export interface Rng {
  /** Uniform float in [0, 1). */
  next(): number;
  /** Uniform integer in [0, n). */
  below(n: number): number;
  /** Up to `k` distinct elements of `items`, uniformly (partial Fisher–Yates on a copy). */
  sample<T>(items: readonly T[], k: number): T[];
  /** A uniformly shuffled copy. */
  shuffle<T>(items: readonly T[]): T[];
}

/** FNV-1a of `label` folded into `seed`: a stable sub-seed per node / per purpose. */
export function subSeed(seed: number, label: string): number {
  let h = (0x811c9dc5 ^ (seed >>> 0)) >>> 0;
  for (let i = 0; i < label.length; i++) {
    h ^= label.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h >>> 0;
}

/** A mulberry32 generator: small, fast and plenty for peer selection. */
export function seededRng(seed: number): Rng {
  let state = seed >>> 0;
  const next = (): number => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const below = (n: number): number => Math.floor(next() * n);
  const sample = <T>(items: readonly T[], k: number): T[] => {
    const copy = items.slice();
    const take = Math.max(0, Math.min(k, copy.length));
    for (let i = 0; i < take; i++) {
      const j = i + below(copy.length - i);
      const tmp = copy[i] as T;
      copy[i] = copy[j] as T;
      copy[j] = tmp;
    }
    return copy.slice(0, take);
  };
  return { next, below, sample, shuffle: (items) => sample(items, items.length) };
}
