import { spawn } from 'node:child_process';

export interface ShellResult {
  exitCode: number | null;
  signal: NodeJS.Signals | null;
  timedOut: boolean;
  output: string;
  durationMs: number;
}

/**
 * Runs a shell command in its own process group with a deadline; output (stdout+stderr interleaved) is
 * kept up to `maxOutputBytes` (the tail wins). The group is killed on timeout, so nothing outlives it.
 */
export function runShell(command: string, options: { cwd: string; timeoutMs: number; env?: NodeJS.ProcessEnv; maxOutputBytes?: number }): Promise<ShellResult> {
  const started = performance.now();
  const max = options.maxOutputBytes ?? 256 * 1024;
  return new Promise((resolve) => {
    const child = spawn('/bin/sh', ['-c', command], { cwd: options.cwd, env: options.env ?? process.env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    const append = (chunk: Buffer): void => {
      output += chunk.toString('utf8');
      if (output.length > max * 2) output = output.slice(-max);
    };
    child.stdout.on('data', append);
    child.stderr.on('data', append);
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      try {
        if (child.pid) process.kill(-child.pid, 'SIGKILL');
      } catch {
        /* gone */
      }
    }, options.timeoutMs);
    child.once('error', (error) => {
      output += `\n${error.message}`;
    });
    child.once('close', (exitCode, signal) => {
      clearTimeout(timer);
      resolve({ exitCode, signal, timedOut, output: output.slice(-max), durationMs: performance.now() - started });
    });
  });
}

/** Lines that look like compiler or linter warnings, for the ADVISORY build report. */
export function warningLines(output: string): string[] {
  return output.split('\n').filter((line) => /(^|\s)warning(\[|:|\s)/i.test(line)).slice(0, 50);
}
