/**
 * A StrykerJS test runner that grades a mutant with the kit's conformance checks. Stryker instruments the
 * reference's sources in its sandbox with every mutant behind a switch; this runner starts the kit's CLI
 * in the sandbox with `__STRYKER_ACTIVE_MUTANT__` set, so the reference processes the kit starts (via
 * tsx, from the sandbox's copy) run that one mutant. Exit 0 = the mutant survived, 1 = killed, anything
 * else is an error of its own (Stryker's RuntimeError), and a grade over the per-mutant budget a Timeout.
 *
 * Configured through the environment (set by scripts/mutation/main.ts): MERIDIAN_MUTATION_SEED,
 * MERIDIAN_MUTATION_TIMEOUT_MS, MERIDIAN_MUTATION_PARALLEL.
 */
import { declareClassPlugin, PluginKind } from '@stryker-mutator/api/plugin';
import {
  DryRunStatus,
  MutantRunStatus,
  TestStatus,
  type DryRunResult,
  type MutantRunOptions,
  type MutantRunResult,
  type TestRunner,
  type TestRunnerCapabilities,
} from '@stryker-mutator/api/test-runner';
import { gradeChecks, type GradeResult } from './grade-checks.ts';
import { targetFor, type MutationTarget } from './targets.ts';

const ACTIVE_MUTANT_ENV = '__STRYKER_ACTIVE_MUTANT__';

function settings(): { seed: number; timeoutMs: number; parallel: number; file: string | undefined } {
  return {
    seed: Number(process.env.MERIDIAN_MUTATION_SEED ?? 1),
    timeoutMs: Number(process.env.MERIDIAN_MUTATION_TIMEOUT_MS ?? 120_000),
    parallel: Number(process.env.MERIDIAN_MUTATION_PARALLEL ?? 2),
    file: process.env.MERIDIAN_MUTATION_FILE,
  };
}

/** "FAIL broker.framing, UNKNOWN broker.scale-48": the checks that did not pass, first in the reason. */
function notPassed(result: GradeResult): string {
  const bad = Object.entries(result.verdicts ?? {}).filter(([, v]) => v !== 'PASS');
  return bad.length > 0 ? bad.map(([id, v]) => `${v} ${id}`).join(', ') : `exit ${result.exitCode}`;
}

function describe(result: GradeResult): string {
  return `exit ${result.exitCode} after ${result.durationMs} ms\n${result.tail}`;
}

export class KitGradeRunner implements TestRunner {
  capabilities(): TestRunnerCapabilities {
    return { reloadEnvironment: true };
  }

  /** The unmutated reference must pass the checks of the file under mutation, or nothing can be judged. */
  async dryRun(): Promise<DryRunResult> {
    const s = settings();
    const target = s.file ? targetFor(s.file) : undefined;
    if (!target) return { status: DryRunStatus.Error, errorMessage: `MERIDIAN_MUTATION_FILE names no mutation target: ${s.file}` };
    const result = await this.grade(target, undefined);
    if (result.outcome !== 'survived') {
      return {
        status: DryRunStatus.Error,
        errorMessage: `the unmutated reference does not pass ${target.checks.join(',')}: ${describe(result)}`,
      };
    }
    return {
      status: DryRunStatus.Complete,
      tests: [
        {
          id: target.checks.join(','),
          name: `${target.system}: ${target.checks.join(', ')}`,
          status: TestStatus.Success,
          timeSpentMs: result.durationMs,
        },
      ],
    };
  }

  async mutantRun(options: MutantRunOptions): Promise<MutantRunResult> {
    const target = targetFor(options.activeMutant.fileName);
    if (!target) return { status: MutantRunStatus.Error, errorMessage: `no checks mapped for ${options.activeMutant.fileName}` };
    const result = await this.grade(target, options.activeMutant.id);
    switch (result.outcome) {
      case 'survived':
        return { status: MutantRunStatus.Survived, nrOfTests: 1 };
      case 'killed':
        return {
          status: MutantRunStatus.Killed,
          killedBy: [target.checks.join(',')],
          failureMessage: `${notPassed(result)} | ${result.tail.slice(-1200)}`,
          nrOfTests: 1,
        };
      case 'timeout':
        return { status: MutantRunStatus.Timeout, reason: `grade over ${settings().timeoutMs} ms` };
      case 'error':
        return { status: MutantRunStatus.Error, errorMessage: `${notPassed(result)} | ${describe(result).slice(-1200)}` };
    }
  }

  private grade(target: MutationTarget, mutantId: string | undefined): Promise<GradeResult> {
    const s = settings();
    const env: Record<string, string> = { [ACTIVE_MUTANT_ENV]: mutantId ?? '' };
    return gradeChecks({
      cwd: process.cwd(),
      system: target.system,
      checks: target.checks,
      seed: s.seed,
      timeoutMs: s.timeoutMs,
      parallel: s.parallel,
      env,
    });
  }
}

export const strykerPlugins = [declareClassPlugin(PluginKind.TestRunner, 'meridian-grade', KitGradeRunner)];
