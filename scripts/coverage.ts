/**
 * `npm run coverage -- [--system broker|store|gossip] [--only id,...] [--seed 1]`
 *
 * Line and branch coverage of each reference's own code while its conformance suite grades it. The
 * references run as child processes of the kit, so their V8 coverage is collected by the processes
 * themselves: a derived manifest (`.meridian/coverage/<system>/manifest.json`) runs the reference's
 * main.ts with NODE_V8_COVERAGE in its manifest env and a preload (scripts/coverage-flush.mjs) that writes
 * the coverage every 200 ms, because the kit stops candidates with SIGKILL. c8 turns the V8 files into
 * Istanbul coverage mapped back to the TypeScript sources (tsx's source maps). The result, with the line
 * ranges no check reaches, goes to scripts/mutation/coverage-<system>.json and is rendered into the
 * "Coverage" section of docs/mutation.md.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { KIT_CLI, referenceManifest, SYSTEMS, type System } from './mutation/kit-cli.ts';
import { lineRanges, renderCoverage, type SystemCoverage, type FileCoverage } from './mutation/coverage-report.ts';
import { writeReport } from './mutation/report.ts';
import { loadResults } from './mutation/results-store.ts';

const ROOT = process.cwd();

interface IstanbulFile {
  statementMap: Record<string, { start: { line: number }; end: { line: number } }>;
  s: Record<string, number>;
  branchMap: Record<string, { locations: { start: { line: number } }[] }>;
  b: Record<string, number[]>;
}

function fileCoverage(path: string, data: IstanbulFile): FileCoverage {
  const covered = new Set<number>();
  const uncovered = new Set<number>();
  for (const [id, loc] of Object.entries(data.statementMap)) {
    for (let line = loc.start.line; line <= loc.end.line; line++) ((data.s[id] ?? 0) > 0 ? covered : uncovered).add(line);
  }
  for (const line of covered) uncovered.delete(line);
  let branches = 0,
    branchesHit = 0;
  const missedBranchLines: number[] = [];
  for (const [id, counts] of Object.entries(data.b)) {
    counts.forEach((n, k) => {
      branches++;
      if (n > 0) branchesHit++;
      else missedBranchLines.push(data.branchMap[id]?.locations[k]?.start.line ?? 0);
    });
  }
  const lines = covered.size + uncovered.size;
  return {
    file: relative(ROOT, path),
    lines,
    linesHit: covered.size,
    branches,
    branchesHit,
    uncoveredLines: lineRanges([...uncovered]),
    missedBranchLines: lineRanges(missedBranchLines.filter((l) => l > 0)),
  };
}

/** "9 PASS; FAIL: broker.memory" from the CLI's --json report: failed checks may reach less code. */
function verdictSummary(jsonPath: string, exit: number | null): string {
  if (!existsSync(jsonPath)) return `no report (exit ${exit})`;
  const report = JSON.parse(readFileSync(jsonPath, 'utf8')) as { candidates: { checks: { id: string; verdict: string }[] }[] };
  const checks = report.candidates.flatMap((c) => c.checks);
  const byVerdict = new Map<string, string[]>();
  for (const c of checks) byVerdict.set(c.verdict, [...(byVerdict.get(c.verdict) ?? []), c.id]);
  return [...byVerdict].map(([v, ids]) => (v === 'PASS' || v === 'ADVISORY' ? `${ids.length} ${v}` : `${v}: ${ids.join(', ')}`)).join('; ');
}

function coverSystem(system: System, only: string | undefined, seed: string): SystemCoverage {
  const work = resolve('.meridian/coverage', system);
  const v8Dir = join(work, 'v8');
  rmSync(work, { recursive: true, force: true });
  mkdirSync(v8Dir, { recursive: true });
  const original = JSON.parse(readFileSync(referenceManifest(system), 'utf8')) as {
    command: string[];
    env?: Record<string, string>;
    source?: string;
  };
  const referenceDir = resolve('reference', system);
  const command = original.command.map((part) => (part.endsWith('.ts') ? join(referenceDir, part) : part));
  command.splice(1, 0, '--import', resolve('scripts/coverage-flush.mjs'));
  const manifest = {
    ...original,
    name: `${system}-coverage`,
    command,
    env: { ...original.env, NODE_V8_COVERAGE: v8Dir },
    source: referenceDir,
  };
  const manifestPath = join(work, 'manifest.json');
  writeFileSync(manifestPath, JSON.stringify(manifest, null, 2));
  const jsonPath = join(work, 'grade.json');
  const args = [
    '--import',
    'tsx',
    KIT_CLI,
    'grade',
    '--candidate',
    manifestPath,
    '--seed',
    seed,
    '--parallel',
    '2',
    '--quiet',
    '--json',
    jsonPath,
  ];
  if (only) args.push('--only', only);
  process.stdout.write(`== ${system}: grading with coverage (${only ?? 'every check'})\n`);
  const started = Date.now();
  const grade = spawnSync(process.execPath, args, {
    stdio: ['ignore', 'pipe', 'inherit'],
    env: { ...process.env, MERIDIAN_PASS_ENV: [process.env.MERIDIAN_PASS_ENV, 'NODE_V8_COVERAGE'].filter(Boolean).join(',') },
    encoding: 'utf8',
    maxBuffer: 64 << 20,
  });
  const verdictLine = verdictSummary(jsonPath, grade.status);
  process.stdout.write(`${verdictLine}\n`);
  const reportDir = join(work, 'report');
  const c8 = spawnSync(
    process.execPath,
    [
      resolve('node_modules/c8/bin/c8.js'),
      'report',
      '--temp-directory',
      v8Dir,
      '--reports-dir',
      reportDir,
      '--reporter=json',
      '--include',
      `reference/${system}/**`,
      '--exclude',
      '**/*.test.ts',
      '--exclude',
      `reference/${system}/testing/**`,
      '--exclude',
      '**/test-support.ts',
      '--all',
    ],
    { stdio: 'inherit' },
  );
  if (c8.status !== 0) throw new Error(`c8 report failed for ${system}`);
  const final = JSON.parse(readFileSync(join(reportDir, 'coverage-final.json'), 'utf8')) as Record<string, IstanbulFile>;
  const files = Object.entries(final)
    .map(([path, data]) => fileCoverage(path, data))
    .sort((a, b) => a.file.localeCompare(b.file));
  rmSync(v8Dir, { recursive: true, force: true });
  return {
    system,
    checks: only ?? 'all',
    seed: Number(seed),
    gradeExit: grade.status,
    gradeSummary: verdictLine,
    seconds: Math.round((Date.now() - started) / 1000),
    measuredAt: new Date().toISOString(),
    files,
  };
}

function main(): number {
  const { values } = parseArgs({
    args: process.argv.slice(2),
    options: { system: { type: 'string' }, only: { type: 'string' }, seed: { type: 'string', default: '1' } },
  });
  const systems = values.system ? [values.system as System] : [...SYSTEMS];
  if (!systems.every((s) => (SYSTEMS as readonly string[]).includes(s))) {
    process.stderr.write(`coverage: --system must be one of ${SYSTEMS.join('|')}\n`);
    return 2;
  }
  for (const system of systems) {
    const result = coverSystem(system, values.only, values.seed);
    writeFileSync(`scripts/mutation/coverage-${system}.json`, `${JSON.stringify(result, null, 1)}\n`);
  }
  const all = SYSTEMS.map((s) => `scripts/mutation/coverage-${s}.json`)
    .filter(existsSync)
    .map((p) => JSON.parse(readFileSync(p, 'utf8')) as SystemCoverage);
  writeFileSync('scripts/mutation/coverage.md', renderCoverage(all));
  writeReport(loadResults());
  process.stdout.write('coverage written to docs/mutation.md\n');
  return 0;
}

process.exitCode = main();
