import { readFile, stat } from 'node:fs/promises';
import { dirname, isAbsolute, resolve } from 'node:path';
import { KitError } from '../common/errors.ts';
import { ManifestError, parseManifest, type Manifest } from './manifest.ts';

/** A manifest loaded from disk, with its folder resolved: what every check receives. */
export interface Candidate {
  manifest: Manifest;
  /** Absolute path of the manifest file. */
  manifestPath: string;
  /** Absolute folder of the manifest: working directory of `build`, `command` and `checks`. */
  dir: string;
  /** Absolute source folder, when the manifest names one. */
  sourceDir?: string;
}

/** Reads and validates a manifest file; every problem is a ManifestError naming the field or the file. */
export async function loadCandidate(path: string): Promise<Candidate> {
  const manifestPath = resolve(path);
  let text: string;
  try {
    text = await readFile(manifestPath, 'utf8');
  } catch (error) {
    throw new ManifestError(`cannot read manifest ${manifestPath}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`, { field: '(file)', path: manifestPath });
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    throw new ManifestError(`manifest ${manifestPath} is not valid JSON: ${(error as Error).message}`, { field: '(file)', path: manifestPath });
  }
  let manifest: Manifest;
  try {
    manifest = parseManifest(raw);
  } catch (error) {
    if (error instanceof KitError) error.details.path = manifestPath;
    throw error;
  }
  const dir = dirname(manifestPath);
  const candidate: Candidate = { manifest, manifestPath, dir };
  if (manifest.source !== undefined) {
    const sourceDir = isAbsolute(manifest.source) ? manifest.source : resolve(dir, manifest.source);
    const info = await stat(sourceDir).catch(() => undefined);
    if (!info?.isDirectory()) throw new ManifestError(`manifest field "source": ${sourceDir} is not a folder`, { field: 'source', path: manifestPath });
    candidate.sourceDir = sourceDir;
  }
  return candidate;
}
