import { KitError } from '../common/errors.ts';
import { checkCommandExists, type Candidate } from './candidate.ts';
import { runShell, warningLines, type ShellResult } from './shell.ts';

/** The candidate's build command failed or timed out: the grade stops with exit code 2. */
export class BuildError extends KitError {}

export interface BuildOutcome {
  ran: boolean;
  durationMs: number;
  warnings: string[];
  result?: ShellResult;
}

/** Runs the manifest's `build` once in its folder. Default deadline 15 min. */
export async function buildCandidate(candidate: Candidate, options: { timeoutMs?: number } = {}): Promise<BuildOutcome> {
  const command = candidate.manifest.build;
  if (command === undefined) return checkCommandExists(candidate).then(() => ({ ran: false, durationMs: 0, warnings: [] }));
  const result = await runShell(command, { cwd: candidate.dir, timeoutMs: options.timeoutMs ?? 15 * 60_000 });
  if (result.timedOut || result.exitCode !== 0) {
    const why = result.timedOut ? `timed out after ${Math.round(result.durationMs / 1000)} s` : `exited with ${result.exitCode ?? result.signal}`;
    throw new BuildError('BUILD_FAILED', `build of ${candidate.manifest.name} (${command}) ${why}`, {
      output: result.output.split('\n').slice(-30),
    });
  }
  await checkCommandExists(candidate);
  return { ran: true, durationMs: result.durationMs, warnings: warningLines(result.output), result };
}
