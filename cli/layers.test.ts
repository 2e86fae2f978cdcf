import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../harness/common/root.ts';

/** Every non-test .ts file under a folder of the kit. */
function sources(folder: string): string[] {
  const out: string[] = [];
  const walk = (dir: string): void => {
    for (const name of readdirSync(dir)) {
      if (name === 'node_modules' || name === 'target' || name.startsWith('.')) continue;
      const path = join(dir, name);
      if (statSync(path).isDirectory()) walk(path);
      else if (name.endsWith('.ts') && !name.endsWith('.test.ts')) out.push(path);
    }
  };
  walk(join(ROOT, folder));
  return out;
}

/** Files of `from` whose imports reach into any of `forbidden` (top-level folders). */
function offenders(from: string, forbidden: string[]): string[] {
  const bad: string[] = [];
  for (const file of sources(from)) {
    for (const m of readFileSync(file, 'utf8').matchAll(/(?:from|import)\s*\(?\s*'([^']+)'/g)) {
      const spec = m[1] as string;
      if (!spec.startsWith('.')) continue;
      const target = relative(ROOT, join(file, '..', spec)).split('/')[0] as string;
      if (forbidden.includes(target)) bad.push(`${relative(ROOT, file)} → ${spec}`);
    }
  }
  return bad;
}

describe('layers point one way', () => {
  it('the harness never imports the command line or the conformance suites', () => {
    expect(offenders('harness', ['cli', 'conformance'])).toEqual([]);
  });
  it('the conformance suites never import the command line', () => {
    expect(offenders('conformance', ['cli'])).toEqual([]);
  });
  it('the detector sees a real import (cli registers the conformance suites)', () => {
    expect(offenders('cli', ['conformance'])).toContain('cli/suites.ts → ../conformance/suites.ts');
  });
});
