import { mkdir, writeFile } from 'node:fs/promises';
import { join, relative, resolve } from 'node:path';

/**
 * Where generated counterexamples go: `MERIDIAN_FIXTURES_OUT`, else `.meridian/fixtures` under the working
 * directory (ignored by git). The kit never writes into fixtures/ by itself: a person commits a case there.
 */
export function generatedFixtureDir(): string {
  return resolve(process.env.MERIDIAN_FIXTURES_OUT ?? join('.meridian', 'fixtures'));
}

/** Writes a fixture as `<name>.json` and returns its path relative to the working directory. */
export async function saveGeneratedFixture(fixture: { name: string }): Promise<string> {
  const dir = generatedFixtureDir();
  await mkdir(dir, { recursive: true });
  const path = join(dir, `${fixture.name}.json`);
  await writeFile(path, `${JSON.stringify(fixture, null, 2)}\n`);
  return relative(process.cwd(), path) || path;
}
