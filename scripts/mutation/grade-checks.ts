import { spawn } from 'node:child_process';
import { KIT_CLI, referenceManifest, type System } from './kit-cli.ts';

/** How one grading of a (possibly mutated) reference ended. */
export type GradeOutcome = 'survived' | 'killed' | 'error' | 'timeout';

export interface GradeResult {
  readonly outcome: GradeOutcome;
  readonly exitCode: number | null;
  readonly durationMs: number;
  /** The last lines of the CLI's output (its verdict table), for the report. */
  readonly tail: string;
}

export interface GradeOptions {
  /** Project root to grade in (Stryker's sandbox copy). */
  readonly cwd: string;
  readonly system: System;
  readonly checks: readonly string[];
  readonly seed: number;
  /** Kill the grade (SIGTERM, then SIGKILL 10 s later) after this long; the outcome is `timeout`. */
  readonly timeoutMs: number;
  /** Checks graded at once (the CLI's --parallel); default 2 for a 2-core machine. */
  readonly parallel?: number;
  /** Extra environment for the CLI and, through it, the reference processes. */
  readonly env?: Readonly<Record<string, string>>;
}

/** Exit code of the kit's CLI → outcome: 0 every check passed (survived), 1 a check failed (killed). */
export function outcomeOfExit(code: number | null): GradeOutcome {
  if (code === 0) return 'survived';
  if (code === 1) return 'killed';
  return 'error';
}

const TAIL_BYTES = 4000;

/** Grades `checks` of the reference of `system` under `cwd` with the kit's CLI. */
export function gradeChecks(options: GradeOptions): Promise<GradeResult> {
  const started = Date.now();
  const args = [
    '--import', 'tsx', KIT_CLI, 'grade',
    '--candidate', referenceManifest(options.system),
    '--only', options.checks.join(','),
    '--seed', String(options.seed),
    '--parallel', String(options.parallel ?? 2),
    '--quiet',
  ];
  const passEnv = [process.env.MERIDIAN_PASS_ENV, ...Object.keys(options.env ?? {})].filter(Boolean).join(',');
  const child = spawn(process.execPath, args, {
    cwd: options.cwd,
    env: { ...process.env, ...options.env, ...(passEnv ? { MERIDIAN_PASS_ENV: passEnv } : {}) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const keep = (chunk: Buffer): void => {
    output = (output + chunk.toString('utf8')).slice(-TAIL_BYTES);
  };
  child.stdout.on('data', keep);
  child.stderr.on('data', keep);
  return new Promise((resolve) => {
    let timedOut = false;
    let hardKill: NodeJS.Timeout | undefined;
    // SIGTERM first: the CLI's handler stops every candidate process it started before it exits.
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGTERM');
      hardKill = setTimeout(() => child.kill('SIGKILL'), 10_000);
    }, options.timeoutMs);
    child.on('close', (code) => {
      clearTimeout(timer);
      if (hardKill) clearTimeout(hardKill);
      resolve({
        outcome: timedOut ? 'timeout' : outcomeOfExit(code),
        exitCode: code,
        durationMs: Date.now() - started,
        tail: output.trim(),
      });
    });
  });
}
