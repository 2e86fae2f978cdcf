import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The nearest folder at or above `from` holding a package.json (the kit's own, whether run from sources or from dist/). */
function packageRoot(from: string): string {
  for (let dir = from; ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'package.json'))) return dir;
    if (dirname(dir) === dir) throw new Error(`meridian-kit: no package.json above ${from}`);
  }
}

/**
 * The kit's own folder (where package.json, reference/ and fixtures/ live), whatever the working directory:
 * the same folder when this file runs from sources (harness/common/) or compiled (dist/harness/common/).
 */
export const ROOT = packageRoot(dirname(fileURLToPath(import.meta.url)));
