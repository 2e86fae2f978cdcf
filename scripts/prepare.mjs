#!/usr/bin/env node
// npm's `prepare` hook. It compiles dist/ only where a package is being made: npm installing the kit from a
// git URL (pacote runs `npm install` in its clone with _PACOTE_NO_PREPARE_ set, and never runs `prepack`
// there), or `npm pack` / `npm publish`. A developer's `npm ci` in the clone skips it: the clone runs the
// sources through tsx and needs no build. See docs/install.md.
import { execFileSync } from 'node:child_process';
import { createRequire } from 'node:module';

const making = process.env._PACOTE_NO_PREPARE_ !== undefined || ['pack', 'publish'].includes(process.env.npm_command ?? '');
if (making) {
  const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
  execFileSync(process.execPath, [tsc, '-p', 'tsconfig.build.json'], { stdio: 'inherit' });
}
