import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from '../harness/common/root.ts';

export { ROOT };

export interface MatrixEntry {
  name: string;
  system: string;
  manifestPath: string;
  fail: string[];
  flaky: string[];
  advisory: string[];
}

/** Every deliberately broken (or foreign correct) candidate under fixtures/candidates, with what it should fail. */
export function killMatrix(system?: string): MatrixEntry[] {
  const dir = join(ROOT, 'fixtures', 'candidates');
  if (!existsSync(dir)) return [];
  const out: MatrixEntry[] = [];
  for (const name of readdirSync(dir).sort()) {
    // hostile-* candidates attack the kit itself; cli/hostile.test.ts grades them, not the kill matrix.
    if (name.startsWith('hostile-')) continue;
    const manifestPath = join(dir, name, 'manifest.json');
    if (!existsSync(manifestPath)) continue;
    const raw = JSON.parse(readFileSync(manifestPath, 'utf8')) as {
      system: string;
      expect?: { fail?: string[]; flaky?: string[]; advisory?: string[] };
    };
    if (system && raw.system !== system) continue;
    out.push({
      name,
      system: raw.system,
      manifestPath,
      fail: raw.expect?.fail ?? [],
      flaky: raw.expect?.flaky ?? [],
      advisory: raw.expect?.advisory ?? [],
    });
  }
  return out;
}
