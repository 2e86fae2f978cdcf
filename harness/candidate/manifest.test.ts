import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { chmod, mkdir } from 'node:fs/promises';
import { checkCommandExists, loadCandidate } from './candidate.ts';
import { ManifestError, parseManifest, type ManifestProblem } from './manifest.ts';
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

  it('keeps every manifest in the repository valid', async () => {
    const root = join(import.meta.dirname, '..', '..');
    const { readdir } = await import('node:fs/promises');
    const paths = [
      ...(await readdir(join(root, 'reference'))).map((d) => join(root, 'reference', d, 'manifest.json')),
      ...(await readdir(join(root, 'fixtures', 'candidates'))).map((d) => join(root, 'fixtures', 'candidates', d, 'manifest.json')),
    ];
    const { existsSync } = await import('node:fs');
    const manifests = paths.filter((p) => existsSync(p));
    expect(manifests.length).toBeGreaterThan(10);
    for (const path of manifests) await expect(loadCandidate(path), path).resolves.toMatchObject({ manifestPath: path });
  });

  function problemsOf(raw: unknown): ManifestProblem[] {
    try {
      parseManifest(raw);
    } catch (error) {
      expect(error).toMatchObject({ code: 'MANIFEST_INVALID' });
      return (error as ManifestError).problems;
    }
    return [];
  }
  const codes = (raw: unknown): string[] => problemsOf(raw).map((p) => `${p.code} ${p.path}`);

  it('reports every problem at once, each with its code and field path', () => {
    const raw = {
      ...issueExample,
      name: 'has space',
      comand: ['x'],
      env: { A: '{nope}', B: '{listen}' },
      log: { format: 'tracing', patterns: { frame: '(a+)+$', frames: 'x' } },
      knobs: { handler: { env: 'H' }, quorum: { env: 'Q' } },
      startupTimeoutMs: 5,
    };
    expect(codes(raw).sort()).toEqual([
      'MANIFEST_KNOB_UNKNOWN knobs.handler',
      'MANIFEST_KNOB_UNKNOWN knobs.quorum',
      'MANIFEST_PATTERN_UNSAFE log.patterns.frame',
      'MANIFEST_PLACEHOLDER_MISPLACED env.B',
      'MANIFEST_PLACEHOLDER_UNKNOWN env.A',
      'MANIFEST_SCHEMA name',
      'MANIFEST_SCHEMA startupTimeoutMs',
      'MANIFEST_UNKNOWN_FIELD comand',
      'MANIFEST_UNKNOWN_FIELD log.patterns.frames',
    ]);
    const byPath = new Map(problemsOf(raw).map((p) => [p.path, p.message]));
    expect(byPath.get('knobs.handler')).toContain('"handlers"');
    expect(byPath.get('comand')).toContain('"command"');
  });

  it('knows placeholders and knobs per system', () => {
    expect(codes({ ...issueExample, command: ['./b', '{listen}'] })).toEqual(['MANIFEST_PLACEHOLDER_MISPLACED command[1]']);
    expect(codes({ ...issueExample, command: ['./b', '{bnid}'] })).toEqual(['MANIFEST_PLACEHOLDER_UNKNOWN command[1]']);
    expect(problemsOf({ ...issueExample, command: ['./b', '{bnid}'] })[0]?.message).toContain('{bind}');
    const store = { system: 'store', name: 's', command: ['./s', '{listen}', '{leader}', '{http}'], knobs: { quorum: { env: 'Q' } } };
    expect(codes(store)).toEqual([]);
    expect(codes({ ...store, command: ['./s', '{bind}'] })).toEqual(['MANIFEST_PLACEHOLDER_MISPLACED command[1]']);
    expect(codes({ system: 'gossip', name: 'g', command: ['./g'], env: { L: '{leader}' } })).toEqual([
      'MANIFEST_PLACEHOLDER_MISPLACED env.L',
    ]);
  });

  it('accepts the limits object and refuses non-integers in it', () => {
    const MiB = 1024 * 1024;
    expect(
      parseManifest({ ...issueExample, limits: { memoryMiB: 512, processes: 64, fileSizeMiB: 10, buildTimeoutS: 600 } }).limits,
    ).toEqual({ memoryBytes: 512 * MiB, processes: 64, fileSizeBytes: 10 * MiB, buildTimeoutMs: 600_000 });
    expect(parseManifest(issueExample).limits).toEqual({
      memoryBytes: 1024 * MiB,
      processes: 256,
      fileSizeBytes: 256 * MiB,
      buildTimeoutMs: 900_000,
    });
    expect(codes({ ...issueExample, limits: { memoryMiB: 100.5, cpu: 3 } }).sort()).toEqual([
      'MANIFEST_SCHEMA limits.memoryMiB',
      'MANIFEST_UNKNOWN_FIELD limits.cpu',
    ]);
    expect(codes({ ...issueExample, limits: { processes: 2 } })).toEqual(['MANIFEST_SCHEMA limits.processes']);
  });

  it('refuses catastrophic log patterns by name and accepts ordinary ones', () => {
    expect(codes({ ...issueExample, log: { format: 'tracing', patterns: { lagged: '(a+)+$' } } })).toEqual([
      'MANIFEST_PATTERN_UNSAFE log.patterns.lagged',
    ]);
    expect(problemsOf({ ...issueExample, log: { format: 'tracing', patterns: { lagged: '(a+)+$' } } })[0]?.message).toContain('(a+)+$');
    expect(codes({ ...issueExample, log: { format: 'tracing', patterns: { lagged: 'fell behind \\d+ frames|lagged' } } })).toEqual([]);
  });

  it('gives JSON syntax errors with line:column, all of them', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'mk-manifest-'));
    const file = join(dir, 'syntax.json');
    await writeFile(file, '{\n  "system": "broker",\n  "name": "x",,\n  "command": ["a"]\n  "env": {}\n}\n');
    const error = await loadCandidate(file).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'MANIFEST_INVALID' });
    const problems = (error as ManifestError).problems;
    expect(problems.every((p) => p.code === 'MANIFEST_JSON_SYNTAX')).toBe(true);
    expect(problems.map((p) => p.line)).toEqual(expect.arrayContaining([3, 5]));
    expect((error as Error).message).toContain(`${file}:3:15`);
  });

  it('locates schema problems in the file and adds a missing source folder to them', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'mk-manifest-'));
    const file = join(dir, 'm.json');
    await writeFile(file, JSON.stringify({ ...issueExample, source: 'nowhere', startupTimeoutMs: 1 }, null, 2));
    const error = (await loadCandidate(file).catch((e: unknown) => e)) as ManifestError;
    expect(error.problems.map((p) => p.code).sort()).toEqual(['MANIFEST_SCHEMA', 'MANIFEST_SOURCE_MISSING']);
    expect(error.problems.find((p) => p.path === 'startupTimeoutMs')?.line).toBeGreaterThan(1);
  });

  it('checks after the build that the command exists', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'mk-manifest-'));
    const file = join(dir, 'm.json');
    await writeFile(file, JSON.stringify({ ...issueExample, command: ['./bin/broker'] }));
    const candidate = await loadCandidate(file);
    const error = (await checkCommandExists(candidate).catch((e: unknown) => e)) as ManifestError;
    expect(error.problems.map((p) => `${p.code} ${p.path}`)).toEqual(['MANIFEST_COMMAND_MISSING command[0]']);
    await mkdir(join(dir, 'bin'));
    await writeFile(join(dir, 'bin', 'broker'), '#!/bin/sh\n');
    await expect(checkCommandExists(candidate)).rejects.toMatchObject({ code: 'MANIFEST_INVALID' }); // not executable yet
    await chmod(join(dir, 'bin', 'broker'), 0o755);
    await expect(checkCommandExists(candidate)).resolves.toBeUndefined();
    await writeFile(file, JSON.stringify({ ...issueExample, command: ['no-such-program-meridian'] }));
    await expect(checkCommandExists(await loadCandidate(file))).rejects.toMatchObject({
      details: { problems: [{ code: 'MANIFEST_COMMAND_MISSING' }] },
    });
    await writeFile(file, JSON.stringify({ ...issueExample, command: ['sh'] }));
    await expect(checkCommandExists(await loadCandidate(file))).resolves.toBeUndefined();
  });

  it('fills placeholders and rejects unknown ones by name', () => {
    expect(fillPlaceholders('{host}:{port}', { host: '127.0.0.1', port: '9' }, 'env.X')).toBe('127.0.0.1:9');
    expect(() => fillPlaceholders('{bnid}', { bind: 'x' }, 'env.X')).toThrow(expect.objectContaining({ code: 'MANIFEST_PLACEHOLDER' }));
  });
});
