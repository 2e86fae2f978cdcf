import { existsSync, readdirSync, statSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { basename, dirname, extname, join, relative } from 'node:path';
import { KIT_VERSION } from '../harness/common/version.ts';
import { saveRun } from './run-history.ts';

const LABELS: Record<string, string> = { '.json': 'JSON', '.html': 'HTML', '.md': 'Markdown', '.xml': 'JUnit' };

/**
 * Keeps a stress run's result files (the run's own folder, plus --json/--html when given) under the runs
 * folder. Exit 0 is a valid run, 1 a run short of its target, 2 bad input (nothing to keep).
 */
export async function keepStressRun(
  runsDir: string,
  manifest: string,
  startedAt: Date,
  code: number,
  sources: ReadonlyArray<string | undefined>,
): Promise<void> {
  if (code === 2) return;
  const files: Record<string, { file: string; text: string }> = {};
  for (const source of sources) {
    if (!source || !existsSync(source)) continue;
    const paths = statSync(source).isDirectory() ? readdirSync(source).map((f) => join(source, f)) : [source];
    for (const path of paths) {
      const label = LABELS[extname(path)];
      if (!label || files[label]) continue;
      files[label] = { file: `stress${extname(path)}`, text: await readFile(path, 'utf8') };
    }
  }
  if (Object.keys(files).length === 0) return;
  let name = basename(dirname(manifest));
  try {
    const raw = JSON.parse(await readFile(manifest, 'utf8')) as { name?: unknown };
    if (typeof raw.name === 'string') name = raw.name;
  } catch {
    /* the folder's name will do */
  }
  await saveRun(
    runsDir,
    {
      kind: 'stress',
      name,
      verdict: code === 0 ? 'OK' : 'SHORT OF TARGET',
      ok: code === 0,
      startedAt: startedAt.toISOString(),
      kitVersion: KIT_VERSION,
      detail: `stress · ${relative(process.cwd(), manifest) || manifest}`,
    },
    files,
  );
}
