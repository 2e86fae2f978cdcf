/**
 * Where the kit's CLI lives, relative to the project root. One constant so that moving the CLI (e.g. to
 * `cli/main.ts`) is a one-line change for the mutation and coverage runners.
 */
export const KIT_CLI = 'cli/main.ts';

/** The systems the kit grades; each has `reference/<system>/manifest.json`. */
export const SYSTEMS = ['broker', 'store', 'gossip'] as const;
export type System = (typeof SYSTEMS)[number];

/** The reference manifest of `system`, relative to the project root. */
export function referenceManifest(system: System): string {
  return `reference/${system}/manifest.json`;
}
