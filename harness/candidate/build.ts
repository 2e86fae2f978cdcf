import { KitError } from '../common/errors.ts';
import { checkCommandExists, type Candidate } from './candidate.ts';
import { describeShellResult, runShell, warningLines, type ShellResult } from './shell.ts';

/** The candidate's build command failed or timed out: the grade stops with exit code 2. */
export class BuildError extends KitError {}

export interface BuildOutcome {
  ran: boolean;
  durationMs: number;
  warnings: string[];
  result?: ShellResult;
}

/**
 * Runs the manifest's `build` once in its folder, in the sandbox when it is in force: there it may write
 * its folder, but the writes land in a kit-owned layer that later runs of this kit process see read-only
 * (the submission is never modified). Deadline: `timeoutMs`, default the manifest's `limits.buildTimeoutS` (15 min).
 */
export async function buildCandidate(candidate: Candidate, options: { timeoutMs?: number } = {}): Promise<BuildOutcome> {
  const command = candidate.manifest.build;
  if (command === undefined) return checkCommandExists(candidate).then(() => ({ ran: false, durationMs: 0, warnings: [] }));
  const { limits } = candidate.manifest;
  const result = await runShell(command, {
    cwd: candidate.dir,
    timeoutMs: options.timeoutMs ?? limits.buildTimeoutMs,
    limits,
    purpose: 'build',
  });
  if (result.timedOut || result.exitCode !== 0) {
    const why = describeShellResult(result);
    throw new BuildError('BUILD_FAILED', `build of ${candidate.manifest.name} (${command}) ${why}`, {
      output: result.output.split('\n').slice(-30),
    });
  }
  await checkCommandExists(candidate);
  return { ran: true, durationMs: result.durationMs, warnings: warningLines(result.output), result };
}
