import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseManifest } from '../harness/candidate/manifest.ts';
import { ROOT } from '../harness/common/root.ts';
import { initCommand } from './init.ts';
import { watchGrade } from './watch.ts';

let dir = '';
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'mk-watch-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('the author loop', () => {
  it('init writes a manifest the kit accepts for every system and language, and names the next command', async () => {
    for (const system of ['broker', 'store', 'gossip'] as const) {
      for (const lang of ['python', 'rust', 'go', 'node'] as const) {
        const out = join(dir, `${system}-${lang}.json`);
        const said: string[] = [];
        expect(await initCommand({ system, lang, out }, (t) => said.push(t))).toBe(0);
        const manifest = parseManifest(JSON.parse(await readFile(out, 'utf8')));
        expect(manifest.system).toBe(system);
        expect(said.join('\n')).toContain(`npx meridian-kit grade --candidate`);
      }
    }
    await expect(initCommand({ system: 'broker', lang: 'go', out: join(dir, 'broker-go.json') }, () => {})).rejects.toMatchObject({
      code: 'INIT_EXISTS',
    });
  });

  it('--watch re-grades on a change, the checks that failed last time first', async () => {
    const cand = join(dir, 'cand');
    await import('node:fs/promises').then((fs) => fs.mkdir(cand));
    const manifest = join(cand, 'manifest.json');
    await writeFile(
      manifest,
      JSON.stringify({
        system: 'broker',
        name: 'w',
        command: ['python3', join(ROOT, 'fixtures/candidates/py-broker/broker.py'), '--bug', 'newline'],
        env: { MERIDIAN_BIND: '{bind}' },
        log: { format: 'tracing' },
        checks: { good: 'true', bad: 'exit 1' },
      }),
    );
    const orders: string[][] = [];
    const abort = new AbortController();
    const done = watchGrade(
      {
        candidates: [manifest],
        seed: 1,
        only: ['build.good', 'build.bad'],
        strict: false,
        parallel: 1,
        history: false,
        progress: false,
        out: () => {},
        err: () => {},
        onReport: (r) => {
          orders.push(r.candidates[0]!.checks.map((c) => `${c.id}:${c.verdict}`));
          if (orders.length === 1) setTimeout(() => void writeFile(join(cand, 'broker.py'), '# edited\n'), 200);
          else abort.abort();
        },
      },
      abort.signal,
    );
    expect(await done).toBe(1);
    expect(orders[0]).toEqual(['build.good:PASS', 'build.bad:FAIL']);
    expect(orders[1]).toEqual(['build.bad:FAIL', 'build.good:PASS']);
  }, 60_000);
});
