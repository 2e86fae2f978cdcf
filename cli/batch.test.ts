import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT } from '../harness/common/root.ts';
import { liveCount } from '../harness/process/supervisor.ts';
import type { GradeReport } from '../harness/report/report.ts';
import { grade } from './grade.ts';

// A batch of five: two correct-and-broken candidates sharing one name, a correct one, a failing build and an
// invalid manifest. Every report format must give each its own, right row.
const PY = join(ROOT, 'fixtures/candidates/py-broker/broker.py');
const base = {
  system: 'broker',
  env: { MERIDIAN_BIND: '{bind}' },
  log: { format: 'tracing' },
  knobs: { handlers: { env: 'MERIDIAN_HANDLERS' }, capacity: { env: 'MERIDIAN_CAPACITY' } },
};
const manifests: Record<string, unknown> = {
  'a-good': { ...base, name: 'dup', command: ['python3', PY] },
  'b-bad': { ...base, name: 'dup', command: ['python3', PY, '--bug', 'newline'] },
  'c-other': { ...base, name: 'solo', command: ['python3', PY] },
  'd-build': { ...base, name: 'nobuild', build: 'echo "main.c:3: error: expected ;" >&2; exit 3', command: ['python3', PY] },
  'e-invalid': { system: 'broker', name: 'broken-manifest' },
};

let dir = '';
let out = '';
let report: GradeReport;
let code = -1;
const stdout: string[] = [];

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'mk-batch-'));
  out = join(dir, 'out');
  for (const [folder, manifest] of Object.entries(manifests)) {
    await mkdir(join(dir, folder));
    await writeFile(join(dir, folder, 'manifest.json'), JSON.stringify(manifest));
  }
  code = await grade({
    candidates: Object.keys(manifests).map((f) => join(dir, f, 'manifest.json')),
    seed: 11,
    only: ['broker.framing'],
    strict: false,
    parallel: 2,
    jobs: 2,
    json: join(out, 'r.json'),
    junit: join(out, 'r.xml'),
    html: join(out, 'r.html'),
    markdown: join(out, 'r.md'),
    csv: join(out, 'r.csv'),
    history: join(dir, 'runs'),
    progress: false,
    out: (t) => stdout.push(t),
    err: () => {},
  });
  report = JSON.parse(await readFile(join(out, 'r.json'), 'utf8')) as GradeReport;
}, 120_000);

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const rowOf = (folder: string) => report.candidates.find((c) => c.manifest.includes(`${folder}/manifest.json`));

describe('batch grading keyed by manifest path', () => {
  it('grades every candidate, keys duplicates apart, and fails the run with exit 2 for the unbuildable ones', () => {
    expect(code).toBe(2);
    expect(liveCount()).toBe(0);
    expect(report.candidates).toHaveLength(5);
    expect(report.kitVersion).toMatch(/^\d+\.\d+\.\d+/);
    expect(report.seed).toBe(11);
    expect(rowOf('a-good')?.ok).toBe(true);
    expect(rowOf('b-bad')?.ok).toBe(false);
    expect(rowOf('b-bad')?.checks.find((c) => c.id === 'broker.framing')?.verdict).toBe('FAIL');
    const keys = report.candidates.map((c) => c.key);
    expect(new Set(keys).size).toBe(5);
    expect(rowOf('a-good')?.key).toContain('a-good/manifest.json');
    expect(rowOf('c-other')?.key).toBe('solo');
    expect(rowOf('d-build')?.failure?.code).toBe('BUILD_FAILED');
    expect(rowOf('d-build')?.failure?.logTail.join('\n')).toContain('expected ;');
    expect(rowOf('e-invalid')?.failure?.code).toBe('MANIFEST_INVALID');
  });

  it('CSV: one row per manifest with its own verdicts, reason and build log', async () => {
    const lines = (await readFile(join(out, 'r.csv'), 'utf8')).trim().split('\n');
    expect(lines[0]).toBe('candidate,manifest,system,ok,score,reason,log_tail,broker.framing');
    expect(lines).toHaveLength(6);
    const row = (folder: string): string => lines.find((l) => l.includes(`${folder}/manifest.json`)) ?? '';
    expect(row('a-good')).toMatch(/^dup \(.*a-good\/manifest\.json\),.*,broker,true,1\/1,,,PASS$/);
    expect(row('b-bad')).toMatch(/^dup \(.*b-bad\/manifest\.json\),.*,broker,false,0\/1,broker\.framing FAIL,,FAIL$/);
    expect(row('c-other')).toMatch(/^solo,.*,true,1\/1,,,PASS$/);
    expect(row('d-build')).toMatch(/^nobuild,.*,false,0\/0,"BUILD_FAILED: [^,]*exited with 3",.*expected ;.*,$/);
    expect(row('e-invalid')).toMatch(/,false,0\/0,"?MANIFEST_INVALID: .*command.*,,$/);
  });

  it('Markdown: the --markdown file is not overwritten by the CSV twin and has every row', async () => {
    const md = await readFile(join(out, 'r.md'), 'utf8');
    expect(md).toMatch(/^## meridian-kit/);
    for (const folder of Object.keys(manifests)) expect(md).toContain(`${folder}/manifest.json`);
    expect(md).toContain('expected ;');
    const table = md
      .split('\n')
      .filter((l) => l.startsWith('| ') && !l.startsWith('| candidate') && !l.startsWith('| ---') && l.includes('manifest.json |'));
    expect(table.filter((l) => l.includes('a-good'))[0]).toMatch(/\| 1\/1 \| ✅ \| ✅ \|$/);
    expect(table.filter((l) => l.includes('b-bad'))[0]).toMatch(/\| 0\/1 \| ❌ \| ❌ \|$/);
    expect(table.filter((l) => l.includes('d-build'))[0]).toMatch(/\| 0\/0 \| ❌ \| · \|$/);
    expect(md).toContain('Legend:');
  });

  it('JUnit: a suite per manifest with distinct names, failed load/build cases carrying the reason and log', async () => {
    const xml = await readFile(join(out, 'r.xml'), 'utf8');
    const suites = [...xml.matchAll(/<testsuite name="([^"]*)" tests="(\d+)" failures="(\d+)"/g)].map((m) => ({
      name: m[1],
      tests: m[2],
      failures: m[3],
    }));
    expect(suites).toHaveLength(5);
    expect(new Set(suites.map((s) => s.name)).size).toBe(5);
    const good = suites.find((s) => s.name?.includes('a-good'));
    const bad = suites.find((s) => s.name?.includes('b-bad'));
    expect(good?.failures).toBe('0');
    expect(bad?.failures).toBe('1');
    expect(suites.find((s) => s.name === 'nobuild')).toEqual({ name: 'nobuild', tests: '1', failures: '1' });
    expect(xml).toMatch(/name="load and build"[^>]*><failure message="BUILD_FAILED[^"]*">[^<]*expected ;/);
    expect(xml).toMatch(/<failure message="MANIFEST_INVALID/);
    expect(xml).toContain('<property name="seed" value="11"/>');
  });

  it('HTML: one section per candidate, anchors unique, each link resolves to its own candidate', async () => {
    const html = await readFile(join(out, 'r.html'), 'utf8');
    const ids = [...html.matchAll(/ id="([^"]+)"/g)].map((m) => m[1]);
    expect(new Set(ids).size).toBe(ids.length);
    const hrefs = [...html.matchAll(/href="#([^"]+)"/g)].map((m) => m[1]);
    expect(hrefs.length).toBe(3);
    for (const h of hrefs) expect(ids).toContain(h);
    expect(html).toContain('Could not be graded:</b> BUILD_FAILED');
    expect(html).toContain('MANIFEST_INVALID');
  });

  it('prints a per-system summary with a score column and a legend, not a table of every check', () => {
    const text = stdout.join('\n');
    expect(text).toContain('broker: 2 of 5 OK');
    expect(text).toMatch(/SCORE/);
    expect(text).toMatch(/nobuild\s+0\/0\s+NOT OK\s+BUILD_FAILED/);
    expect(text).toContain('SCORE = required checks passed');
  });

  it('keeps the run with every report under the runs folder', async () => {
    const meta = JSON.parse(await readFile(join(dir, 'runs', 'latest', 'run.json'), 'utf8')) as {
      name: string;
      verdict: string;
      files: Record<string, string>;
    };
    expect(meta.name).toBe('batch-5');
    expect(meta.verdict).toBe('NOT OK');
    expect(Object.keys(meta.files).sort()).toEqual(['CSV', 'HTML', 'JSON', 'JUnit', 'Markdown']);
  });
});
