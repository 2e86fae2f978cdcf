/**
 * The bounds the gossip suite turns into verdicts, with their arithmetic in one place (unit-tested).
 *
 * Dissemination, O(log N). With push gossip every informed node forwards a rumour to `fanout ≥ 1`
 * random members per round. Pittel (1987): with fanout 1 the last of N nodes is informed after
 * log2 N + ln N + O(1) rounds with high probability; a larger fanout only shortens it (≈ log_{1+f} N +
 * ln N / f), and push-pull anti-entropy only helps. Since ln N < log2 N, `c·⌈log2 N⌉` with **c = 2**
 * covers any fanout ≥ 1 with slack for the O(1) term and for piggyback budgets (a 250-node cluster:
 * 16 rounds; fanout 1 needs ≈ 8 + 5.5 = 13.5; the reference takes 4–5). A design that is not
 * logarithmic (relaying along a ring, one peer at a time, gossiping only to a fixed neighbour) needs
 * Ω(N / fanout) rounds, 80+ at N = 250, and fails the bound by a wide margin, so the verdict does not
 * hinge on the constant.
 */

/** ⌈log2 n⌉ for n ≥ 1 (1 for n ≤ 2, so a tiny cluster still gets a round or two). */
export function log2Ceil(n: number): number {
  if (!Number.isFinite(n) || n < 1) throw new RangeError(`log2Ceil: n must be ≥ 1, got ${n}`);
  return Math.max(1, Math.ceil(Math.log2(n) - 1e-12));
}

/** The dissemination constant c of `c·⌈log2 N⌉` (see the file comment for why 2). */
export const DISSEMINATION_C = 2;

/** Rounds within which a state change must reach every one of `n` views: c·⌈log2 n⌉. */
export function disseminationBound(n: number, c = DISSEMINATION_C): number {
  return c * log2Ceil(n);
}

/** The bound spelled out for reports: `16 = 2·⌈log2 250⌉`. */
export function describeBound(n: number, c = DISSEMINATION_C): string {
  return `${disseminationBound(n, c)} = ${c}·⌈log2 ${n}⌉`;
}

/**
 * Rounds within which some node suspects a failed member: every node probes every member once per
 * pass over its N−1 peers, a probe fails 2 rounds after it starts; 2N leaves room for an unlucky order.
 */
export function detectionBound(n: number): number {
  return 2 * n;
}

/** Rounds for a whole side of a partition to hold the other side Dead: detection, S, and dissemination. */
export function partitionDeadBound(n: number, suspicionRounds: number): number {
  return 2 * n + suspicionRounds + 10;
}

/** Mean of a list (0 for an empty one). */
export function mean(xs: readonly number[]): number {
  return xs.length === 0 ? 0 : xs.reduce((a, b) => a + b, 0) / xs.length;
}
