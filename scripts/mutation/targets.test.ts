import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { SUITES } from '../../conformance/systems.ts';
import { MUTATION_TARGETS, selectTargets, targetFor } from './targets.ts';

/** The check ids of the kit's catalogue (the registered suites the CLI lists), with their system. */
function catalogue(): Map<string, string> {
  const ids = new Map<string, string>();
  for (const [system, checks] of Object.entries(SUITES)) for (const check of checks) ids.set(check.id, system);
  return ids;
}

describe('mutation file → checks map', () => {
  it('maps only existing reference files, each once', () => {
    const files = MUTATION_TARGETS.map((t) => t.file);
    expect(new Set(files).size).toBe(files.length);
    for (const f of files) expect(existsSync(f), f).toBe(true);
    for (const t of MUTATION_TARGETS) expect(t.file.startsWith(`reference/${t.system}/`), t.file).toBe(true);
  });

  it("names only checks of the kit's catalogue, of the file's own system", () => {
    const ids = catalogue();
    expect(ids.size).toBeGreaterThan(10);
    for (const t of MUTATION_TARGETS) {
      expect(t.checks.length, t.file).toBeGreaterThan(0);
      expect(new Set(t.checks).size, `${t.file} repeats a check`).toBe(t.checks.length);
      for (const id of t.checks) {
        expect(ids.has(id), `${t.file} → ${id} is not in the catalogue`).toBe(true);
        expect(ids.get(id), `${t.file} → ${id} belongs to another system`).toBe(t.system);
      }
    }
  }, 60_000);

  it('covers the protocol code of every system', () => {
    for (const system of ['broker', 'store', 'gossip'] as const) expect(selectTargets({ system }).length).toBeGreaterThan(0);
    expect(targetFor('/tmp/stryker/sandbox-1/reference/store/core/quorum.ts')?.system).toBe('store');
    expect(targetFor('./reference/broker/fanout.ts')?.checks).toContain('broker.2-fanout');
    expect(targetFor('reference/broker/main.ts')).toBeUndefined();
  });

  it('selects by system and by file substring', () => {
    expect(selectTargets({ system: 'broker', files: ['frame-reader'] }).map((t) => t.file)).toEqual(['reference/broker/frame-reader.ts']);
    expect(selectTargets({ system: 'gossip', files: ['frame-reader'] })).toEqual([]);
    expect(selectTargets({}).length).toBe(MUTATION_TARGETS.length);
  });
});
