import { lstat, mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listRuns, pruneRuns, saveRun } from './run-history.ts';
import { serveRuns } from './serve.ts';

let dir = '';
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'mk-runs-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const meta = (name: string, ok: boolean, at: string) => ({
  kind: 'grade' as const,
  name,
  verdict: ok ? 'OK' : 'NOT OK',
  ok,
  startedAt: at,
  seed: 1,
  detail: 'x',
});

describe('results that stay', () => {
  it('keeps each run in its own folder, points latest at the newest and lists verdicts newest first', async () => {
    const runs = join(dir, 'runs');
    await saveRun(runs, meta('a b/../c', true, '2026-12-01T10:00:00.000Z'), {
      HTML: { file: 'report.html', text: '<p>a</p>' },
      JSON: { file: 'report.json', text: '{}' },
    });
    const second = await saveRun(runs, meta('second', false, '2026-12-01T11:00:00.000Z'), {
      HTML: { file: 'report.html', text: '<p>b</p>' },
    });
    expect((await lstat(join(runs, 'latest'))).isSymbolicLink()).toBe(true);
    expect(await readFile(join(runs, 'latest', 'report.html'), 'utf8')).toBe('<p>b</p>');
    expect(second).toContain('20261201T110000000Z-second');
    expect(listRuns(runs).map((r) => [r.name, r.verdict])).toEqual([
      ['second', 'NOT OK'],
      ['a b/../c', 'OK'],
    ]);
    // The name never escapes the runs folder.
    expect((await readdir(runs)).filter((f) => f.includes('..') || f.includes('/'))).toEqual([]);
  });

  it('prunes all but the newest runs, and only folders it created', async () => {
    const runs = join(dir, 'prune');
    for (let i = 0; i < 5; i++)
      await saveRun(runs, meta(`r${i}`, true, `2026-12-01T10:00:0${i}.000Z`), { JSON: { file: 'report.json', text: '{}' } });
    await pruneRuns(runs, 2);
    expect(listRuns(runs).map((r) => r.name)).toEqual(['r4', 'r3']);
  });

  it('the index page served on 127.0.0.1 links every report of every run, and every link answers 200', async () => {
    const runs = join(dir, 'runs');
    const { server, url } = await serveRuns(runs);
    try {
      expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
      const index = await (await fetch(url)).text();
      expect(index).toContain('NOT OK');
      const hrefs = [...index.matchAll(/href="([^"]+)"/g)].map((m) => m[1] as string);
      expect(hrefs.filter((h) => h !== 'latest/')).toHaveLength(3);
      for (const href of hrefs) {
        const res = await fetch(new URL(href, url));
        expect(res.status, href).toBe(200);
        await res.text();
      }
      expect(await fetch(new URL('latest/', url)).then((r) => r.text())).toBe('<p>b</p>');
      const traversal = await fetch(new URL('/..%2f..%2fetc/passwd', url));
      expect(traversal.status).toBe(404);
      await traversal.text();
    } finally {
      server.close();
    }
  });
});
