import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { ROOT } from '../harness/common/root.ts';
import { KIT_VERSION } from '../harness/common/version.ts';
import { csvTwin } from './grade.ts';
import { main } from './main.ts';

let dir = '';
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'mk-cli-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** Runs the CLI in-process, returning its exit code and what it wrote. */
async function run(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const o = vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => ((out += String(chunk)), true));
  const e = vi.spyOn(process.stderr, 'write').mockImplementation((chunk) => ((err += String(chunk)), true));
  try {
    const code = await main(argv);
    return { code, out, err };
  } finally {
    o.mockRestore();
    e.mockRestore();
  }
}

const REF = join(ROOT, 'reference/broker/manifest.json');

describe('command-line conventions', () => {
  it('--help per command exits 0 and documents every option, --version prints the kit version', async () => {
    const help = await run('grade', '--help');
    expect(help.code).toBe(0);
    for (const flag of ['--only', '--all-references', '--quiet', '--jobs', '--time-limit', '--shard', '--csv', '--runs-dir', '--watch'])
      expect(help.out).toContain(flag);
    expect(help.out).toContain('globs');
    expect((await run('stress', '--help')).code).toBe(0);
    const version = await run('--version');
    expect(version).toMatchObject({ code: 0 });
    expect(version.out.trim()).toBe(KIT_VERSION);
  });

  it('an option the command does not take, or an unknown command, is exit 2 with a suggestion', async () => {
    const html = await run('flake', '--html', 'x.html');
    expect(html.code).toBe(2);
    expect(html.err).toContain("unknown option '--html'");
    expect((await run('grade', '--runs', '5')).code).toBe(2);
    expect((await run('checks', '--json', 'f')).code).toBe(2);
    const typo = await run('grdae');
    expect(typo.code).toBe(2);
    expect(typo.err).toContain('grade');
    expect((await run()).code).toBe(2);
  });

  it('checks: a misspelt system is an error naming the right one; long criteria are wrapped', async () => {
    const bad = await run('checks', '--system', 'brokr');
    expect(bad.code).toBe(2);
    expect(bad.err).toContain('did you mean broker?');
    const ok = await run('checks', '--system', 'broker');
    expect(ok.code).toBe(0);
    expect(ok.out).toContain('broker.framing');
    expect(ok.out).not.toContain('store.');
    const criterionLines = ok.out.split('\n').filter((l) => l.startsWith('      '));
    expect(criterionLines.length).toBeGreaterThan(20);
    expect(criterionLines.filter((l) => l.length > 100)).toEqual([]);
  });

  it('--only: an empty entry or an unknown id is exit 2 before anything runs; a typo gets did-you-mean', async () => {
    const empty = await run('grade', '--candidate', REF, '--only', ',', '--no-history');
    expect(empty.code).toBe(2);
    expect(empty.err).toContain('BAD_ONLY');
    const typo = await run('grade', '--candidate', REF, '--only', 'broker.framng', '--no-history');
    expect(typo.code).toBe(2);
    expect(typo.err).toContain('did you mean broker.framing');
  });

  it('report paths are checked before any check runs: a folder or a path under a file is exit 2 in one line', async () => {
    const folder = await run('grade', '--candidate', REF, '--json', dir, '--no-history');
    expect(folder.code).toBe(2);
    expect(folder.err.trim().split('\n')).toHaveLength(1);
    expect(folder.err).toContain('BAD_OUTPUT');
    expect(folder.err).not.toContain('grading');
    const underFile = await run('grade', '--candidate', REF, '--html', join(REF, 'x.html'), '--no-history');
    expect(underFile.code).toBe(2);
    expect(underFile.err).toContain('BAD_OUTPUT');
    const twice = await run('grade', '--candidate', REF, '--json', join(dir, 'a'), '--html', join(dir, 'a'), '--no-history');
    expect(twice.code).toBe(2);
    const runsOnFile = await run('grade', '--candidate', REF, '--runs-dir', REF);
    expect(runsOnFile.code).toBe(2);
    expect(runsOnFile.err).toContain('--runs-dir');
  });

  it('flake --shard without --seed is refused with the fix, so merge never meets shards of different seeds', async () => {
    const r = await run('flake', '--candidate', REF, '--shard', '1/2', '--only', 'broker.framing', '--no-history');
    expect(r.code).toBe(2);
    expect(r.err).toContain('SHARD_NEEDS_SEED');
    expect(r.err).toContain('--seed');
  });

  it('the CSV twin never lands on another report', () => {
    expect(csvTwin({ csv: 'x.csv' })).toBe('x.md');
    expect(csvTwin({ csv: 'x.csv', markdown: 'x.md' })).toBeUndefined();
  });

  it('grades with a glob, prints "n/total id" progress, writes reports and keeps the run', async () => {
    const runs = join(dir, 'runs');
    const r = await run(
      'grade',
      '--candidate',
      REF,
      '--only',
      'broker.fram*',
      '--seed',
      '3',
      '--json',
      join(dir, 'out', 'r.json'),
      '--runs-dir',
      runs,
    );
    expect(r.code).toBe(0);
    expect(r.err).toMatch(/1\/1 PASS\s+broker\.framing/);
    const json = JSON.parse(await readFile(join(dir, 'out', 'r.json'), 'utf8')) as { seed: number; kitVersion: string };
    expect(json).toMatchObject({ seed: 3, kitVersion: KIT_VERSION });
    expect(JSON.parse(await readFile(join(runs, 'latest', 'run.json'), 'utf8'))).toMatchObject({ kind: 'grade', verdict: 'OK', seed: 3 });
  }, 60_000);

  it("flake takes --only build.* (the manifest's own checks) like grade", async () => {
    const cand = join(dir, 'cand');
    await import('node:fs/promises').then(async (fs) => {
      await fs.mkdir(cand, { recursive: true });
      await fs.writeFile(
        join(cand, 'manifest.json'),
        JSON.stringify({ system: 'broker', name: 'b', command: ['true'], env: { MERIDIAN_BIND: '{bind}' }, checks: { lint: 'true' } }),
      );
    });
    const r = await run(
      'flake',
      '--candidate',
      join(cand, 'manifest.json'),
      '--only',
      'build.*',
      '--runs',
      '3',
      '--seed',
      '1',
      '--json',
      join(dir, 'fb.json'),
      '--no-history',
      '--quiet',
    );
    expect(r.code).toBe(0);
    expect(
      JSON.parse(await readFile(join(dir, 'fb.json'), 'utf8')).checks.map((c: { id: string; pass: number }) => [c.id, c.pass]),
    ).toEqual([['build.lint', 3]]);
  }, 60_000);

  it('flake takes --only globs and creates the folder of its --json report', async () => {
    const path = join(dir, 'deep', 'er', 'flake.json');
    const r = await run(
      'flake',
      '--candidate',
      REF,
      '--only',
      'broker.fram*',
      '--runs',
      '2',
      '--seed',
      '4',
      '--json',
      path,
      '--no-history',
      '--quiet',
    );
    expect(r.code).toBe(0);
    expect(JSON.parse(await readFile(path, 'utf8'))).toMatchObject({ kind: 'flake', baseSeed: 4, runs: 2 });
  }, 60_000);
});
