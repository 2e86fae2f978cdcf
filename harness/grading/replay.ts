import { relative } from 'node:path';
import type { Candidate } from '../candidate/candidate.ts';

/** The manifest's path as the user would type it from where the kit was run. */
export function manifestLabel(candidate: Candidate): string {
  return relative(process.cwd(), candidate.manifestPath) || candidate.manifestPath;
}

/** The command that re-runs one check of one candidate with the same seed. */
export function replayCommand(candidate: Candidate, checkId: string, seed: number): string {
  return `npx meridian-kit grade --candidate ${manifestLabel(candidate)} --only ${checkId} --seed ${seed}`;
}
