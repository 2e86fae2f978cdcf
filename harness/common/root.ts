import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The kit's own folder (where package.json, reference/ and fixtures/ live), whatever the working directory. */
export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
