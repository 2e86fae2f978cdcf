import { DEFAULT_LIMITS, type Limits } from './limits.ts';
import { baseEnv, startProcess } from '../process/launcher.ts';
import type { SandboxPurpose } from '../process/sandbox.ts';
import { describeExit } from '../process/supervisor.ts';

export interface ShellResult {
  exitCode: number | null;
  signal: NodeJS.Signals | null;
  timedOut: boolean;
  /** The sandbox limit that stopped it ("memory limit 1 GiB"), when one did. */
  limit?: string;
  output: string;
  durationMs: number;
}

/** Options of {@link runShell}. */
export interface ShellOptions {
  cwd: string;
  timeoutMs: number;
  /** Extra variables on top of the candidate allowlist (see launcher.ts). */
  env?: Record<string, string>;
  /** Lines of output kept (stdout and stderr interleaved, the tail wins). Default 4000. */
  maxLines?: number;
  /** Default: limits.ts defaults. */
  limits?: Limits;
  /** `build` may write the candidate's folder (into the kit's layer); default `check` (read-only). */
  purpose?: SandboxPurpose;
}

/**
 * Runs a shell command for a candidate (its build, a manifest check) through the kit's one launcher: in
 * the sandbox when it is in force, with a deadline, killed as a whole on timeout and on Ctrl-C of the kit
 * (the launcher's `killAll`), nothing of it outliving the call.
 */
export async function runShell(command: string, options: ShellOptions): Promise<ShellResult> {
  const started = performance.now();
  const proc = startProcess(['/bin/sh', '-c', command], {
    name: `\`${command.slice(0, 60)}\``,
    cwd: options.cwd,
    env: { ...baseEnv(), ...(options.env ?? {}) },
    limits: options.limits ?? DEFAULT_LIMITS,
    purpose: options.purpose ?? 'check',
    logCapacity: options.maxLines ?? 4000,
  });
  let exit = await proc.waitExit(options.timeoutMs);
  const timedOut = exit === undefined;
  if (!exit) exit = await proc.kill();
  const output = proc.log
    .tail(options.maxLines ?? 4000)
    .map((line) => line.text)
    .join('\n');
  const result: ShellResult = { exitCode: exit.code, signal: exit.signal, timedOut, output, durationMs: performance.now() - started };
  if (exit.limit) result.limit = exit.limit;
  return result;
}

/** "timed out after 12 s", "exited with 2", "killed: memory limit 1 GiB (killed by SIGKILL)". */
export function describeShellResult(result: ShellResult): string {
  if (result.timedOut) return `timed out after ${Math.round(result.durationMs / 1000)} s`;
  if (result.limit) return describeExit({ code: result.exitCode, signal: result.signal, atMs: 0, limit: result.limit });
  return `exited with ${result.exitCode ?? result.signal}`;
}

/** Lines that look like compiler or linter warnings, for the ADVISORY build report. */
export function warningLines(output: string): string[] {
  return output
    .split('\n')
    .filter((line) => /(^|\s)warning(\[|:|\s)/i.test(line))
    .slice(0, 50);
}
