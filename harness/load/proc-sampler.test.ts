import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { afterEach, describe, expect, it } from 'vitest';
import { waitUntil } from '../common/wait.ts';
import { startProcSampler } from './proc-sampler.ts';
import { descendantsOf, parseProcStat, readAllProcStats, readProcMemory, readProcStat } from './proc-stat.ts';

const MiB = 1024 * 1024;
/**
 * A node child that holds 64 MiB resident and burns `ms` of CPU time (not wall time: the machine is
 * shared, so wall-clock busy loops get an unpredictable share of a core), then exits.
 */
const busyChild = (ms: number): string =>
  `const b = Buffer.alloc(64 * 1024 * 1024, 1); const cpu = () => { const u = process.cpuUsage(); return (u.user + u.system) / 1000; }; ` +
  `const end = cpu() + ${ms}; let x = 0; while (cpu() < end) for (let i = 0; i < 1e4; i++) x += b[(x + i) % b.length]; process.exitCode = x > 0 ? 0 : 1;`;

/** Burn `ms` of this thread's CPU time (deadline: 10 s of wall time). */
function burnCpu(ms: number): void {
  const start = process.cpuUsage();
  const wallDeadline = performance.now() + 10_000;
  for (;;) {
    const used = process.cpuUsage(start);
    if ((used.user + used.system) / 1000 >= ms || performance.now() > wallDeadline) return;
  }
}

const exited = (child: ChildProcess): Promise<void> =>
  child.exitCode !== null || child.signalCode !== null ? Promise.resolve() : new Promise((resolve) => child.once('exit', () => resolve()));

describe('/proc readers', () => {
  it('parse stat lines whose command contains spaces and parentheses', () => {
    const line = '4242 (my (odd) cmd) S 1 4242 4242 0 -1 4194560 100 0 0 0 150 25 0 0 20 0 1 0 100 1000 200';
    expect(parseProcStat(line)).toEqual({ pid: 4242, comm: 'my (odd) cmd', state: 'S', ppid: 1, pgrp: 4242, cpuTicks: 175 });
  });

  it('read this process and find it among its parent’s descendants', async () => {
    const stat = await readProcStat(process.pid);
    expect(stat?.ppid).toBe(process.ppid);
    const memory = await readProcMemory(process.pid);
    expect(memory?.rssBytes).toBeGreaterThan(10 * MiB);
    expect(memory?.hwmBytes).toBeGreaterThanOrEqual(memory?.rssBytes ?? Infinity);
    expect(descendantsOf(process.ppid, await readAllProcStats())).toContain(process.pid);
    expect(await readProcStat(0x3fff_fff0)).toBeUndefined();
  });
});

describe('proc sampler', () => {
  const children: ChildProcess[] = [];
  afterEach(async () => {
    for (const child of children.splice(0)) {
      child.kill('SIGKILL');
      await exited(child);
    }
  });

  it('samples the current process', async () => {
    const sampler = startProcSampler({ pid: process.pid, intervalMs: 50 });
    await waitUntil(() => sampler.samples.length >= 1, { what: 'first sample' });
    const before = process.cpuUsage();
    burnCpu(250);
    await waitUntil(() => sampler.samples.length >= 3, { what: 'samples after the busy loop' });
    const summary = await sampler.stop();
    const used = process.cpuUsage(before);
    expect(summary.exited).toBe(false);
    // Agrees with the process's own accounting (ticks are 10 ms; the sampler window is a bit shorter).
    expect(summary.cpuSeconds).toBeGreaterThan(0.2);
    expect(summary.cpuSeconds).toBeLessThan((used.user + used.system) / 1e6 + 0.05);
    expect(summary.maxCpuPercent).toBeGreaterThan(10); // % of a core depends on what else the machine runs
    expect(summary.maxRssBytes).toBeGreaterThan(10 * MiB);
    expect(summary.hwmBytes).toBeGreaterThanOrEqual(summary.maxRssBytes * 0.5);
  });

  it('samples a child and stops by itself when it exits', async () => {
    const child = spawn(process.execPath, ['-e', busyChild(400)], { stdio: 'ignore' });
    children.push(child);
    const sampler = startProcSampler({ pid: child.pid ?? -1, intervalMs: 50 });
    const summary = await sampler.done;
    expect(summary.exited).toBe(true);
    expect(summary.samples.length).toBeGreaterThanOrEqual(3);
    expect(summary.maxRssBytes).toBeGreaterThan(60 * MiB);
    expect(summary.hwmBytes).toBeGreaterThan(60 * MiB);
    expect(summary.cpuSeconds).toBeGreaterThan(0.3);
    expect(summary.maxCpuPercent).toBeGreaterThan(10);
    expect(await sampler.stop()).toBe(summary);
  });

  it('sums a wrapper script and its children', async () => {
    const wrapper = spawn('sh', ['-c', `"${process.execPath}" -e '${busyChild(400)}'; exit 0`], { stdio: 'ignore' });
    children.push(wrapper);
    const sampler = startProcSampler({ pid: wrapper.pid ?? -1, intervalMs: 50, scope: 'tree' });
    const summary = await sampler.done;
    expect(summary.exited).toBe(true);
    expect(Math.max(...summary.samples.map((s) => s.processes))).toBeGreaterThanOrEqual(2);
    expect(summary.maxRssBytes).toBeGreaterThan(60 * MiB); // the node grandchild's memory counts
    expect(summary.cpuSeconds).toBeGreaterThan(0.3); // …and its CPU
  });

  it('ends at once for a process that does not exist', async () => {
    const summary = await startProcSampler({ pid: 0x3fff_fff0 }).done;
    expect(summary.exited).toBe(true);
    expect(summary.samples).toEqual([]);
  });
});
