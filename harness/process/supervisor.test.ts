import { afterEach, describe, expect, it } from 'vitest';
import { createServer } from 'node:net';
import { waitFor } from '../common/wait.ts';
import { LogBuffer } from './log-buffer.ts';
import { freePort } from './ports.ts';
import { CandidateError, Supervised, killAll, liveCount } from './supervisor.ts';

const env = { PATH: process.env.PATH ?? '' };

afterEach(async () => {
  await killAll();
});

describe('LogBuffer', () => {
  it('splits lines across chunks, keeps a bounded tail and cuts endless lines', () => {
    const log = new LogBuffer(3);
    const seen: string[] = [];
    log.onLine((l) => seen.push(l.text));
    log.push('stdout', Buffer.from('a\nb'));
    log.push('stdout', Buffer.from('c\r\nd\ne\n'));
    expect(seen).toEqual(['a', 'bc', 'd', 'e']);
    expect(log.tail(10).map((l) => l.text)).toEqual(['bc', 'd', 'e']);
    log.push('stderr', Buffer.alloc(40_000, 120));
    expect(log.truncatedLines).toBe(1);
  });
});

describe('Supervised', () => {
  it('kills the whole process group, grandchildren included', async () => {
    const proc = new Supervised(['/bin/sh', '-c', 'sleep 300 & sleep 300 & echo started; wait'], { name: 'tree', cwd: process.cwd(), env });
    await new Promise<void>((resolve) => proc.log.onLine((l) => l.text === 'started' && resolve()));
    const exit = await proc.kill();
    expect(exit.signal).toBe('SIGKILL');
    expect(liveCount()).toBe(0);
    // No member of the group survives (reaping the orphans takes a moment: wait with a deadline).
    const groupGone = await waitFor(
      () => {
        try {
          process.kill(-(proc.pid as number), 0);
          return undefined;
        } catch {
          return true;
        }
      },
      { timeoutMs: 3000 },
    );
    expect(groupGone).toBe(true);
  });

  it('fails fast with CANDIDATE_EXITED when the process dies before listening', async () => {
    const port = await freePort();
    const proc = new Supervised(['/bin/sh', '-c', 'echo boom >&2; exit 3'], { name: 'crasher', cwd: process.cwd(), env });
    const error = await proc.waitForPort('127.0.0.1', port, 5000).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CandidateError);
    expect((error as CandidateError).code).toBe('CANDIDATE_EXITED');
    expect((error as CandidateError).details.logs).toEqual([expect.stringContaining('boom')]);
  });

  it('gives up with CANDIDATE_NOT_READY when the port never opens', async () => {
    const port = await freePort();
    const proc = new Supervised(['sleep', '30'], { name: 'sleeper', cwd: process.cwd(), env });
    await expect(proc.waitForPort('127.0.0.1', port, 300)).rejects.toMatchObject({ code: 'CANDIDATE_NOT_READY' });
  });

  it('reports a missing executable as exit 127 with a log line, not a crash of the kit', async () => {
    const proc = new Supervised(['/nonexistent/broker'], { name: 'ghost', cwd: process.cwd(), env });
    const exit = await proc.exited;
    expect(exit.code).toBe(127);
    expect(proc.tail().join('\n')).toContain('could not start');
  });

  it('keeps reading a candidate that floods its pipes', async () => {
    const proc = new Supervised(['/bin/sh', '-c', 'yes flood | head -c 20000000; echo done'], {
      name: 'flood',
      cwd: process.cwd(),
      env,
      logCapacity: 10,
    });
    const exit = await proc.exited;
    expect(exit.code).toBe(0);
    expect(proc.log.bytes).toBeGreaterThan(20_000_000);
    expect(proc.tail(1)[0]).toContain('done');
  });

  it('sees a port once the process listens', async () => {
    const port = await freePort();
    const server = createServer().listen(port, '127.0.0.1');
    const proc = new Supervised(['sleep', '30'], { name: 'listener', cwd: process.cwd(), env });
    await expect(proc.waitForPort('127.0.0.1', port, 2000)).resolves.toBeUndefined();
    server.close();
  });
});

describe('Supervised pipe draining', () => {
  it('ends within its drain deadline when a daemonised grandchild holds the pipes (no sandbox)', async () => {
    // setsid puts the grandchild outside the process group: only the drain deadline ends the wait.
    const proc = new Supervised(['/bin/sh', '-c', 'setsid sleep 7790 & echo $!'], {
      name: 'holder',
      cwd: process.cwd(),
      env,
      drainMs: 300,
    });
    const started = performance.now();
    const exit = await proc.waitExit(5000);
    expect(exit?.code).toBe(0);
    expect(performance.now() - started).toBeLessThan(3000);
    expect(proc.tail().join('\n')).toContain('held its output open');
    const holder = Number(proc.log.tail(10).find((l) => /^\d+$/.test(l.text))?.text);
    if (holder > 0) process.kill(holder, 'SIGKILL');
  });
});
