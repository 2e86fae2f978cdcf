/**
 * Side by side: several candidates under the identical load in one run (`stress --candidate A --candidate
 * B …`, `npm run bench -- --candidate A --candidate B …`). The run is cut into rounds and the candidates
 * take turns within each round, the order reversed every other round (A B, B A, …), so drift in the
 * machine (other jobs starting, thermal limits) hits all of them alike. Per candidate the figures of its
 * rounds are combined — p99: the lowest (noise only ever adds latency), RSS: the largest, CPU: the total
 * over the frames sent — and printed as ratios to the first candidate. The kit's floor (null broker) is
 * measured once at the end under the same load.
 *
 * @module
 */
import type { Candidate } from '../../candidate/candidate.ts';
import type { StressOptions, StressResult } from './stress.ts';
import { measureFloor, runStress } from './stress.ts';
import type { LatencyFloor } from './stress.ts';

/** One candidate's combined figures. */
export interface ComparedCandidate {
  readonly name: string;
  readonly manifest: string;
  /** Lowest p99 of its valid rounds, µs (0 when none was valid). */
  readonly p99Us: number;
  readonly p50Us: number;
  /** Frames every fast handler processed / frames sent, worst round. */
  readonly delivered: number;
  readonly maxRssBytes: number;
  /** CPU time of the candidate's process group per 10,000 frames sent, ms. */
  readonly cpuMsPer10kFrames: number;
  readonly validRounds: number;
  readonly rounds: readonly StressResult[];
  /** Lossless ingest ceiling, frames/s, when a benchmark measured one. */
  readonly ingestCeiling?: number;
  /** Why the ramp stopped for this candidate: `candidate` (lost frames, pushed back) or `generator` (the kit/machine could not pace the next rate: a lower bound). */
  readonly ingestStop?: 'candidate' | 'generator' | 'budget';
}

/** The outcome of a comparison. */
export interface Comparison {
  readonly kind: 'broker-comparison';
  readonly rounds: number;
  readonly candidates: readonly ComparedCandidate[];
  readonly floor: LatencyFloor | undefined;
}

/** Options of {@link runComparison}. */
export interface ComparisonOptions extends Omit<StressOptions, 'candidate' | 'floorMs'> {
  readonly candidates: readonly Candidate[];
  /** Rounds (each candidate runs `durationMs / rounds` per round). Default 2. */
  readonly rounds?: number;
  /** The kit's floor after the last round, ms (0: none). Default `min(durationMs / rounds, 10 s)`. */
  readonly floorMs?: number;
  /** Told before each run. */
  readonly onRun?: (candidate: string, round: number) => void;
}

/** The order of the candidates in round `round`: forward, then reversed, alternately. */
export function roundOrder<T>(items: readonly T[], round: number): T[] {
  return round % 2 === 0 ? [...items] : [...items].reverse();
}

/** Combine the rounds of one candidate. */
export function combineRounds(rounds: readonly StressResult[]): Omit<ComparedCandidate, 'name' | 'manifest' | 'rounds'> {
  const valid = rounds.filter((r) => r.load.valid && r.load.latency.count > 0);
  const best = [...valid].sort((a, b) => a.load.latency.p99Us - b.load.latency.p99Us)[0];
  const sent = rounds.reduce((sum, r) => sum + r.load.sent, 0);
  const cpuSeconds = rounds.reduce((sum, r) => sum + (r.proc?.cpuSeconds ?? 0), 0);
  const deliveredOf = (r: StressResult): number => {
    const fast = r.load.handlers.filter((h) => !h.slow);
    return fast.length === 0 || r.load.sent === 0 ? 0 : Math.min(...fast.map((h) => h.seen)) / r.load.sent;
  };
  return {
    p99Us: best?.load.latency.p99Us ?? 0,
    p50Us: best?.load.latency.p50Us ?? 0,
    delivered: rounds.length === 0 ? 0 : Math.min(...rounds.map(deliveredOf)),
    maxRssBytes: Math.max(0, ...rounds.map((r) => r.memory.maxRssBytes)),
    cpuMsPer10kFrames: sent > 0 ? (cpuSeconds * 1000) / (sent / 10_000) : 0,
    validRounds: valid.length,
  };
}

/** Run every candidate under the same load, interleaved; see the module doc. */
export async function runComparison(options: ComparisonOptions): Promise<Comparison> {
  const rounds = options.rounds ?? 2;
  const perRoundMs = Math.max(500, Math.round(options.durationMs / rounds));
  const { candidates, onRun, rounds: _r, floorMs: _f, ...spec } = options;
  const results = new Map<Candidate, StressResult[]>(candidates.map((c) => [c, []]));
  const aborted = (): boolean => options.signal?.aborted === true;
  for (let round = 0; round < rounds && !aborted(); round++) {
    for (const candidate of roundOrder(candidates, round)) {
      if (aborted()) break;
      onRun?.(candidate.manifest.name, round);
      const result = await runStress({ ...spec, candidate, durationMs: perRoundMs, floorMs: 0 });
      results.get(candidate)?.push(result);
    }
  }
  const floorMs = options.floorMs ?? Math.min(perRoundMs, 10_000);
  const first = results.get(candidates[0] as Candidate)?.[0];
  let floor: LatencyFloor | undefined;
  if (floorMs > 0 && first !== undefined && first.events.mode !== 'none' && !aborted()) {
    const firstP99 = combineRounds(results.get(candidates[0] as Candidate) ?? []).p99Us;
    floor = await measureFloor(spec, first.events.mode, floorMs, firstP99);
  }
  return {
    kind: 'broker-comparison',
    rounds,
    floor,
    candidates: candidates.map((c) => ({
      name: c.manifest.name,
      manifest: c.manifestPath,
      rounds: results.get(c) ?? [],
      ...combineRounds(results.get(c) ?? []),
    })),
  };
}

const ratio = (x: number, base: number): string => (base > 0 ? `${(x / base).toFixed(2)}×` : '—');

/** The comparison table: each figure, and its ratio to the first candidate's. */
export function renderComparison(c: Comparison): string {
  const base = c.candidates[0];
  const hasIngest = c.candidates.some((x) => x.ingestCeiling !== undefined);
  const header = [
    'candidate',
    ...(hasIngest ? ['ingest ceiling', '×'] : []),
    'p99',
    '×',
    'p50',
    'delivered',
    'max RSS',
    '×',
    'CPU ms/10k fr',
    '×',
    'valid rounds',
  ];
  const rows = c.candidates.map((x) => [
    x.name,
    ...(hasIngest
      ? [
          `${x.ingestStop === 'candidate' ? '' : '≥ '}${Math.round(x.ingestCeiling ?? 0).toLocaleString('en')}/s${x.ingestStop === 'generator' ? ' (kit-limited)' : ''}`,
          ratio(x.ingestCeiling ?? 0, base?.ingestCeiling ?? 0),
        ]
      : []),
    `${(x.p99Us / 1000).toFixed(2)} ms`,
    ratio(x.p99Us, base?.p99Us ?? 0),
    `${(x.p50Us / 1000).toFixed(2)} ms`,
    `${(x.delivered * 100).toFixed(2)}%`,
    `${(x.maxRssBytes / 2 ** 20).toFixed(1)} MiB`,
    ratio(x.maxRssBytes, base?.maxRssBytes ?? 0),
    x.cpuMsPer10kFrames.toFixed(0),
    ratio(x.cpuMsPer10kFrames, base?.cpuMsPer10kFrames ?? 0),
    `${x.validRounds}/${x.rounds.length}`,
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]): string =>
    cells.map((cell, i) => (i === 0 ? cell.padEnd(widths[i] ?? 0) : cell.padStart(widths[i] ?? 0))).join('  ');
  const out = [line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)];
  out.push(`(× = ratio to ${base?.name ?? 'the first'}; ${c.rounds} interleaved rounds; p99 = the lowest of a candidate's valid rounds)`);
  if (c.floor !== undefined) {
    out.push(
      `kit floor (null broker, same load, ${c.floor.events}): p99 ${(c.floor.latency.p99Us / 1000).toFixed(2)} ms, kit send lag p99 ${(c.floor.sendLag.p99Us / 1000).toFixed(2)} ms; ` +
        c.candidates
          .map((x) => `${x.name} = ${c.floor && c.floor.latency.p99Us > 0 ? (x.p99Us / c.floor.latency.p99Us).toFixed(2) : '—'}× the floor`)
          .join(', '),
    );
  }
  return out.join('\n');
}
