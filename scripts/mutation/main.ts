/**
 * `npm run mutation -- [--system broker|store|gossip] [--files frame-reader,quorum] [--lines 91-160]
 *                     [--timeout-s 180] [--seed 1] [--parallel 2] [--fresh] [--report-only]`
 *
 * `--lines FROM-TO` mutates only those lines of the one selected file (a sample when time is short).
 *
 * Mutation testing of the conformance suites against the references, with StrykerJS. For each selected
 * reference file (scripts/mutation/targets.ts) Stryker mutates the file in a sandbox copy of the project and
 * the `meridian-grade` runner (grade-runner.ts) grades every mutant with the kit's CLI, running only the
 * checks mapped to that file. Incremental by default: Stryker's incremental file per target lives in
 * `.meridian/mutation/incremental/`, so a re-run grades only the mutants of changed code (`--fresh` re-grades
 * everything). Results are merged into scripts/mutation/results.json and rendered to docs/mutation.md.
 */
import { mkdirSync, readFileSync } from 'node:fs';
import { relative, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import type { PartialStrykerOptions } from '@stryker-mutator/api/core';
import { Stryker } from '@stryker-mutator/core';
import { SYSTEMS, type System } from './kit-cli.ts';
import { writeReport } from './report.ts';
import { loadResults, saveResults } from './results-store.ts';
import type { RecordedMutant } from './score.ts';
import { selectTargets, type MutationTarget } from './targets.ts';

const STATE_DIR = '.meridian/mutation';

function shorten(text: string, max = 80): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}

function sourceAt(
  lines: readonly string[],
  loc: { start: { line: number; column: number }; end: { line: number; column: number } },
): string {
  const { start, end } = loc;
  if (start.line === end.line) return (lines[start.line - 1] ?? '').slice(start.column - 1, end.column - 1);
  const first = (lines[start.line - 1] ?? '').slice(start.column - 1);
  const middle = lines.slice(start.line, end.line - 1);
  const last = (lines[end.line - 2 + 1] ?? '').slice(0, end.column - 1);
  return [first, ...middle, last].join('\n');
}

async function mutateTarget(
  target: MutationTarget,
  o: { seed: number; timeoutMs: number; parallel: number; fresh: boolean; lines?: string },
): Promise<RecordedMutant[]> {
  const slug = `${target.file.replace(/[/.]/g, '_')}${o.lines ? `_${o.lines}` : ''}`;
  process.env.MERIDIAN_MUTATION_FILE = target.file;
  process.env.MERIDIAN_MUTATION_SEED = String(o.seed);
  process.env.MERIDIAN_MUTATION_TIMEOUT_MS = String(o.timeoutMs);
  process.env.MERIDIAN_MUTATION_PARALLEL = String(o.parallel);
  // A sandbox that scrubs candidate environments must still let the mutant switch through.
  process.env.MERIDIAN_PASS_ENV = [process.env.MERIDIAN_PASS_ENV, '__STRYKER_ACTIVE_MUTANT__'].filter(Boolean).join(',');
  mkdirSync(`${STATE_DIR}/incremental`, { recursive: true });
  const stryker = new Stryker({
    mutate: [o.lines ? `${target.file}:${o.lines}` : target.file],
    testRunner: 'meridian-grade',
    plugins: [resolve('scripts/mutation/grade-runner.ts')],
    testRunnerNodeArgs: ['--import', 'tsx'],
    coverageAnalysis: 'off',
    checkers: [],
    concurrency: 1,
    // The runner enforces the per-mutant budget itself (stopping the CLI so it can stop the reference
    // processes); Stryker's own timeout is only a backstop behind it.
    timeoutMS: o.timeoutMs + 60_000,
    timeoutFactor: 1,
    dryRunTimeoutMinutes: Math.ceil(o.timeoutMs / 60_000) + 2,
    incremental: !o.fresh,
    force: o.fresh,
    incrementalFile: `${STATE_DIR}/incremental/${slug}.json`,
    tempDirName: `${STATE_DIR}/stryker-tmp/${slug}`,
    cleanTempDir: true,
    ignorePatterns: ['.meridian', 'coverage', 'docs', '**/target', '**/__pycache__', 'reports'],
    disableTypeChecks: false,
    reporters: ['progress-append-only', 'clear-text'],
    clearTextReporter: { allowColor: false, logTests: false, reportMutants: false },
    logLevel: 'info' as PartialStrykerOptions['logLevel'],
    fileLogLevel: 'off' as PartialStrykerOptions['fileLogLevel'],
  });
  const results = await stryker.runMutationTest();
  const lines = readFileSync(target.file, 'utf8').split('\n');
  return results.map((r) => ({
    file: relative(process.cwd(), resolve(r.fileName)),
    system: target.system,
    line: r.location.start.line,
    column: r.location.start.column,
    mutator: r.mutatorName,
    replacement: shorten(r.replacement ?? ''),
    original: shorten(sourceAt(lines, r.location)),
    status: r.status,
    ...(r.statusReason ? { reason: shorten(r.statusReason, 300) } : {}),
  }));
}

async function run(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      system: { type: 'string' },
      files: { type: 'string' },
      'timeout-s': { type: 'string', default: '180' },
      seed: { type: 'string', default: '1' },
      parallel: { type: 'string', default: '2' },
      fresh: { type: 'boolean', default: false },
      'report-only': { type: 'boolean', default: false },
      lines: { type: 'string' },
    },
  });
  if (values.system !== undefined && !(SYSTEMS as readonly string[]).includes(values.system)) {
    process.stderr.write(`mutation: --system must be one of ${SYSTEMS.join('|')}\n`);
    return 2;
  }
  const targets = selectTargets({ system: values.system as System | undefined, files: values.files?.split(',').filter(Boolean) });
  if (!values['report-only']) {
    if (targets.length === 0) {
      process.stderr.write('mutation: no target matches --system/--files\n');
      return 2;
    }
    if (values.lines !== undefined && (targets.length !== 1 || !/^\d+-\d+$/.test(values.lines))) {
      process.stderr.write('mutation: --lines FROM-TO needs exactly one target file (--files)\n');
      return 2;
    }
    const options = {
      seed: Number(values.seed),
      timeoutMs: Number(values['timeout-s']) * 1000,
      parallel: Number(values.parallel),
      fresh: values.fresh,
      lines: values.lines,
    };
    for (const target of targets) {
      process.stdout.write(`\n== mutating ${target.file} (${target.system}: ${target.checks.join(', ')})\n`);
      const mutants = await mutateTarget(target, options);
      const store = loadResults();
      store[target.file] = {
        file: target.file,
        checks: target.checks,
        seed: options.seed,
        finishedAt: new Date().toISOString(),
        ...(options.lines ? { lines: options.lines } : {}),
        mutants,
      };
      saveResults(store);
      writeReport(store);
    }
  }
  writeReport(loadResults());
  process.stdout.write('report written to docs/mutation.md\n');
  return 0;
}

process.exitCode = await run(process.argv.slice(2));
