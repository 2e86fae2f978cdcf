/**
 * Pass/fail thresholds on a stress result, for CI (`stress --max-p99 5ms --min-delivered 99.9%`):
 * each is `met`, `missed`, or — never silently passed — `unknown` (the kit's own floor on this machine is
 * already above the limit: the machine, not the candidate, decided) or `not measurable` (the target
 * reports nothing the threshold needs). The command exits 1 unless every threshold is met.
 *
 * @module
 */
import type { StressResult } from './stress.ts';

/** Thresholds of a stress run. */
export interface StressThresholds {
  /** Largest acceptable p99 latency of the fast handlers, µs. Default none. */
  readonly maxP99Us?: number;
  /** Smallest acceptable fraction of the frames sent that every fast handler was seen processing. Default none. */
  readonly minDelivered?: number;
}

export type ThresholdVerdict = 'met' | 'missed' | 'unknown' | 'not measurable';

/** One threshold against its figure. */
export interface ThresholdOutcome {
  readonly threshold: 'max-p99' | 'min-delivered';
  readonly limit: number;
  /** The figure compared (µs or a fraction); undefined when not measurable. */
  readonly measured: number | undefined;
  readonly verdict: ThresholdVerdict;
  readonly why: string;
}

const ms = (us: number): string => `${(us / 1000).toFixed(us < 10_000 ? 2 : 1)} ms`;
const pct = (f: number): string => `${(f * 100).toFixed(3)}%`;

/** Compare `result` with `thresholds`; one outcome per threshold given. */
export function checkThresholds(result: StressResult, thresholds: StressThresholds): ThresholdOutcome[] {
  const out: ThresholdOutcome[] = [];
  const l = result.load;
  if (thresholds.maxP99Us !== undefined) {
    const limit = thresholds.maxP99Us;
    const p99 = l.latency.p99Us;
    const floorP99 = result.floor?.latency.p99Us;
    if (l.latency.count === 0)
      out.push({ threshold: 'max-p99', limit, measured: undefined, verdict: 'not measurable', why: 'no latency was measured' });
    else if (p99 <= limit)
      out.push({ threshold: 'max-p99', limit, measured: p99, verdict: 'met', why: `p99 ${ms(p99)} ≤ ${ms(limit)} (${l.latencySource})` });
    else if (floorP99 !== undefined && floorP99 > limit) {
      out.push({
        threshold: 'max-p99',
        limit,
        measured: p99,
        verdict: 'unknown',
        why: `p99 ${ms(p99)} > ${ms(limit)}, but the kit's own floor (null broker, same load) was ${ms(floorP99)}: the machine cannot show this limit now`,
      });
    } else
      out.push({
        threshold: 'max-p99',
        limit,
        measured: p99,
        verdict: 'missed',
        why: `p99 ${ms(p99)} > ${ms(limit)} (${l.latencySource}${floorP99 !== undefined ? `; the kit's floor was ${ms(floorP99)}` : ''})`,
      });
  }
  if (thresholds.minDelivered !== undefined) {
    const limit = thresholds.minDelivered;
    const fast = l.handlers.filter((h) => !h.slow && h.source !== 'none');
    if (fast.length === 0 || l.sent === 0) {
      out.push({
        threshold: 'min-delivered',
        limit,
        measured: undefined,
        verdict: 'not measurable',
        why: l.sent === 0 ? 'nothing was sent' : 'the candidate reported no frames or stats to the kit',
      });
    } else {
      const worst = fast.reduce((a, b) => (a.seen <= b.seen ? a : b));
      const delivered = Math.min(1, worst.seen / l.sent);
      out.push({
        threshold: 'min-delivered',
        limit,
        measured: delivered,
        verdict: delivered >= limit ? 'met' : 'missed',
        why: `handler ${worst.handler} processed ${worst.seen.toLocaleString('en')} of ${l.sent.toLocaleString('en')} frames sent = ${pct(delivered)} ${delivered >= limit ? '≥' : '<'} ${pct(limit)}`,
      });
    }
  }
  return out;
}

/** The lines the command prints for `outcomes`. */
export function renderThresholds(outcomes: readonly ThresholdOutcome[]): string {
  return outcomes.map((o) => `threshold  --${o.threshold}: ${o.verdict.toUpperCase()} — ${o.why}`).join('\n');
}
