#!/usr/bin/env node
// The meridian-kit command. Installed from the package it runs the CLI compiled to dist/ (plain Node, built
// by `npm pack`'s prepack); in the clone, where cli/main.ts sits beside this file, it runs the sources
// through tsx so no build step is ever needed while working on the kit. See docs/install.md.
import { existsSync } from 'node:fs';

const sources = new URL('../cli/main.ts', import.meta.url);
let main;
if (existsSync(sources)) {
  const { register } = await import('tsx/esm/api');
  register();
  ({ main } = await import(sources.href));
} else {
  ({ main } = await import('../dist/cli/main.js'));
}
process.exitCode = await main(process.argv.slice(2));
