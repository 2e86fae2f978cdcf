/**
 * Side-by-side benchmark (`npm run bench -- --candidate A.json --candidate B.json …`): every candidate
 * under the identical load in one run, interleaved so drift in the machine hits all alike, then one table of
 * ratios to the first candidate (see `harness/load/stress/compare.ts`).
 *
 * 1. Lossless ingest ceiling: a shared ramp (48 connections, 1 KiB CBOR, 3 handlers, events `auto`:
 *    probes + stats where the manifest allows, else whatever the candidate logs) from 10,000 frames/s,
 *    ×1.5 per step; at every step each candidate still in the race runs in turn (order reversed every other
 *    step); a rate counts when one of two tries is valid and no handler lost a frame. A candidate's
 *    ceiling is its last such rate (a lower bound at the ramp's ×1.5 resolution).
 * 2. Seed load (10,000 frames/s, frame events): `rounds` interleaved rounds per candidate → p99 (lowest valid
 *    round), largest RSS, CPU per 10,000 frames; the kit's floor (null broker) once at the end.
 *
 *   npx tsx scripts/bench-compare.ts --candidate reference/broker/manifest.json --candidate fixtures/candidates/ts-broker/manifest.json
 *
 * @module
 */
import { pathToFileURL } from 'node:url';
import { buildCandidate } from '../harness/candidate/build.ts';
import { loadCandidate } from '../harness/candidate/candidate.ts';
import type { Candidate } from '../harness/candidate/candidate.ts';
import { killAll } from '../harness/process/supervisor.ts';
import { renderComparison, roundOrder, runComparison, runStress } from '../harness/load/stress/index.ts';
import type { Comparison } from '../harness/load/stress/index.ts';

export interface BenchCompareOptions {
  readonly manifests: readonly string[];
  /** Ramp step length, ms. Default 2000. */
  readonly stepMs?: number;
  /** No ramp step starts after this long, ms. Default 60,000. */
  readonly rampBudgetMs?: number;
  /** Seed-load length per candidate per round, ms. Default 5000. */
  readonly seedLoadMs?: number;
  /** Default 2. */
  readonly rounds?: number;
  readonly seed?: number;
  readonly log?: (line: string) => void;
}

const SPEC = { connections: 48, sizes: { kind: 'fixed', size: 1024 }, payload: 'cbor', handlers: 3 } as const;

/** Run the comparison; see the module doc. */
export async function benchCompare(options: BenchCompareOptions): Promise<Comparison> {
  const log = options.log ?? (() => undefined);
  const seed = options.seed ?? 1;
  const stepMs = options.stepMs ?? 2000;
  const budgetMs = options.rampBudgetMs ?? 60_000;
  const candidates: Candidate[] = [];
  for (const path of options.manifests) {
    const candidate = await loadCandidate(path);
    await buildCandidate(candidate);
    candidates.push(candidate);
  }
  const ceiling = new Map<Candidate, number>(candidates.map((c) => [c, 0]));
  const stop = new Map<Candidate, 'candidate' | 'generator' | 'budget'>(candidates.map((c) => [c, 'budget']));
  const started = Date.now();
  let alive = [...candidates];
  for (let rate = 10_000, step = 0; alive.length > 0 && Date.now() - started + stepMs * 2 * alive.length < budgetMs; rate *= 1.5, step++) {
    const next: Candidate[] = [];
    for (const candidate of roundOrder(alive, step)) {
      let ok = false;
      let kitLimited = false;
      for (let attempt = 0; attempt < 2 && !ok; attempt++) {
        const r = await runStress({ ...SPEC, candidate, rate, durationMs: stepMs, seed, events: 'auto', drainMs: 2000, floorMs: 0 });
        const maxLoss = Math.max(0, ...r.load.handlers.map((h) => h.loss));
        const missed = r.load.handlers.reduce((sum, h) => sum + h.missedReported, 0);
        ok = r.load.valid && r.load.handlers.length === SPEC.handlers && maxLoss === 0 && missed === 0;
        kitLimited = r.load.limitedBy === 'generator' && maxLoss === 0 && missed === 0;
        log(
          `ingest ${candidate.manifest.name} @ ${Math.round(rate).toLocaleString('en')}/s: sent ${Math.round(r.load.achievedRate).toLocaleString('en')}/s (${r.load.limitedBy}), max loss ${maxLoss}, missed ${missed} → ${ok ? 'ok' : 'short'}`,
        );
      }
      if (ok) {
        ceiling.set(candidate, rate);
        next.push(candidate);
      } else stop.set(candidate, kitLimited ? 'generator' : 'candidate');
    }
    alive = candidates.filter((c) => next.includes(c));
  }
  const comparison = await runComparison({
    ...SPEC,
    candidates,
    rate: 10_000,
    durationMs: (options.seedLoadMs ?? 5000) * (options.rounds ?? 2),
    rounds: options.rounds ?? 2,
    seed,
    events: 'frames',
    floorMs: 5000,
    onRun: (name, round) => log(`seed load round ${round + 1}: ${name}`),
  });
  return {
    ...comparison,
    candidates: comparison.candidates.map((c, i) => ({
      ...c,
      ingestCeiling: ceiling.get(candidates[i] as Candidate) ?? 0,
      ingestStop: stop.get(candidates[i] as Candidate) ?? 'budget',
    })),
  };
}

/** The `--candidate` values of `argv`. */
export function candidateArgs(argv: readonly string[]): string[] {
  return argv.flatMap((a, i) => (a === '--candidate' && argv[i + 1] !== undefined ? [argv[i + 1] as string] : []));
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  try {
    const result = await benchCompare({ manifests: candidateArgs(process.argv), log: (l) => console.log(`  ${l}`) });
    console.log(renderComparison(result));
  } finally {
    await killAll();
  }
}
