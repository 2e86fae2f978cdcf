import { readFile, writeFile } from 'node:fs/promises';
import { relative } from 'node:path';
import { loadCandidate } from '../harness/candidate/candidate.ts';
import { buildCandidate } from '../harness/candidate/build.ts';
import { KitError } from '../harness/common/errors.ts';
import { newRunSeed } from '../harness/common/random.ts';
import { flake, mergeFlakeReports, parseShard, renderFlake, type FlakeReport } from '../harness/flake/flake.ts';
import { paintVerdict } from '../harness/report/table.ts';
import { replayCommand } from '../harness/grading/replay.ts';
import { selectChecks } from '../harness/grading/select-checks.ts';
import { SUITES } from './suites.ts';

interface FlakeValues {
  candidate?: string[];
  runs?: string;
  parallel?: string;
  only?: string;
  seed?: string;
  shard?: string;
  json?: string;
  quiet?: boolean;
}

function positiveInt(text: string | undefined, fallback: number, name: string, max: number): number {
  if (text === undefined) return fallback;
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1 || n > max) throw new KitError('BAD_ARGUMENT', `--${name} must be an integer from 1 to ${max}, got "${text}"`);
  return n;
}

/** `meridian-kit flake`: exit 0 when every gated check passed every run, 1 on FAIL or FLAKY, 2 on bad input. */
export async function flakeCommand(values: FlakeValues): Promise<number> {
  try {
    const path = values.candidate?.[0];
    if (!path || values.candidate!.length > 1) throw new KitError('BAD_ARGUMENT', 'flake takes exactly one --candidate manifest');
    const runs = positiveInt(values.runs, 50, 'runs', 100_000);
    const parallel = positiveInt(values.parallel, 4, 'parallel', 64);
    const shard = parseShard(values.shard);
    const baseSeed = values.seed !== undefined ? Number(values.seed) : newRunSeed();
    if (!Number.isInteger(baseSeed) || baseSeed < 0 || baseSeed > 0xffffffff) throw new KitError('BAD_ARGUMENT', `--seed must be an integer from 0 to 4294967295, got "${values.seed}"`);
    const candidate = await loadCandidate(path);
    await buildCandidate(candidate);
    const checks = selectChecks(SUITES[candidate.manifest.system], values.only?.split(',').map((s) => s.trim()).filter(Boolean));
    if (checks.length === 0) throw new KitError('NO_CHECKS', `no checks to run for system ${candidate.manifest.system}`);
    const tty = process.stderr.isTTY === true;
    let lastPrinted = -1;
    const report = await flake({
      candidate,
      manifestLabel: relative(process.cwd(), candidate.manifestPath),
      checks,
      runs,
      baseSeed,
      parallel,
      shard,
      replay: (id, seed) => replayCommand(candidate, id, seed),
      onProgress: (done, total, failures) => {
        if (values.quiet) return;
        const pct = Math.floor((done / total) * 100);
        if (tty) process.stderr.write(`\r[flake] ${done}/${total} check runs (${pct}%), ${failures} not passing `);
        else if (pct >= lastPrinted + 10 || done === total) {
          lastPrinted = pct;
          process.stderr.write(`[flake] ${done}/${total} check runs (${pct}%), ${failures} not passing\n`);
        }
      },
    });
    if (tty && !values.quiet) process.stderr.write('\n');
    process.stdout.write(`${renderFlake(report, paintVerdict)}\n`);
    if (values.json) await writeFile(values.json, `${JSON.stringify(report, null, 2)}\n`);
    return flakeExitCode(report);
  } catch (error) {
    if (!(error instanceof KitError)) throw error;
    process.stderr.write(`meridian-kit: ${error.code}: ${error.message}\n`);
    return 2;
  }
}

function flakeExitCode(report: FlakeReport): number {
  if (report.checks.some((c) => c.verdict === 'ERROR')) return 2;
  return report.checks.every((c) => c.level !== 'required' || c.verdict === 'PASS') ? 0 : 1;
}

export async function mergeCommand(paths: string[], out: string | undefined): Promise<number> {
  try {
    if (paths.length === 0) throw new KitError('BAD_ARGUMENT', 'merge needs one or more flake JSON reports');
    const reports = await Promise.all(paths.map(async (p) => JSON.parse(await readFile(p, 'utf8')) as FlakeReport));
    const merged = mergeFlakeReports(reports);
    process.stdout.write(`${renderFlake(merged, paintVerdict)}\n`);
    if (out) await writeFile(out, `${JSON.stringify(merged, null, 2)}\n`);
    return flakeExitCode(merged);
  } catch (error) {
    if (error instanceof SyntaxError) {
      process.stderr.write(`meridian-kit: MERGE_BAD_JSON: ${error.message}\n`);
      return 2;
    }
    if (!(error instanceof KitError)) throw error;
    process.stderr.write(`meridian-kit: ${error.code}: ${error.message}\n`);
    return 2;
  }
}
