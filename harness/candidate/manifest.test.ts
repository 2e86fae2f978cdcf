import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadCandidate } from './candidate.ts';
import { ManifestError, parseManifest } from './manifest.ts';
import { fillPlaceholders } from './placeholders.ts';

const issueExample = {
  system: 'broker',
  name: 'student-42',
  build: 'cargo build --release',
  command: ['./target/release/meridian-broker'],
  env: { MERIDIAN_BIND: '{bind}', RUST_LOG: 'info' },
  log: { format: 'tracing' },
  knobs: { handlers: { env: 'MERIDIAN_HANDLERS' }, slowHandlerMs: { env: 'SLOW_HANDLER_MS' }, capacity: { env: 'MERIDIAN_CAPACITY' } },
};

function fieldOf(raw: unknown): string | undefined {
  try {
    parseManifest(raw);
  } catch (error) {
    expect(error).toBeInstanceOf(ManifestError);
    expect((error as ManifestError).code).toBe('MANIFEST_INVALID');
    return (error as ManifestError).details.field as string;
  }
  return undefined;
}

describe('manifest', () => {
  it('accepts the issue example with defaults filled in', () => {
    const m = parseManifest(issueExample);
    expect(m.system).toBe('broker');
    expect(m.log.format).toBe('tracing');
    expect(m.knobs.slowHandlerMs).toEqual({ env: 'SLOW_HANDLER_MS' });
    expect(m.startupTimeoutMs).toBe(20_000);
    expect(m.expect).toEqual({ fail: [], flaky: [], advisory: [] });
  });

  it.each([
    [{ ...issueExample, system: 'kafka' }, 'system'],
    [{ ...issueExample, command: [] }, 'command'],
    [{ ...issueExample, command: 'cargo run' }, 'command'],
    [{ ...issueExample, env: { A: { nested: 1 } } }, 'env.A'],
    [{ ...issueExample, log: { format: 'xml' } }, 'log.format'],
    [{ ...issueExample, log: { format: 'tracing', patterns: { frame: '(' } } }, 'log.patterns.frame'],
    [{ ...issueExample, knobs: { handlers: 'MERIDIAN_HANDLERS' } }, 'knobs.handlers'],
    [{ ...issueExample, knobs: { handlers: { env: 'BAD NAME' } } }, 'knobs.handlers'],
    [{ ...issueExample, startupTimeoutMs: -1 }, 'startupTimeoutMs'],
    [{ ...issueExample, comand: ['x'] }, 'comand'],
    [{ ...issueExample, name: '' }, 'name'],
    [[], '(root)'],
  ])('names the bad field (%#)', (raw, field) => {
    expect(fieldOf(raw)).toBe(field);
  });

  it('reports unreadable files and bad JSON with the same code', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'mk-manifest-'));
    await expect(loadCandidate(join(dir, 'missing.json'))).rejects.toMatchObject({ code: 'MANIFEST_INVALID' });
    await writeFile(join(dir, 'bad.json'), '{ "system": ');
    await expect(loadCandidate(join(dir, 'bad.json'))).rejects.toMatchObject({ code: 'MANIFEST_INVALID' });
    await writeFile(join(dir, 'src.json'), JSON.stringify({ ...issueExample, source: 'nowhere' }));
    await expect(loadCandidate(join(dir, 'src.json'))).rejects.toMatchObject({ code: 'MANIFEST_INVALID', details: { field: 'source' } });
  });

  it('fills placeholders and rejects unknown ones by name', () => {
    expect(fillPlaceholders('{host}:{port}', { host: '127.0.0.1', port: '9' }, 'env.X')).toBe('127.0.0.1:9');
    expect(() => fillPlaceholders('{bnid}', { bind: 'x' }, 'env.X')).toThrow(expect.objectContaining({ code: 'MANIFEST_PLACEHOLDER' }));
  });
});
