import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { RecordedMutant } from './score.ts';

/**
 * The merged results of every mutation run, one entry per mutated file (a later run of a file replaces
 * its entry). Committed beside the report so docs/mutation.md can be regenerated without re-running.
 */
export const RESULTS_FILE = 'scripts/mutation/results.json';

export interface FileResults {
  readonly file: string;
  readonly checks: readonly string[];
  readonly seed: number;
  readonly finishedAt: string;
  /** Set when only these lines of the file were mutated (`--lines`). */
  readonly lines?: string;
  readonly mutants: readonly RecordedMutant[];
}

export type ResultsStore = Record<string, FileResults>;

export function loadResults(path = RESULTS_FILE): ResultsStore {
  if (!existsSync(path)) return {};
  return JSON.parse(readFileSync(path, 'utf8')) as ResultsStore;
}

export function saveResults(store: ResultsStore, path = RESULTS_FILE): void {
  mkdirSync(dirname(path), { recursive: true });
  const sorted = Object.fromEntries(Object.entries(store).sort(([a], [b]) => a.localeCompare(b)));
  writeFileSync(path, `${JSON.stringify(sorted, null, 1)}\n`);
}
