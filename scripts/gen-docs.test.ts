import { describe, expect, it } from 'vitest';
import { SUITES } from '../conformance/systems.ts';
import { killMatrix } from '../conformance/kill-matrix.ts';
import { generatedDocs, staleDocs } from './gen-docs.ts';

describe('generated docs', () => {
  it('docs/checks.md and docs/kill-matrix.md match the code (else run `npm run docs`)', () => {
    expect(staleDocs(), 'generated docs are stale: run `npm run docs` and commit the result').toEqual([]);
  });

  it('the catalogue lists every check of every suite with its criterion', () => {
    const catalogue = generatedDocs()['docs/checks.md'] as string;
    for (const check of Object.values(SUITES).flat()) {
      expect(catalogue).toContain(`| \`${check.id}\` | ${check.level} |`);
      expect(catalogue).toContain(check.criterion.replace(/\s+/g, ' ').trim().replace(/\|/g, '\\|').slice(0, 60));
    }
  });

  it('the kill matrix names every fixture candidate and the checks it must fail', () => {
    const matrix = generatedDocs()['docs/kill-matrix.md'] as string;
    for (const row of killMatrix()) {
      expect(matrix).toContain(`| \`${row.name}\` |`);
      for (const id of row.fail) expect(matrix).toContain(`\`${id}\` FAIL`);
    }
  });
});
