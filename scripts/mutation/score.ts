import type { System } from './kit-cli.ts';

/** A graded mutant as the mutation runner records it (project-relative file, 1-based line). */
export interface RecordedMutant {
  readonly file: string;
  readonly system: System;
  readonly line: number;
  readonly column: number;
  readonly mutator: string;
  /** The replacement source text (shortened). */
  readonly replacement: string;
  /** The original source text at the location (shortened). */
  readonly original: string;
  /** Stryker's status: Killed, Survived, Timeout, RuntimeError, CompileError, NoCoverage, Ignored. */
  readonly status: string;
  readonly reason?: string;
}

/** A stable key for a mutant across runs: where it is and what it does. */
export function mutantKey(m: Pick<RecordedMutant, 'file' | 'line' | 'column' | 'mutator' | 'replacement'>): string {
  return `${m.file}:${m.line}:${m.column} ${m.mutator} → ${m.replacement}`;
}

export interface SystemScore {
  readonly system: System;
  readonly total: number;
  readonly killed: number;
  readonly survived: number;
  /** Graded over the per-mutant budget: not counted as killed. */
  readonly timeout: number;
  /** The CLI exited with 2 (kit error) or the mutant crashed the runner: not counted as killed. */
  readonly error: number;
  /** Survivors triaged as equivalent mutants: excluded from the denominator. */
  readonly equivalent: number;
  /** killed / (total − equivalent), or undefined when nothing was graded. */
  readonly score: number | undefined;
}

/**
 * Mutation score per system. Only a FAIL verdict of a check counts as killed: a timeout or a kit error
 * says nothing about the checks, so it stays in the denominator without counting as a kill, and is shown
 * on its own. Mutants Stryker did not run (Ignored, Pending) are left out.
 */
export function scoreOf(system: System, mutants: readonly RecordedMutant[], isEquivalent: (m: RecordedMutant) => boolean): SystemScore {
  let total = 0,
    killed = 0,
    survived = 0,
    timeout = 0,
    error = 0,
    equivalent = 0;
  for (const m of mutants) {
    if (m.system !== system || m.status === 'Ignored' || m.status === 'Pending') continue;
    total++;
    if (m.status === 'Killed') killed++;
    else if (m.status === 'Timeout') timeout++;
    else if (m.status === 'RuntimeError' || m.status === 'CompileError') error++;
    else if (isEquivalent(m)) equivalent++;
    else survived++;
  }
  const graded = total - equivalent;
  return { system, total, killed, survived, timeout, error, equivalent, score: graded > 0 ? killed / graded : undefined };
}

/** "83.3% (25/30)" or "n/a". */
export function formatScore(s: SystemScore): string {
  return s.score === undefined ? 'n/a' : `${(s.score * 100).toFixed(1)}% (${s.killed}/${s.total - s.equivalent})`;
}
