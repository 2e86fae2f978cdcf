import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { KitError } from '../common/errors.ts';

/** A fixture file that cannot be read as what it claims to be: `details.file` and `details.field` name the problem. */
export class FixtureError extends KitError {}

/**
 * Reads every `*.json` of a fixtures folder in name order and hands each parsed document to `toCheck`,
 * so each system's replayer only says what a fixture means. Bad JSON is FIXTURE_INVALID naming the file.
 */
export function readFixtureFolder<T>(dir: string, toCheck: (raw: unknown, name: string, file: string) => T): T[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((name) => name.endsWith('.json'))
    .sort()
    .map((name) => {
      const file = join(dir, name);
      let raw: unknown;
      try {
        raw = JSON.parse(readFileSync(file, 'utf8'));
      } catch (error) {
        throw new FixtureError('FIXTURE_INVALID', `${file}: not valid JSON (${(error as Error).message})`, { file });
      }
      return toCheck(raw, name, file);
    });
}
