import { constants } from 'node:fs';
import { access, readFile, stat } from 'node:fs/promises';
import { delimiter, dirname, isAbsolute, join, resolve } from 'node:path';
import { ManifestError, parseManifestText, type Manifest, type ManifestProblem } from './manifest.ts';
import { builtOver } from '../process/sandbox.ts';

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

/**
 * Reads and validates a manifest file. Every problem (JSON syntax with line:column, schema, unknown knobs and
 * placeholders, unsafe log patterns, a missing source folder) comes in one ManifestError (`MANIFEST_INVALID`,
 * exit 2), each problem with its own code and field path.
 */
export async function loadCandidate(path: string): Promise<Candidate> {
  const manifestPath = resolve(path);
  let text: string;
  try {
    text = await readFile(manifestPath, 'utf8');
  } catch (error) {
    const problem: ManifestProblem = {
      code: 'MANIFEST_UNREADABLE',
      path: '(file)',
      message: `cannot read: ${(error as NodeJS.ErrnoException).code ?? String(error)}`,
    };
    throw ManifestError.of([problem], manifestPath);
  }
  const dir = dirname(manifestPath);
  let manifest: Manifest;
  try {
    manifest = parseManifestText(text, manifestPath);
  } catch (error) {
    // The other problems are known; add a missing source folder to them rather than in a second round.
    if (error instanceof ManifestError && !error.problems.some((p) => p.code === 'MANIFEST_JSON_SYNTAX')) {
      const source = sourceOf(JSON.parse(text) as unknown);
      const missing = source === undefined ? undefined : await sourceProblem(dir, source).catch(() => undefined);
      if (missing) throw ManifestError.of([...error.problems, missing], manifestPath);
    }
    throw error;
  }
  const candidate: Candidate = { manifest, manifestPath, dir };
  if (manifest.source !== undefined) {
    const missing = await sourceProblem(dir, manifest.source);
    if (missing) throw ManifestError.of([missing], manifestPath);
    candidate.sourceDir = resolveFrom(dir, manifest.source);
  }
  return candidate;
}

const resolveFrom = (dir: string, path: string): string => (isAbsolute(path) ? path : resolve(dir, path));

function sourceOf(raw: unknown): string | undefined {
  const source = typeof raw === 'object' && raw !== null ? (raw as { source?: unknown }).source : undefined;
  return typeof source === 'string' && source !== '' ? source : undefined;
}

async function sourceProblem(dir: string, source: string): Promise<ManifestProblem | undefined> {
  const sourceDir = resolveFrom(dir, source);
  const info = await stat(sourceDir).catch(() => undefined);
  return info?.isDirectory() ? undefined : { code: 'MANIFEST_SOURCE_MISSING', path: 'source', message: `${sourceDir} is not a folder` };
}

async function executable(path: string): Promise<boolean> {
  try {
    await access(path, constants.X_OK);
    return (await stat(path)).isFile();
  } catch {
    return false;
  }
}

/**
 * Checks, right after the build, that the manifest's `command` names a program that exists: a path
 * (relative to the manifest's folder) that is an executable file, or a name found on PATH (the manifest's
 * own `env.PATH` when it sets one). Throws ManifestError (`MANIFEST_COMMAND_MISSING` inside) so the grade
 * stops with exit 2 before any check blames the candidate for "never listening".
 */
export async function checkCommandExists(candidate: Candidate): Promise<void> {
  const program = candidate.manifest.command[0] as string;
  if (/\{[A-Za-z]\w*\}/.test(program)) return; // filled per process: cannot be known before launch
  let found: boolean;
  let looked: string;
  if (program.includes('/')) {
    looked = resolveFrom(candidate.dir, program);
    found = await executable(looked);
    // Under the sandbox a build writes into an overlay layer, not the submission: look there too.
    const built = builtOver(candidate.dir);
    if (!found && built !== undefined && !isAbsolute(program)) found = await executable(join(built, program));
  } else {
    const pathVar = candidate.manifest.env.PATH ?? process.env.PATH ?? '';
    const dirs = pathVar.split(delimiter).filter((d) => d !== '');
    looked = `PATH (${dirs.length} folders)`;
    found = false;
    for (const d of dirs)
      if (await executable(join(resolveFrom(candidate.dir, d), program))) {
        found = true;
        break;
      }
  }
  if (found) return;
  const when = candidate.manifest.build === undefined ? 'no build step' : 'after the build';
  const problem: ManifestProblem = {
    code: 'MANIFEST_COMMAND_MISSING',
    path: 'command[0]',
    message: `${JSON.stringify(program)} is not an executable file (${when}; looked in ${looked})`,
  };
  throw ManifestError.of([problem], candidate.manifestPath);
}
