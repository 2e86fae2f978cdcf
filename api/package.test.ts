import { execFile } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readFileSync, mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT } from '../harness/common/root.ts';

const execFileAsync = promisify(execFile);

/** execFile that, when the command fails, says what it printed (the grade's evidence is on stdout). */
async function run(
  file: string,
  args: string[],
  options: { cwd?: string; env?: NodeJS.ProcessEnv; timeout?: number } = {},
): Promise<{ stdout: string; stderr: string }> {
  try {
    return await execFileAsync(file, args, { ...options, maxBuffer: 16 * 1024 * 1024 });
  } catch (error) {
    const { stdout = '', stderr = '' } = error as { stdout?: string; stderr?: string };
    throw new Error(`${file} ${args.join(' ')} failed\n--- stdout (end)\n${stdout.slice(-4000)}\n--- stderr (end)\n${stderr.slice(-2000)}`);
  }
}

/**
 * The kit as a user gets it: `npm pack` (prepack compiles dist/), the tarball installed into an empty folder
 * with no devDependencies, then the `meridian-kit` bin and the library entry points used from there.
 * The folder is under /var/tmp, not /tmp: the sandbox gives candidates a private /tmp, which would hide the
 * installed tsx from the bundled references (see docs/troubleshooting.md).
 */
describe('the packed kit installs into an empty folder and grades from there', () => {
  let dir = '';
  let app = '';
  const env = { ...process.env, npm_config_audit: 'false', npm_config_fund: 'false', npm_config_update_notifier: 'false' };

  beforeAll(async () => {
    dir = mkdtempSync(join(existsSync('/var/tmp') ? '/var/tmp' : ROOT, 'meridian-pack-'));
    // mkdtemp makes it 0700: the sandboxed candidate (uid 65534) must be able to reach the installed kit.
    chmodSync(dir, 0o755);
    app = join(dir, 'app');
    await run('npm', ['pack', '--pack-destination', dir], { cwd: ROOT, env, timeout: 150_000 });
    const tarball = readdirSync(dir).find((name) => name.endsWith('.tgz'));
    expect(tarball).toBeDefined();
    mkdirSync(app);
    writeFileSync(join(app, 'package.json'), '{ "name": "app", "private": true, "type": "module" }\n');
    // --prefer-offline: the dependencies come from the npm cache when it has them, the registry otherwise.
    await run('npm', ['install', '--prefer-offline', '--omit=dev', join(dir, tarball as string)], { cwd: app, env, timeout: 150_000 });
  }, 300_000);

  afterAll(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('ships compiled JavaScript, the references and the schema, and no kit sources or tests', () => {
    const kit = join(app, 'node_modules', 'meridian-kit');
    expect(existsSync(join(kit, 'dist', 'cli', 'main.js'))).toBe(true);
    expect(existsSync(join(kit, 'dist', 'api', 'network.d.ts'))).toBe(true);
    expect(existsSync(join(kit, 'reference', 'broker', 'manifest.json'))).toBe(true);
    expect(existsSync(join(kit, 'harness', 'candidate', 'manifest.schema.json'))).toBe(true);
    expect(existsSync(join(kit, 'cli', 'main.ts'))).toBe(false);
    expect(existsSync(join(kit, 'reference', 'broker', 'main.test.ts'))).toBe(false);
    expect(existsSync(join(app, 'node_modules', 'vitest'))).toBe(false);
    expect(existsSync(join(app, 'node_modules', 'typescript'))).toBe(false);
  });

  it('`npx meridian-kit` grades a bundled reference, and its replay command works from the same folder', async () => {
    const manifest = 'node_modules/meridian-kit/reference/broker/manifest.json';
    const version = await run('npx', ['--offline', 'meridian-kit', '--version'], { cwd: app, env, timeout: 60_000 });
    expect(version.stdout.trim()).toBe(JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')).version);
    const graded = await run(
      'npx',
      ['--offline', 'meridian-kit', 'grade', '--candidate', manifest, '--only', 'broker.framing', '--no-history', '--json', 'report.json'],
      { cwd: app, env, timeout: 90_000 },
    );
    expect(graded.stdout).toContain('broker.framing');
    const report = JSON.parse(readFileSync(join(app, 'report.json'), 'utf8')) as {
      ok: boolean;
      candidates: Array<{ checks: Array<{ id: string; verdict: string; replay: string }> }>;
    };
    const check = report.candidates[0]?.checks.find((c) => c.id === 'broker.framing');
    expect(check?.verdict).toBe('PASS');
    expect(report.ok).toBe(true);
    // The printed replay names the manifest as typed from the user's folder and runs as printed.
    expect(check?.replay).toMatch(new RegExp(`^npx meridian-kit grade --candidate ${manifest} --only broker\\.framing --seed \\d+$`));
    const [cmd, ...args] = (check?.replay ?? '').split(' ');
    const replayed = await run(cmd as string, ['--offline', ...args, '--no-history'], { cwd: app, env, timeout: 90_000 });
    expect(replayed.stdout).toMatch(/broker\.framing\s+required\s+PASS/);
  }, 240_000);

  it('the library entry points import from plain Node with their types', async () => {
    writeFileSync(
      join(app, 'use.mjs'),
      [
        "import { ClusterNetwork } from 'meridian-kit/network';",
        "import { grade, referenceManifest } from 'meridian-kit';",
        "import { checkLinearizable } from 'meridian-kit/history';",
        "import { LatencyRecorder } from 'meridian-kit/load';",
        "import { launchCluster } from 'meridian-kit/cluster';",
        "const net = await ClusterNetwork.create({ seed: 1, transport: 'tcp' });",
        "await net.addNode('a', '127.0.0.1:1');",
        "await net.addNode('b', '127.0.0.1:2');",
        "net.partition(['a'], ['b']);",
        "console.log(JSON.stringify({ cut: net.isCut('a', 'b'), grade: typeof grade, history: typeof checkLinearizable, load: typeof LatencyRecorder, cluster: typeof launchCluster, ref: referenceManifest('broker') }));",
        'await net.close();',
      ].join('\n'),
    );
    const { stdout } = await run(process.execPath, ['use.mjs'], { cwd: app, env, timeout: 30_000 });
    const seen = JSON.parse(stdout) as Record<string, unknown>;
    expect(seen).toMatchObject({ cut: true, grade: 'function', history: 'function', load: 'function', cluster: 'function' });
    expect(existsSync(seen.ref as string)).toBe(true);
    const pkg = JSON.parse(readFileSync(join(app, 'node_modules', 'meridian-kit', 'package.json'), 'utf8')) as {
      exports: Record<string, { types: string }>;
    };
    for (const entry of ['.', './network', './cluster', './load', './history']) {
      expect(existsSync(join(app, 'node_modules', 'meridian-kit', pkg.exports[entry]?.types as string))).toBe(true);
    }
  }, 60_000);

  it('the entry points carry their types: a strict TypeScript consumer compiles, a wrong option does not', async () => {
    writeFileSync(
      join(app, 'use.ts'),
      [
        "import { ClusterNetwork, type LinkCounters } from 'meridian-kit/network';",
        "import { grade, type CandidateReport, type GradeOptions } from 'meridian-kit';",
        "import { checkLinearizable } from 'meridian-kit/history';",
        "import { LatencyRecorder } from 'meridian-kit/load';",
        "import { launchCluster } from 'meridian-kit/cluster';",
        'export async function use(): Promise<unknown[]> {',
        "  const net = await ClusterNetwork.create({ seed: 1, transport: 'tcp' });",
        "  const counters: LinkCounters = net.linkCounters('a', 'b');",
        "  const options: GradeOptions = { only: ['broker.framing'], seed: 3 };",
        "  const report: CandidateReport = await grade('meridian.json', options);",
        '  // @ts-expect-error a seed is a number: the narrow options type refuses a string',
        "  await grade('meridian.json', { seed: 'three' });",
        '  return [counters, report, checkLinearizable, LatencyRecorder, launchCluster];',
        '}',
      ].join('\n'),
    );
    // The consumer's own compiler settings (strict, NodeNext, library declarations checked too); the kit's
    // TypeScript and @types/node stand in for the consumer's devDependencies.
    writeFileSync(
      join(app, 'tsconfig.json'),
      JSON.stringify({
        compilerOptions: {
          target: 'ES2022',
          module: 'NodeNext',
          moduleResolution: 'NodeNext',
          strict: true,
          noEmit: true,
          skipLibCheck: false,
          types: ['node'],
          typeRoots: [join(ROOT, 'node_modules', '@types')],
        },
        files: ['use.ts'],
      }),
    );
    const tsc = join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc');
    const { stdout } = await run(process.execPath, [tsc, '-p', app], { cwd: app, env, timeout: 120_000 });
    expect(stdout).toBe('');
  }, 150_000);
});
