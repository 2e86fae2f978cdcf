import type { BuildOutcome } from '../candidate/build.ts';
import type { Candidate } from '../candidate/candidate.ts';
import { describeShellResult, runShell } from '../candidate/shell.ts';
import { advisory, failed, pass, type CheckDefinition } from './check.ts';

/** One `build.NAME` check per manifest `checks` entry: PASS on exit 0, FAIL otherwise, with the output's tail. */
export function manifestCommandChecks(candidate: Candidate): CheckDefinition[] {
  return Object.entries(candidate.manifest.checks).map(([name, command]) => ({
    id: `build.${name}`,
    system: 'build' as const,
    level: 'required' as const,
    title: `Manifest check "${name}"`,
    criterion: `\`${command}\` exits 0 in the candidate's folder.`,
    timeoutMs: 15 * 60_000,
    async run() {
      const result = await runShell(command, { cwd: candidate.dir, timeoutMs: 14 * 60_000, limits: candidate.manifest.limits });
      const tail = result.output.trim().split('\n').slice(-20);
      if (result.exitCode === 0) return pass(`\`${command}\` exited 0 in ${Math.round(result.durationMs)} ms`, { logs: tail });
      return failed(`\`${command}\` ${describeShellResult(result)}`, { logs: tail });
    },
  }));
}

/** Build warnings, reported for people: never a pass or a fail. */
export function buildWarningsCheck(build: BuildOutcome): CheckDefinition | undefined {
  if (!build.ran) return undefined;
  return {
    id: 'build.warnings',
    system: 'build',
    level: 'advisory',
    title: 'Build warnings',
    criterion: 'The build prints no warnings (advisory).',
    timeoutMs: 1000,
    run: async () =>
      advisory(
        build.warnings.length === 0 ? 'the build printed no warnings' : `${build.warnings.length} warning line(s) in the build output`,
        { observed: build.warnings.slice(0, 20) },
      ),
  };
}
