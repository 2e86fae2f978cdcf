import { spawn, type ChildProcess } from 'node:child_process';
import { afterEach, describe, expect, it } from 'vitest';
import { environmentLimits, explainableDelayMs, startEnvironmentMonitor } from './environment.ts';

const children: ChildProcess[] = [];
/** Process groups (a shell and its pipeline), killed as a group by id. */
const groups: number[] = [];
afterEach(() => {
  for (const c of children.splice(0)) c.kill('SIGKILL');
  for (const pgid of groups.splice(0)) {
    try {
      process.kill(-pgid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
});

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

describe('environment monitor', () => {
  it('sees a candidate blocked writing a pipe its reader stopped reading', async () => {
    // Writes forever to stdout; the test never reads, so the pipe fills and the child sits in pipe_write.
    const child = spawn(process.execPath, ['-e', 'const b = Buffer.alloc(65536, 120); for (;;) require("fs").writeSync(1, b);'], {
      stdio: ['ignore', 'pipe', 'ignore'],
    });
    children.push(child);
    child.stdout?.pause();
    const monitor = startEnvironmentMonitor({ pid: child.pid as number, intervalMs: 20 });
    const deadline = performance.now() + 10_000;
    while ((await monitor.peek()).pipeBlockedSamples < 10 && performance.now() < deadline) await sleep(50);
    await sleep(300);
    const report = await monitor.stop();
    expect(report.procVisible).toBe(true);
    expect(report.pipeBlockedSamples).toBeGreaterThanOrEqual(10);
    expect(environmentLimits(report).join(' ')).toContain('blocked writing');
  });

  it('sees a descendant blocked on a real pipe (a wrapper script piping the candidate into a stalled reader)', async () => {
    const child = spawn(
      'sh',
      ['-c', `"${process.execPath}" -e 'const b = Buffer.alloc(65536, 120); for (;;) require("fs").writeSync(1, b);' | sleep 30`],
      { stdio: 'ignore', detached: true },
    );
    groups.push(child.pid as number);
    const monitor = startEnvironmentMonitor({ pid: child.pid as number, intervalMs: 20 });
    // The pipeline takes a moment to start on a loaded machine: wait for the condition, with a deadline.
    const deadline = performance.now() + 10_000;
    while ((await monitor.peek()).pipeBlockedSamples < 10 && performance.now() < deadline) await sleep(50);
    const report = await monitor.stop();
    expect(report.pipeBlockedSamples).toBeGreaterThanOrEqual(10);
    expect(environmentLimits(report).join(' ')).toContain('blocked writing');
  });

  it('does not blame the pipe for a process that sleeps, and measures its CPU figures', async () => {
    const child = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 5000)'], { stdio: 'ignore' });
    children.push(child);
    const monitor = startEnvironmentMonitor({ pid: child.pid as number, intervalMs: 20 });
    await sleep(500);
    const peeked = await monitor.peek();
    const report = await monitor.stop();
    expect(peeked.samples).toBeGreaterThan(0);
    expect(await monitor.stop()).toBe(report);
    expect(report.procVisible).toBe(true);
    expect(report.samples).toBeGreaterThan(3);
    expect(report.pipeBlockedSamples).toBe(0);
    expect(environmentLimits(report).some((l) => l.includes('blocked writing'))).toBe(false);
  });

  it("measures the kit's own event-loop delay", async () => {
    const monitor = startEnvironmentMonitor({ pid: process.pid, intervalMs: 50 });
    await sleep(50);
    const end = performance.now() + 400;
    while (performance.now() < end) {
      // block the kit's loop
    }
    await sleep(50);
    const report = await monitor.stop();
    expect(report.loopDelayMaxMs).toBeGreaterThanOrEqual(300);
  });

  it('turns a starved run into words, and a quiet one into none', () => {
    const quiet = {
      durationMs: 1000,
      samples: 20,
      loopDelayP99Ms: 5,
      loopDelayMaxMs: 9,
      pipeBlockedSamples: 0,
      pipeBlockedShare: 0,
      runMs: 400,
      runQueueWaitMs: 20,
      runQueueWaitShare: 0.05,
      runQueueWaitMaxThreadMs: 15,
      procVisible: true,
    };
    expect(environmentLimits(quiet)).toEqual([]);
    const starved = { ...quiet, runMs: 300, runQueueWaitMs: 900, runQueueWaitShare: 0.75 };
    expect(environmentLimits(starved).join(' ')).toContain('did not give it CPU');
    expect(environmentLimits({ ...quiet, loopDelayP99Ms: 250 }).join(' ')).toContain('event loop');
    // What it can explain: one thread's wait + the kit's longest stall + time blocked on the log pipe.
    expect(
      explainableDelayMs({ ...quiet, runQueueWaitMaxThreadMs: 700, loopDelayMaxMs: 100, pipeBlockedShare: 0.5, durationMs: 2000 }),
    ).toBe(1800);
  });
});
