import type { CheckDefinition } from '../checks/check.ts';
import { KitError } from '../common/errors.ts';

/** A usage problem (unknown check id, an empty selection, a bad option value): exit code 2. */
export class UsageError extends KitError {}

/** Glob `*` (any run of characters) to an anchored regular expression; every other character is literal. */
function globToRegExp(glob: string): RegExp {
  return new RegExp(
    `^${glob
      .split('*')
      .map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
      .join('.*')}$`,
  );
}

/**
 * Splits an `--only` value ("a,b.*") into its patterns. An empty list or an empty pattern (`--only ,`,
 * `--only a,,b`) is a UsageError: it must never widen into "run everything".
 */
export function parseOnly(text: string | undefined): string[] | undefined {
  if (text === undefined) return undefined;
  const parts = text.split(',').map((s) => s.trim());
  if (parts.length === 0 || parts.some((p) => p === ''))
    throw new UsageError('BAD_ONLY', `--only needs comma-separated check ids or globs with no empty entry, got "${text}"`);
  return parts;
}

/** Levenshtein distance, for did-you-mean suggestions. */
export function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let prev = row[0]!;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const keep = row[j]!;
      row[j] = Math.min(row[j]! + 1, row[j - 1]! + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = keep;
    }
  }
  return row[b.length]!;
}

/** The closest known names to `wrong` (at most three, within a distance that still looks like a typo). */
export function closest(wrong: string, known: readonly string[]): string[] {
  const limit = Math.max(2, Math.floor(wrong.length / 3));
  return known
    .map((k) => ({ k, d: editDistance(wrong, k) }))
    .filter((x) => x.d <= limit)
    .sort((x, y) => x.d - y.d)
    .slice(0, 3)
    .map((x) => x.k);
}

/**
 * Checks `--only` against every id the kit knows (all systems' suites) before a batch starts: a pattern that
 * matches no check of any system is a UsageError with the closest ids. `build.*` ids come from each manifest's
 * `checks`, so they are accepted here and resolved per candidate.
 */
export function validateOnly(only: readonly string[] | undefined, knownIds: readonly string[]): void {
  for (const pattern of only ?? []) {
    if (pattern.startsWith('build.')) continue;
    const re = globToRegExp(pattern);
    if (knownIds.some((id) => re.test(id))) continue;
    const near = closest(pattern, knownIds);
    throw new UsageError(
      'UNKNOWN_CHECK',
      `unknown check id "${pattern}"; ${near.length > 0 ? `did you mean ${near.join(', ')}?` : 'see meridian-kit checks'}`,
    );
  }
}

/**
 * The checks named by `--only` — exact ids or globs with `*` (`broker.*`, `*.sigterm`) — in the order given;
 * a pattern that matches nothing is a UsageError with the closest ids, never silently running fewer checks
 * (`lenient`: in a batch of several systems, patterns for other systems are skipped; {@link validateOnly} has
 * checked them against every system first).
 */
export function selectChecks(
  all: readonly CheckDefinition[],
  only: readonly string[] | undefined,
  options: { lenient?: boolean; strict?: boolean } = {},
): CheckDefinition[] {
  // Opt-in checks (CheckDefinition.optIn) run under --strict or when a pattern is exactly their id.
  const wanted = (c: CheckDefinition, pattern?: string): boolean => c.optIn === undefined || options.strict === true || pattern === c.id;
  if (only === undefined) return all.filter((c) => wanted(c));
  if (only.length === 0) throw new UsageError('BAD_ONLY', '--only names no check');
  const picked: CheckDefinition[] = [];
  for (const pattern of only) {
    const re = globToRegExp(pattern);
    const matches = all.filter((c) => re.test(c.id));
    if (matches.length === 0 && !options.lenient) {
      const near = closest(
        pattern,
        all.map((c) => c.id),
      );
      const hint = near.length > 0 ? `did you mean ${near.join(', ')}?` : `known: ${all.map((c) => c.id).join(', ')}`;
      throw new UsageError('UNKNOWN_CHECK', `unknown check id "${pattern}"; ${hint}`);
    }
    for (const m of matches) if (!picked.includes(m) && wanted(m, pattern)) picked.push(m);
  }
  return picked;
}
