/**
 * One memory+pids cgroup per sandboxed candidate process: limits, "which limit killed it", and a kill of
 * the whole tree. cgroup v1 (a hierarchy per controller, as on these machines) and v2 (one unified
 * hierarchy, current CI runners) are both handled; everything lives under `meridian-kit/`.
 *
 * @module
 */
import { isProcessAlive } from '../common/pid.ts';
import { existsSync, mkdirSync, readFileSync, readdirSync, rmdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const ROOT = '/sys/fs/cgroup';
const GROUP = 'meridian-kit';

export interface CgroupSupport {
  version: 'v1' | 'v2';
  /** v1: the memory and pids hierarchies' meridian-kit folders; v2: one folder. */
  parents: string[];
}

function tryWrite(path: string, text: string): boolean {
  try {
    writeFileSync(path, text);
    return true;
  } catch {
    return false;
  }
}

function read(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return '';
  }
}

/** Finds a writable memory+pids cgroup hierarchy and makes `meridian-kit/` in it; undefined when none. */
export function detectCgroups(): CgroupSupport | undefined {
  const v1 = [join(ROOT, 'memory'), join(ROOT, 'pids')];
  if (v1.every((dir) => existsSync(join(dir, 'cgroup.procs')))) {
    const parents = v1.map((dir) => join(dir, GROUP));
    try {
      for (const p of parents) mkdirSync(p, { recursive: true });
      sweepStale(parents);
      return { version: 'v1', parents };
    } catch {
      /* not writable: try v2 */
    }
  }
  if (existsSync(join(ROOT, 'cgroup.controllers'))) {
    const controllers = read(join(ROOT, 'cgroup.controllers'));
    if (!/\bmemory\b/.test(controllers) || !/\bpids\b/.test(controllers)) return undefined;
    const parent = join(ROOT, GROUP);
    try {
      mkdirSync(parent, { recursive: true });
      // Controllers must be enabled on every level above the leaf; fails (EBUSY) in a container whose root
      // cgroup holds processes, which is then reported as "no limits".
      if (!/\bmemory\b/.test(read(join(ROOT, 'cgroup.subtree_control'))))
        writeFileSync(join(ROOT, 'cgroup.subtree_control'), '+memory +pids');
      writeFileSync(join(parent, 'cgroup.subtree_control'), '+memory +pids');
      sweepStale([parent]);
      return { version: 'v2', parents: [parent] };
    } catch {
      return undefined;
    }
  }
  return undefined;
}

/** Removes empty cgroups left by kit processes that died without tearing down (SIGKILL). */
function sweepStale(parents: string[]): void {
  for (const parent of parents) {
    for (const name of safeList(parent)) {
      const pid = Number(name.split('-')[0]);
      if (!Number.isInteger(pid) || pid === process.pid || isProcessAlive(pid)) continue;
      try {
        rmdirSync(join(parent, name));
      } catch {
        /* still has processes: left for the next sweep */
      }
    }
  }
}

function safeList(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
}

let counter = 0;

/** The cgroup(s) of one sandboxed process. */
export class CandidateCgroup {
  readonly dirs: string[];
  private removed = false;

  constructor(
    readonly support: CgroupSupport,
    limits: { memoryBytes: number; processes: number },
  ) {
    const name = `${process.pid}-${++counter}`;
    this.dirs = support.parents.map((p) => join(p, name));
    for (const dir of this.dirs) mkdirSync(dir);
    if (support.version === 'v1') {
      const [memory, pids] = this.dirs as [string, string];
      writeFileSync(join(memory, 'memory.limit_in_bytes'), String(limits.memoryBytes));
      tryWrite(join(memory, 'memory.memsw.limit_in_bytes'), String(limits.memoryBytes));
      writeFileSync(join(pids, 'pids.max'), String(limits.processes));
    } else {
      const [dir] = this.dirs as [string];
      writeFileSync(join(dir, 'memory.max'), String(limits.memoryBytes));
      tryWrite(join(dir, 'memory.swap.max'), '0');
      writeFileSync(join(dir, 'pids.max'), String(limits.processes));
    }
  }

  /** Files a process writes its pid into to join (before it forks anything). */
  get procsFiles(): string[] {
    return this.dirs.map((d) => join(d, 'cgroup.procs'));
  }

  /** How many times the kernel's OOM killer struck in this cgroup. */
  oomKills(): number {
    const file =
      this.support.version === 'v1' ? join(this.dirs[0] as string, 'memory.oom_control') : join(this.dirs[0] as string, 'memory.events');
    const match = /oom_kill (\d+)/.exec(read(file));
    return match ? Number(match[1]) : 0;
  }

  /** How many forks the process limit refused. */
  pidsRefused(): number {
    const dir = this.support.version === 'v1' ? (this.dirs[1] as string) : (this.dirs[0] as string);
    const match = /max (\d+)/.exec(read(join(dir, 'pids.events')));
    return match ? Number(match[1]) : 0;
  }

  /** Pids still in the cgroup. */
  members(): number[] {
    const pids = new Set<number>();
    for (const file of this.procsFiles) for (const line of read(file).split('\n')) if (line.trim()) pids.add(Number(line));
    return [...pids];
  }

  /** SIGKILLs every process in the cgroup (whatever namespace, session or parent it has). */
  killAll(): void {
    if (this.removed) return;
    if (this.support.version === 'v2' && tryWrite(join(this.dirs[0] as string, 'cgroup.kill'), '1')) return;
    for (const pid of this.members()) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        /* gone */
      }
    }
  }

  /** Kills what is left and removes the cgroup; true once removed (false: processes still exiting). */
  remove(): boolean {
    if (this.removed) return true;
    this.killAll();
    let all = true;
    for (const dir of this.dirs) {
      try {
        if (existsSync(dir)) rmdirSync(dir);
      } catch {
        all = false;
      }
    }
    this.removed = all;
    return all;
  }

  /** Removes the cgroup, retrying while its last processes exit (up to `timeoutMs`). */
  async release(timeoutMs = 3000): Promise<boolean> {
    const deadline = performance.now() + timeoutMs;
    while (!this.remove()) {
      if (performance.now() > deadline) return false;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    return true;
  }
}
