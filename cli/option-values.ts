import { InvalidArgumentError } from 'commander';
import { SYSTEMS, type SystemName } from '../harness/candidate/manifest.ts';
import { KitError } from '../harness/common/errors.ts';
import { closest } from '../harness/grading/select-checks.ts';

/** Parsers for option values: a bad value is a commander InvalidArgumentError (exit 2, one line). */

export function intIn(min: number, max: number): (text: string) => number {
  return (text) => {
    const n = Number(text);
    if (!/^\d+$/.test(text.trim()) || !Number.isInteger(n) || n < min || n > max)
      throw new InvalidArgumentError(`must be an integer from ${min} to ${max}`);
    return n;
  };
}

/** The seed check, once for every command: an integer from 0 to 2^32 − 1. */
export const parseSeed = intIn(0, 0xffffffff);

/**
 * `parse(text)` for a command called as a function (not through commander): a bad value is KitError
 * BAD_ARGUMENT naming the flag, as the stress command reports its other flags.
 */
export function optionValue<T>(flag: string, text: string, parse: (text: string) => T): T {
  try {
    return parse(text);
  } catch (error) {
    if (!(error instanceof InvalidArgumentError)) throw error;
    throw new KitError('BAD_ARGUMENT', `--${flag} ${error.message}, got "${text}"`);
  }
}

/** "90" (seconds), "90s", "1500ms", "5m", "1h" → milliseconds. */
export function parseDurationMs(text: string): number {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m|h)?$/.exec(text.trim());
  if (!m) throw new InvalidArgumentError('must be a duration such as 90s, 5m or 1500ms');
  const value = Number(m[1]) * { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }[(m[2] ?? 's') as 'ms' | 's' | 'm' | 'h'];
  if (value < 1000) throw new InvalidArgumentError('must be at least 1s');
  return Math.round(value);
}

/** `i/n` with 1 ≤ i ≤ n. */
export function parseShardText(text: string): { index: number; count: number } {
  const m = /^(\d+)\/(\d+)$/.exec(text.trim());
  const index = Number(m?.[1]);
  const count = Number(m?.[2]);
  if (!m || count < 1 || index < 1 || index > count) throw new InvalidArgumentError('must look like i/n with 1 ≤ i ≤ n (e.g. 2/4)');
  return { index, count };
}

/** A system name, with a did-you-mean for a typo. */
export function parseSystem(text: string): SystemName {
  if ((SYSTEMS as readonly string[]).includes(text)) return text as SystemName;
  const near = closest(text, SYSTEMS);
  throw new InvalidArgumentError(`unknown system${near.length ? `; did you mean ${near.join(', ')}?` : ''} (known: ${SYSTEMS.join(', ')})`);
}
