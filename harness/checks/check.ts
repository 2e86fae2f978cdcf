import type { Candidate } from '../candidate/candidate.ts';
import type { SystemName } from '../candidate/manifest.ts';
import type { Random } from '../common/random.ts';
import type { Evidence } from './evidence.ts';
import type { Scope } from '../common/scope.ts';
import type { Level, Verdict } from './verdict.ts';

/** What a check gets: the candidate, its own seeded randomness, and a scope that cleans up after it. */
export interface CheckContext {
  candidate: Candidate;
  /** This check's seed (derived from the run seed and the check id). */
  seed: number;
  random: Random;
  scope: Scope;
  /** Progress notes, kept in the report's evidence notes. */
  note(message: string): void;
}

export interface CheckOutcome {
  verdict: Verdict;
  evidence: Evidence;
}

/** A conformance check: a stable id, a level, the criterion in words, and how to run it. */
export interface CheckDefinition {
  id: string;
  system: SystemName | 'build';
  level: Level;
  title: string;
  /** The criterion in words, for the report and for students. */
  criterion: string;
  /** Knobs the check cannot run without: missing → NOT_TESTABLE naming the knob. */
  needsKnobs?: string[];
  /** Loads the machine (many connections, high rates): the runner keeps such checks apart. */
  heavy?: boolean;
  /**
   * Opt-in (the reason, shown in `checks`): not run by a plain grade or flake, only with `--strict` or when
   * `--only` names its exact id (a glob such as `gossip.*` does not pull it in). Default: runs always.
   */
  optIn?: string;
  /** Hard deadline for the whole check, cleanup included. */
  timeoutMs: number;
  run(ctx: CheckContext): Promise<CheckOutcome>;
}

/** One row of a report. */
export interface CheckResult {
  id: string;
  system: string;
  level: Level;
  title: string;
  criterion: string;
  verdict: Verdict;
  evidence: Evidence;
  durationMs: number;
  seed: number;
  /** The command that replays exactly this check with the same seed. */
  replay: string;
}

export function pass(summary: string, rest: Omit<Evidence, 'summary'> = {}): CheckOutcome {
  return { verdict: 'PASS', evidence: { summary, ...rest } };
}

export function failed(summary: string, rest: Omit<Evidence, 'summary'> = {}): CheckOutcome {
  return { verdict: 'FAIL', evidence: { summary, ...rest } };
}

export function notTestable(summary: string, rest: Omit<Evidence, 'summary'> = {}): CheckOutcome {
  return { verdict: 'NOT_TESTABLE', evidence: { summary, ...rest } };
}

export function advisory(summary: string, rest: Omit<Evidence, 'summary'> = {}): CheckOutcome {
  return { verdict: 'ADVISORY', evidence: { summary, ...rest } };
}

export function unknown(summary: string, rest: Omit<Evidence, 'summary'> = {}): CheckOutcome {
  return { verdict: 'UNKNOWN', evidence: { summary, ...rest } };
}
