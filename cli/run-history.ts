import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { mkdir, rm, symlink, unlink, writeFile, rename } from 'node:fs/promises';
import { join, relative, resolve } from 'node:path';

/** Where runs are kept, relative to the working directory. */
export const DEFAULT_RUNS_DIR = join('.meridian', 'runs');
/**
 * Retention rule: the newest {@link KEEP_RUNS} runs are kept; older run folders are deleted when a new run is
 * saved. Only folders this module created (they hold a `run.json`) are ever deleted.
 */
export const KEEP_RUNS = 50;

/** What the index lists about a run (`run.json` in its folder). */
export interface RunMeta {
  kind: 'grade' | 'flake' | 'stress';
  name: string;
  /** OK / NOT OK / the flake verdict… as one word or two. */
  verdict: string;
  ok: boolean;
  startedAt: string;
  seed?: number;
  kitVersion?: string;
  /** One line: candidates, score… */
  detail: string;
  /** Report files in the folder, by label (JSON, HTML, Markdown, JUnit). */
  files: Record<string, string>;
}

const stampOf = (date: Date): string =>
  date
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.(\d{3})Z$/, '$1Z');
const safeName = (name: string): string =>
  name
    .replace(/[^A-Za-z0-9._-]+/g, '_')
    .replace(/\.{2,}/g, '_')
    .slice(0, 60) || 'run';
const esc = (s: string): string =>
  s.replace(/[<>&"']/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;', "'": '&#39;' })[c] as string);

/**
 * Saves one run's reports under `<runsDir>/<time>-<name>/`, points `<runsDir>/latest` at it, prunes old runs
 * and rewrites `<runsDir>/index.html`. Returns the run folder.
 */
export async function saveRun(
  runsDir: string,
  meta: Omit<RunMeta, 'files'>,
  files: Record<string, { file: string; text: string }>,
): Promise<string> {
  const root = resolve(runsDir);
  await mkdir(root, { recursive: true });
  let dir = join(root, `${stampOf(new Date(meta.startedAt))}-${safeName(meta.name)}`);
  for (let n = 2; existsSync(dir); n++) dir = join(root, `${stampOf(new Date(meta.startedAt))}-${safeName(meta.name)}-${n}`);
  await mkdir(dir);
  const listed: Record<string, string> = {};
  for (const [label, { file, text }] of Object.entries(files)) {
    await writeFile(join(dir, file), text);
    listed[label] = file;
  }
  await writeFile(join(dir, 'run.json'), `${JSON.stringify({ ...meta, files: listed }, null, 2)}\n`);
  const latest = join(root, 'latest');
  const tmp = join(root, `.latest-${process.pid}`);
  await unlink(tmp).catch(() => {});
  await symlink(relative(root, dir), tmp);
  await rename(tmp, latest);
  await pruneRuns(root, KEEP_RUNS);
  await writeFile(join(root, 'index.html'), renderRunIndex(listRuns(root)));
  return dir;
}

/** Every saved run, newest first, with its folder name. */
export function listRuns(runsDir: string): Array<RunMeta & { dir: string }> {
  if (!existsSync(runsDir)) return [];
  const out: Array<RunMeta & { dir: string }> = [];
  for (const entry of readdirSync(runsDir, { withFileTypes: true })) {
    if (!entry.isDirectory()) continue;
    const metaPath = join(runsDir, entry.name, 'run.json');
    if (!existsSync(metaPath)) continue;
    try {
      out.push({ ...(JSON.parse(readFileSync(metaPath, 'utf8')) as RunMeta), dir: entry.name });
    } catch {
      /* a half-written run: not listed */
    }
  }
  return out.sort((a, b) => (a.dir < b.dir ? 1 : -1));
}

/** Deletes all but the newest `keep` runs. */
export async function pruneRuns(runsDir: string, keep: number): Promise<void> {
  for (const old of listRuns(runsDir).slice(keep)) await rm(join(runsDir, old.dir), { recursive: true, force: true });
}

/** The index page: one row per run, newest first, linking each report. No scripts, no external assets. */
export function renderRunIndex(runs: ReadonlyArray<RunMeta & { dir: string }>): string {
  const rows = runs
    .map((r) => {
      const links = Object.entries(r.files)
        .map(([label, file]) => `<a href="${esc(encodeURI(`${r.dir}/${file}`))}">${esc(label)}</a>`)
        .join(' · ');
      return `<tr><td>${esc(r.startedAt)}</td><td>${esc(r.kind)}</td><td>${esc(r.name)}</td><td class="${r.ok ? 'ok' : 'bad'}">${esc(r.verdict)}</td><td>${esc(r.detail)}</td><td>${r.seed ?? ''}</td><td>${links}</td></tr>`;
    })
    .join('\n');
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>meridian-kit runs</title>
<style>body{font:14px/1.45 system-ui,sans-serif;margin:2rem auto;max-width:1100px;padding:0 1rem}table{border-collapse:collapse;width:100%}td,th{border-bottom:1px solid #d0d7de;padding:4px 8px;text-align:left}.ok{color:#1a7f37;font-weight:600}.bad{color:#cf222e;font-weight:600}</style></head><body>
<h1>meridian-kit runs</h1>
<p>${runs.length} runs, newest first (the newest ${KEEP_RUNS} are kept). <a href="latest/">latest</a></p>
<table><thead><tr><th>Started</th><th>Kind</th><th>Name</th><th>Verdict</th><th>Detail</th><th>Seed</th><th>Reports</th></tr></thead><tbody>
${rows}
</tbody></table></body></html>
`;
}
