#!/usr/bin/env -S npx tsx
/**
 * Prints the kill matrix (candidate × check) as Markdown from fixtures/candidates/*\/manifest.json, so the
 * README's table is generated from the same `expect` blocks the tests enforce:
 *   npx tsx scripts/kill-matrix-table.ts [broker|store|gossip]
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { killMatrix } from '../conformance/kill-matrix.ts';

const system = process.argv[2];
for (const sys of system ? [system] : ['broker', 'store', 'gossip']) {
  const rows = killMatrix(sys);
  if (rows.length === 0) continue;
  process.stdout.write(`\n| ${sys} candidate | language | breaks | checks that must catch it |\n| --- | --- | --- | --- |\n`);
  for (const row of rows) {
    const manifest = JSON.parse(readFileSync(row.manifestPath, 'utf8')) as { command: string[]; description?: string };
    const cmd = manifest.command.join(' ');
    const dir = dirname(row.manifestPath);
    const language = existsSync(join(dir, 'Cargo.toml'))
      ? 'Rust (source only)'
      : /python/.test(cmd)
        ? 'Python'
        : /\.ts\b|tsx/.test(cmd)
          ? 'TypeScript'
          : cmd.split(' ')[0];
    const caught = [
      ...row.fail.map((id) => `\`${id}\` FAIL`),
      ...row.flaky.map((id) => `\`${id}\` FLAKY`),
      ...row.advisory.map((id) => `\`${id}\` findings`),
    ];
    process.stdout.write(
      `| \`${row.name}\` | ${language} | ${(manifest.description ?? '').replace(/\|/g, '\\|')} | ${caught.join(', ') || 'nothing: a correct foreign candidate, must pass every check'} |\n`,
    );
  }
}
