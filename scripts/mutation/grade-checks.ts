import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { KIT_CLI, referenceManifest, type System } from './kit-cli.ts';

/**
 * How one grading of a (possibly mutated) reference ended: `killed` = some check FAILed; `survived` =
 * every check PASSed; `error` = the CLI exited 2, or some check was UNKNOWN / ERROR / NOT TESTABLE and
 * none FAILed (an environment-limited or kit-side result judges nothing); `timeout` = over the budget.
 */
export type GradeOutcome = 'survived' | 'killed' | 'error' | 'timeout';

export interface GradeResult {
  readonly outcome: GradeOutcome;
  readonly exitCode: number | null;
  readonly durationMs: number;
  /** The last lines of the CLI's output (its verdict table), for the report. */
  readonly tail: string;
  /** Check id → verdict, from the CLI's --json report (absent when it wrote none). */
  readonly verdicts?: Readonly<Record<string, string>>;
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

/**
 * Refines exit 1 with the verdicts of the CLI's --json report: only a FAIL kills; exit 1 caused only by
 * UNKNOWN (starved machine), ERROR or NOT TESTABLE verdicts is an error, never a kill.
 */
export function outcomeOf(code: number | null, verdicts: readonly string[] | undefined): GradeOutcome {
  const byExit = outcomeOfExit(code);
  if (byExit !== 'killed' || verdicts === undefined) return byExit;
  return verdicts.includes('FAIL') ? 'killed' : 'error';
}

function readVerdicts(path: string): Record<string, string> | undefined {
  try {
    const report = JSON.parse(readFileSync(path, 'utf8')) as { candidates?: { checks?: { id?: string; verdict?: string }[] }[] };
    return Object.fromEntries((report.candidates ?? []).flatMap((c) => (c.checks ?? []).map((k) => [String(k.id), String(k.verdict)])));
  } catch {
    return undefined;
  }
}

const TAIL_BYTES = 4000;

/** Grades `checks` of the reference of `system` under `cwd` with the kit's CLI. */
export function gradeChecks(options: GradeOptions): Promise<GradeResult> {
  const started = Date.now();
  const jsonDir = mkdtempSync(join(tmpdir(), 'meridian-mutant-'));
  const jsonPath = join(jsonDir, 'grade.json');
  const args = [
    '--import',
    'tsx',
    KIT_CLI,
    'grade',
    '--candidate',
    referenceManifest(options.system),
    '--only',
    options.checks.join(','),
    '--seed',
    String(options.seed),
    '--parallel',
    String(options.parallel ?? 2),
    '--quiet',
    // Recommended checks (store.quorum, broker.sigterm, …) grade their clauses too.
    '--strict',
    '--json',
    jsonPath,
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
      const verdicts = readVerdicts(jsonPath);
      rmSync(jsonDir, { recursive: true, force: true });
      resolve({
        outcome: timedOut ? 'timeout' : outcomeOf(code, verdicts && Object.values(verdicts)),
        ...(verdicts ? { verdicts } : {}),
        exitCode: code,
        durationMs: Date.now() - started,
        tail: output.trim(),
      });
    });
  });
}
