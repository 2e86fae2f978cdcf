import { spawn, type ChildProcess } from 'node:child_process';
import { constants } from 'node:os';
import type { Readable } from 'node:stream';
import { connect } from 'node:net';
import { KitError } from '../common/errors.ts';
import { LogBuffer, type LogLine } from './log-buffer.ts';
import type { Sandbox, SandboxPurpose } from './sandbox.ts';

/** The candidate did something the kit had to stop for: it never listened, it died, it hung. */
export class CandidateError extends KitError {}

export interface ExitInfo {
  code: number | null;
  signal: NodeJS.Signals | null;
  /** ms since start. */
  atMs: number;
  /** The sandbox limit that stopped it, in words ("memory limit 1 GiB"), when one did. */
  limit?: string;
}

export interface SpawnOptions {
  /** Shown in errors and reports. */
  name: string;
  cwd: string;
  env: Record<string, string>;
  /** Lines kept for evidence. Default 400. */
  logCapacity?: number;
  /** The sandbox to run it in (see launcher.ts, which decides); none: a plain child process. */
  sandbox?: Sandbox;
  /** What the process is for (the build may write its folder). Default `run`. */
  purpose?: SandboxPurpose;
  /**
   * How long the kit keeps reading the pipes after the process exited, ms: a leftover process holding
   * them (a daemonised grandchild outside a sandbox) is killed and the pipes closed then. Default 2000.
   */
  drainMs?: number;
}

const live = new Set<Supervised>();
let exitHookInstalled = false;

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  // Whatever happens to the kit (a thrown error, a test timeout, Ctrl-C), no candidate outlives it.
  process.on('exit', () => {
    for (const proc of live) {
      proc.killGroupSync('SIGKILL');
      proc.options.sandbox?.killAll();
    }
  });
}

/**
 * A candidate process in its own process group, with both pipes read continuously into a LogBuffer.
 * `kill()` always takes the whole group, so wrappers (`cargo run`, shell scripts) die with their children.
 */
export class Supervised {
  readonly log: LogBuffer;
  readonly startedAt = performance.now();
  readonly exited: Promise<ExitInfo>;
  exitInfo: ExitInfo | undefined;
  private readonly child: ChildProcess;

  constructor(
    readonly argv: string[],
    readonly options: SpawnOptions,
  ) {
    installExitHook();
    this.log = new LogBuffer(options.logCapacity ?? 400, () => performance.now() - this.startedAt);
    const [file, ...args] = argv;
    if (file === undefined) throw new CandidateError('CANDIDATE_COMMAND', `${options.name}: empty command`);
    const sandbox = options.sandbox;
    const command = sandbox ? sandbox.wrap(argv, options.env, options.cwd, options.purpose ?? 'run') : { file, args, env: options.env };
    this.child = spawn(command.file, command.args, {
      cwd: options.cwd,
      env: command.env,
      detached: true,
      // fd 3: the sandbox's PID 1 reports the candidate's exact end there (see sandbox.ts).
      stdio: sandbox ? ['ignore', 'pipe', 'pipe', 'pipe'] : ['ignore', 'pipe', 'pipe'],
    });
    live.add(this);
    let statusReport = '';
    const statusPipe = sandbox ? (this.child.stdio[3] as Readable | null) : null;
    statusPipe?.on('data', (chunk: Buffer) => {
      if (statusReport.length < 64) statusReport += chunk.toString('latin1');
    });
    this.exited = new Promise<ExitInfo>((resolve) => {
      let spawnError: Error | undefined;
      this.child.once('error', (error) => {
        spawnError = error;
        // 'close' may never come for a process that never started.
        if (this.child.pid === undefined) finish(null, null);
      });
      let drainTimer: NodeJS.Timeout | undefined;
      let finished = false;
      const finish = (code: number | null, signal: NodeJS.Signals | null): void => {
        if (finished) return;
        finished = true;
        clearTimeout(drainTimer);
        this.log.flush('stdout');
        this.log.flush('stderr');
        if (spawnError && code === null && signal === null) {
          this.log.push('stderr', Buffer.from(`[meridian-kit] could not start ${JSON.stringify(file)}: ${spawnError.message}\n`));
          code = 127;
        }
        const reported = /^(exit|signal) (\d+)\n/.exec(statusReport);
        if (reported) {
          const n = Number(reported[2]);
          if (reported[1] === 'exit') [code, signal] = [n, null];
          else [code, signal] = [null, signalName(n) ?? signal];
        }
        const info: ExitInfo = { code, signal, atMs: performance.now() - this.startedAt };
        const limit = sandbox?.limitHit(info);
        if (limit) {
          info.limit = limit;
          this.log.push('stderr', Buffer.from(`[meridian-kit] ${options.name} stopped by the sandbox: ${limit}\n`));
        }
        // Nothing of the candidate outlives its process: the sandbox's cgroup is emptied and removed.
        this.killGroupSync('SIGKILL');
        const released = sandbox ? sandbox.release() : Promise.resolve();
        void released.finally(() => {
          live.delete(this);
          this.exitInfo = info;
          resolve(info);
        });
      };
      this.child.once('close', finish);
      // A process that exited while something else holds its pipes: read them a little longer, then close.
      this.child.once('exit', (code, signal) => {
        drainTimer = setTimeout(() => {
          this.killGroupSync('SIGKILL');
          sandbox?.killAll();
          this.child.stdout?.destroy();
          this.child.stderr?.destroy();
          statusPipe?.destroy();
          this.log.push(
            'stderr',
            Buffer.from(
              `[meridian-kit] ${options.name} exited but a leftover process held its output open ${this.drainMs} ms: killed, pipes closed\n`,
            ),
          );
          finish(code, signal);
        }, this.drainMs);
      });
    });
    this.child.stdout?.on('data', (chunk: Buffer) => this.log.push('stdout', chunk));
    this.child.stderr?.on('data', (chunk: Buffer) => this.log.push('stderr', chunk));
  }

  private get drainMs(): number {
    return this.options.drainMs ?? 2000;
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  get running(): boolean {
    return this.exitInfo === undefined && this.child.pid !== undefined;
  }

  /** Sends a signal to the whole process group (as a terminal's Ctrl-C does). Returns the kit's timestamp. */
  signal(signal: NodeJS.Signals): number {
    const at = performance.now();
    if (this.running) this.killGroupSync(signal);
    return at;
  }

  killGroupSync(signal: NodeJS.Signals): void {
    const pid = this.child.pid;
    if (pid === undefined) return;
    if (signal === 'SIGKILL') this.options.sandbox?.killAll();
    try {
      process.kill(-pid, signal);
    } catch {
      try {
        process.kill(pid, signal);
      } catch {
        /* already gone */
      }
    }
  }

  /** SIGKILLs the group and waits for the exit. Safe to call any number of times. */
  async kill(): Promise<ExitInfo> {
    if (this.exitInfo) {
      // The leader may be gone while children it forked live on in the group.
      this.killGroupSync('SIGKILL');
      return this.exitInfo;
    }
    this.killGroupSync('SIGKILL');
    return this.exited;
  }

  /** Resolves with the exit, or undefined when `timeoutMs` passes first. */
  async waitExit(timeoutMs: number): Promise<ExitInfo | undefined> {
    if (this.exitInfo) return this.exitInfo;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<undefined>((resolve) => {
      timer = setTimeout(() => resolve(undefined), timeoutMs);
    });
    try {
      return await Promise.race([this.exited, timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  /** The last lines, formatted for evidence. */
  tail(n = 20): string[] {
    return this.log.tail(n).map(formatLine);
  }

  /** Waits until `host:port` accepts a TCP connection; fails fast if the process exits first. */
  async waitForPort(host: string, port: number, timeoutMs: number): Promise<void> {
    const deadline = performance.now() + timeoutMs;
    while (performance.now() < deadline) {
      if (!this.running) {
        const info = this.exitInfo ?? (await this.exited);
        throw new CandidateError(
          'CANDIDATE_EXITED',
          `${this.options.name} exited (${describeExit(info)}) before listening on ${host}:${port}`,
          {
            exit: info,
            logs: this.tail(),
          },
        );
      }
      if (await canConnect(host, port, 250)) return;
      await new Promise((resolve) => setTimeout(resolve, 40));
    }
    throw new CandidateError('CANDIDATE_NOT_READY', `${this.options.name} never opened ${host}:${port} within ${timeoutMs} ms`, {
      logs: this.tail(),
    });
  }
}

function signalName(n: number): NodeJS.Signals | undefined {
  return (Object.entries(constants.signals) as [NodeJS.Signals, number][]).find(([, value]) => value === n)?.[0];
}

export function describeExit(info: ExitInfo): string {
  const how = info.signal ? `killed by ${info.signal}` : `exit code ${info.code}`;
  return info.limit ? `${how} — sandbox ${info.limit}` : how;
}

export function formatLine(line: LogLine): string {
  return `[${(line.atMs / 1000).toFixed(3)}s ${line.stream}] ${line.text}`;
}

function canConnect(host: string, port: number, timeoutMs: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    const done = (ok: boolean): void => {
      socket.removeAllListeners();
      socket.on('error', () => {});
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

/** Kills every process the kit started that is still alive (test teardown, CLI exit). */
export async function killAll(): Promise<void> {
  await Promise.all([...live].map((proc) => proc.kill()));
}

/** How many supervised processes are alive: tests assert it returns to zero. */
export function liveCount(): number {
  return live.size;
}
