import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../harness/common/root.ts';

/** README.md and every page under docs/. */
function pages(): string[] {
  return [
    'README.md',
    ...readdirSync(join(ROOT, 'docs'))
      .filter((n) => n.endsWith('.md'))
      .map((n) => join('docs', n)),
  ];
}

describe('documentation', () => {
  it('the README is a front door of at most 150 lines', () => {
    expect(readFileSync(join(ROOT, 'README.md'), 'utf8').split('\n').length).toBeLessThanOrEqual(150);
  });

  it('every relative link of the README and docs/ points at a file of the kit', () => {
    const broken: string[] = [];
    for (const page of pages()) {
      const text = readFileSync(join(ROOT, page), 'utf8').replace(/```[\s\S]*?```/g, '');
      for (const m of text.matchAll(/\]\(([^)\s]+)\)/g)) {
        const target = (m[1] as string).split('#')[0] as string;
        if (!target || /^[a-z]+:/.test(target)) continue;
        const path = join(ROOT, dirname(page), target);
        if (!existsSync(path)) broken.push(`${page} → ${m[1]} (${relative(ROOT, path)})`);
      }
    }
    expect(broken).toEqual([]);
  });
});
