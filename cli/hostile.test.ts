/**
 * The hostile-candidate suite: each `fixtures/candidates/hostile-*` candidate attacks the grader once, and
 * the grade must end within its bound, leave no process (`sleep 777N`), port, cgroup or temp folder of
 * the candidate behind, the attack must fail, and the verdict must name the cause where the candidate
 * was stopped. Runs with the sandbox as the kit finds it (`auto`); skipped where the OS cannot sandbox.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { grade } from './grade.ts';
import { sandboxStatus } from '../harness/process/sandbox-mode.ts';
import { SANDBOX_UID } from '../harness/process/sandbox.ts';
import { killAll } from '../harness/process/supervisor.ts';
import { ROOT } from '../harness/common/root.ts';

const manifest = (name: string): string => join(ROOT, 'fixtures/candidates', `hostile-${name}`, 'manifest.json');
const sandboxed = sandboxStatus().active;

/** Pids of leftover attack processes (`sleep 777N`). */
function leftovers(): string[] {
  const out = spawnSync('pgrep', ['-af', '^sleep 777[0-9]'], { encoding: 'utf8' });
  return out.stdout.split('\n').filter(Boolean);
}

/** cgroups this kit process made that still exist. */
function leftoverCgroups(): string[] {
  const found: string[] = [];
  for (const parent of sandboxStatus().cgroups?.parents ?? []) {
    for (const name of existsSync(parent) ? readdirSync(parent) : [])
      if (name.startsWith(`${process.pid}-`)) found.push(join(parent, name));
  }
  return found;
}

function buildLayers(): string[] {
  return readdirSync(tmpdir()).filter(
    (name) => name.startsWith(`meridian-build-${process.pid}-`) || name.startsWith(`meridian-check-${process.pid}-`),
  );
}

interface Graded {
  code: number;
  ms: number;
  text: string;
  json: string;
}

async function gradeOne(
  name: string,
  only: string | string[],
  json: string = join(tmpdir(), `meridian-hostile-${process.pid}.json`),
): Promise<Graded> {
  const lines: string[] = [];
  const started = performance.now();
  const code = await grade({
    candidates: [manifest(name)],
    seed: 7,
    only: typeof only === 'string' ? [only] : only,
    strict: false,
    parallel: 1,
    json,
    progress: false,
    out: (t) => lines.push(t),
    err: (t) => lines.push(t),
  });
  const ms = performance.now() - started;
  const text = readFileSync(json, 'utf8');
  return { code, ms, text: lines.join('\n'), json: text };
}

/** Local addresses of TCP sockets listening as the sandbox's user (uid 65534), from /proc/net/tcp{,6}. */
function sandboxListeners(): string[] {
  const found: string[] = [];
  for (const file of ['/proc/net/tcp', '/proc/net/tcp6']) {
    const rows = existsSync(file) ? readFileSync(file, 'utf8').split('\n').slice(1) : [];
    for (const row of rows) {
      const cols = row.trim().split(/\s+/);
      if (cols[3] === '0A' && cols[7] === String(SANDBOX_UID)) found.push(cols[1] ?? '?');
    }
  }
  return found;
}

async function until(probe: () => boolean, timeoutMs: number): Promise<boolean> {
  const deadline = performance.now() + timeoutMs;
  while (performance.now() < deadline) {
    if (probe()) return true;
    await new Promise((r) => setTimeout(r, 50));
  }
  return probe();
}

beforeAll(() => {
  expect(leftovers(), 'no attack process runs before the suite').toEqual([]);
});

afterEach(async () => {
  await killAll();
  // Nothing of the candidate outlives the grade (the kernel reaps killed namespaces within moments).
  expect(await until(() => leftovers().length === 0, 3000), `leftover processes: ${leftovers().join('; ')}`).toBe(true);
  expect(leftoverCgroups()).toEqual([]);
  expect(buildLayers()).toEqual([]);
});

describe.skipIf(!sandboxed)('hostile candidates (sandbox on)', { timeout: 90_000 }, () => {
  it('a grandchild holding stdout/stderr neither outlives the grade nor stretches it', async () => {
    const graded = await gradeOne('pipe-holder', 'broker.2-fanout');
    expect(graded.code, graded.text).toBe(0);
    expect(graded.ms).toBeLessThan(30_000);
  });

  it('a daemon holding the listening socket dies with the candidate and frees the port', async () => {
    const graded = await gradeOne('port-holder', 'broker.2-fanout');
    expect(graded.code).toBe(1);
    expect(graded.ms).toBeLessThan(45_000);
    const held = /the port ([\d.]+):(\d+) is held by a daemon/.exec(graded.json);
    expect(held, 'the attack ran').not.toBeNull();
    const address = `${Buffer.from((held?.[1] ?? '').split('.').map(Number))
      .readUInt32LE(0)
      .toString(16)
      .toUpperCase()
      .padStart(8, '0')}:${Number(held?.[2]).toString(16).toUpperCase().padStart(4, '0')}`;
    expect(await until(() => !sandboxListeners().includes(address), 3000), `${held?.[1]}:${held?.[2]} still listening`).toBe(true);
  });

  it('a background process started by the build does not survive the build; build output reaches checks, never the submission', async () => {
    const graded = await gradeOne('build-daemon', ['build.sees-build', 'broker.2-fanout']);
    expect(graded.code, graded.text).toBe(0);
    const folder = dirname(manifest('build-daemon'));
    expect(existsSync(join(folder, 'built-marker')), 'the build wrote into a layer, not the submission').toBe(false);
    expect(existsSync(join(folder, 'check-scratch'))).toBe(false);
  });

  it('Ctrl-C on the kit during a build kills the build at once', async () => {
    const kit = spawn(
      process.execPath,
      ['--import', 'tsx', join(ROOT, 'cli/main.ts'), 'grade', '--candidate', manifest('slow-build'), '--quiet'],
      { cwd: ROOT, stdio: 'ignore' },
    );
    const exited = new Promise<number | null>((done) => kit.once('exit', (code) => done(code)));
    expect(await until(() => leftovers().some((l) => l.includes('7774')), 30_000), 'the build started').toBe(true);
    const signalled = performance.now();
    kit.kill('SIGINT');
    const code = await exited;
    expect(code).toBe(130);
    expect(performance.now() - signalled).toBeLessThan(5000);
    expect(await until(() => leftovers().length === 0, 2000), 'the build died with the kit').toBe(true);
  });

  it('the kit killed outright (SIGKILL) during a build takes the build with it', async () => {
    const kit = spawn(
      process.execPath,
      ['--import', 'tsx', join(ROOT, 'cli/main.ts'), 'grade', '--candidate', manifest('slow-build'), '--quiet'],
      { cwd: ROOT, stdio: 'ignore' },
    );
    const exited = new Promise<void>((done) => kit.once('exit', () => done()));
    expect(await until(() => leftovers().some((l) => l.includes('7774')), 30_000), 'the build started').toBe(true);
    kit.kill('SIGKILL');
    await exited;
    expect(await until(() => leftovers().length === 0, 3000), 'the build died with the kit').toBe(true);
  });

  it('a memory hog is stopped at its manifest limit and the verdict names it', async () => {
    const graded = await gradeOne('memory-hog', 'broker.2-fanout');
    expect(graded.code).toBe(1);
    expect(graded.ms).toBeLessThan(30_000);
    expect(graded.json).toContain('memory limit 128 MiB reached');
    expect(graded.json).not.toContain('holding 256 MiB');
  });

  it('a fork bomb meets the process limit and the verdict names it', async () => {
    const graded = await gradeOne('fork-bomb', 'broker.2-fanout');
    expect(graded.code).toBe(1);
    expect(graded.json).toContain('process limit 64 reached');
  });

  it("the grader's environment (a secret) never reaches the candidate", async () => {
    process.env.HOSTILE_SECRET = 'hostile-secret-4711';
    try {
      const graded = await gradeOne('env-secret', 'broker.2-fanout');
      expect(graded.code, graded.text).toBe(0);
      expect(graded.json).not.toContain('hostile-secret-4711');
    } finally {
      delete process.env.HOSTILE_SECRET;
    }
  });

  it('writes into the kit tree and the reports fail, during the grade and after it', async () => {
    const report = `/var/tmp/meridian-hostile-${process.pid}.json`;
    rmSync(report, { force: true });
    try {
      // A first grade leaves a report for the second one's candidate to find.
      await gradeOne('env-secret', 'broker.2-fanout', report);
      const graded = await gradeOne('report-writer', 'broker.2-fanout', report);
      expect(graded.code, graded.text).toBe(0);
      // The candidate's daemon would rewrite 3 s after it started: wait past that.
      await new Promise((r) => setTimeout(r, 4000));
      const after = readFileSync(report, 'utf8');
      expect(after).not.toContain('all PASS');
      expect(JSON.parse(after).schemaVersion).toBeDefined();
      expect(existsSync(join(ROOT, 'HOSTILE_PWNED'))).toBe(false);
    } finally {
      rmSync(report, { force: true });
      rmSync(join(ROOT, 'HOSTILE_PWNED'), { force: true });
    }
  });
});
