/**
 * Readers for Linux `/proc`: CPU ticks and parent of a process (`/proc/PID/stat`), its resident memory
 * (`/proc/PID/status`), and the descendants of a process (for candidates started through a wrapper
 * script). All readers are async and return `undefined` for a process that is gone.
 *
 * @module
 */
import { execFileSync } from 'node:child_process';
import { readdir, readFile } from 'node:fs/promises';

/** The fields of `/proc/PID/stat` the kit uses. */
export interface ProcStat {
  readonly pid: number;
  readonly comm: string;
  /** One-letter state: R, S, D, Z (zombie: exited, not yet reaped), … */
  readonly state: string;
  readonly ppid: number;
  /** Process group id. */
  readonly pgrp: number;
  /** User + system CPU time, clock ticks. */
  readonly cpuTicks: number;
}

/** The fields of `/proc/PID/status` the kit uses (bytes; 0 for kernel threads and zombies). */
export interface ProcMemory {
  /** Resident set size now (VmRSS). */
  readonly rssBytes: number;
  /** Peak resident set size (VmHWM). */
  readonly hwmBytes: number;
}

let ticksPerSecond: number | undefined;

/** `sysconf(_SC_CLK_TCK)` via `getconf CLK_TCK` (once), 100 if that fails (the Linux default). */
export function clockTicksPerSecond(): number {
  if (ticksPerSecond === undefined) {
    try {
      const value = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8', timeout: 2_000 }).trim());
      ticksPerSecond = Number.isInteger(value) && value > 0 ? value : 100;
    } catch {
      ticksPerSecond = 100;
    }
  }
  return ticksPerSecond;
}

async function readText(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, 'utf8');
  } catch {
    return undefined; // ENOENT / ESRCH: the process is gone
  }
}

/** Parse a `/proc/PID/stat` line (the command name may contain spaces and parentheses). */
export function parseProcStat(text: string): ProcStat | undefined {
  const open = text.indexOf('(');
  const close = text.lastIndexOf(')');
  if (open < 0 || close < open) return undefined;
  // Fields after the name, starting at field 3 (state): state ppid pgrp session tty tpgid flags minflt
  // cminflt majflt cmajflt utime stime …
  const rest = text.slice(close + 2).split(' ');
  const num = (i: number): number => Number(rest[i]);
  const stat = {
    pid: Number(text.slice(0, open).trim()),
    comm: text.slice(open + 1, close),
    state: rest[0] ?? '?',
    ppid: num(1),
    pgrp: num(2),
    cpuTicks: num(11) + num(12),
  };
  return Number.isFinite(stat.cpuTicks) && Number.isFinite(stat.ppid) ? stat : undefined;
}

/** `/proc/PID/stat`, or `undefined` if the process does not exist. */
export async function readProcStat(pid: number): Promise<ProcStat | undefined> {
  const text = await readText(`/proc/${pid}/stat`);
  return text === undefined ? undefined : parseProcStat(text);
}

/** VmRSS and VmHWM from `/proc/PID/status`, or `undefined` if the process does not exist. */
export async function readProcMemory(pid: number): Promise<ProcMemory | undefined> {
  const text = await readText(`/proc/${pid}/status`);
  if (text === undefined) return undefined;
  const kb = (field: string): number => {
    const match = new RegExp(`^${field}:\\s+(\\d+)\\s+kB`, 'm').exec(text);
    return match?.[1] === undefined ? 0 : Number(match[1]) * 1024;
  };
  return { rssBytes: kb('VmRSS'), hwmBytes: kb('VmHWM') };
}

/** Every live process, by pid (one pass over `/proc`). Processes vanishing mid-scan are skipped. */
export async function readAllProcStats(): Promise<Map<number, ProcStat>> {
  const entries = await readdir('/proc');
  const stats = await Promise.all(entries.filter((name) => /^\d+$/.test(name)).map((name) => readProcStat(Number(name))));
  const out = new Map<number, ProcStat>();
  for (const stat of stats) if (stat !== undefined) out.set(stat.pid, stat);
  return out;
}

/** `root` and all its descendants (children, grandchildren, …) among `stats`, root first. */
export function descendantsOf(root: number, stats: ReadonlyMap<number, ProcStat>): number[] {
  const children = new Map<number, number[]>();
  for (const stat of stats.values()) {
    const list = children.get(stat.ppid);
    if (list === undefined) children.set(stat.ppid, [stat.pid]);
    else list.push(stat.pid);
  }
  const out: number[] = [];
  const queue = [root];
  const seen = new Set<number>();
  while (queue.length > 0) {
    const pid = queue.shift() as number;
    if (seen.has(pid)) continue;
    seen.add(pid);
    if (pid === root || stats.has(pid)) out.push(pid);
    queue.push(...(children.get(pid) ?? []));
  }
  return out;
}
