import { readdirSync, existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ROOT } from '../harness/common/root.ts';
import { parseArgs } from 'node:util';
import { newRunSeed } from '../harness/common/random.ts';
import { killAll } from '../harness/process/supervisor.ts';
import { grade } from './grade.ts';


const USAGE = `meridian-kit — grade telemetry-system implementations over real sockets

Usage:
  meridian-kit grade [--candidate M ...] [--only ID,...] [--seed N] [--strict]
                     [--json FILE] [--junit FILE] [--html FILE] [--markdown FILE]
                     [--csv FILE] [--parallel N]
      Grades each manifest M (without --candidate: every bundled reference).
      Several --candidate: a batch, with one summary table (--csv, and .md).
      Exit 0 when every required check passes (--strict: recommended too),
      1 when a check fails, 2 for a bad manifest, a failed build or a kit fault.
  meridian-kit flake --candidate M [--runs 50] [--parallel N] [--only ID,...]
                     [--seed N] [--shard i/n] [--json FILE]
      Runs the checks N times with distinct seeds; a check that both passed
      and failed is FLAKY. Prints each failing seed's replay command.
  meridian-kit merge FLAKE.json... [--json FILE]
      Combines the shard reports of one flake run (--shard i/n on a CI matrix).
  meridian-kit checks [--system broker|store|gossip]
      Lists the check catalogue.
  meridian-kit stress --candidate M [--conns 48] [--rate 10000]
                      [--size 1024 | --sizes DIST] [--payload cbor|random|zeros]
                      [--duration 30s] [--handlers 3] [--slow-handler MS]
                      [--events auto|frames|stats] [--drain 5s] [--seed N]
                      [--json FILE] [--html FILE] [--out DIR]
      Broker: open-loop constant-rate load (DIST: 1024, uniform:64..4096,
      realistic); prints rate, latency percentiles, loss per handler, CPU and
      memory; writes a JSON result and an HTML page (default .meridian/stress/).
      Exit 0 for a valid run, 1 when under 98% of the target rate was sent.
      Store manifest: read/write throughput per read mode with autocannon
      (--conns default 16, --duration per row default 5s).

Every run prints its seed; --seed N replays it as far as the kit controls it.`;

/** The bundled references' manifests (reference/<system>/manifest.json). */
export function referenceManifests(): string[] {
  const dir = join(ROOT, 'reference');
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .map((name) => join(dir, name, 'manifest.json'))
    .filter((path) => existsSync(path));
}

export async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (command === undefined || command === '--help' || command === '-h' || command === 'help') {
    process.stdout.write(`${USAGE}\n`);
    return command === undefined ? 2 : 0;
  }
  let parsed;
  try {
    parsed = parseArgs({
      args: rest,
      allowPositionals: true,
      options: {
        candidate: { type: 'string', multiple: true },
        'all-references': { type: 'boolean', default: false },
        only: { type: 'string' },
        seed: { type: 'string' },
        strict: { type: 'boolean', default: false },
        json: { type: 'string' },
        junit: { type: 'string' },
        html: { type: 'string' },
        markdown: { type: 'string' },
        csv: { type: 'string' },
        parallel: { type: 'string' },
        system: { type: 'string' },
        quiet: { type: 'boolean', default: false },
        runs: { type: 'string' },
        shard: { type: 'string' },
        conns: { type: 'string' },
        rate: { type: 'string' },
        size: { type: 'string' },
        sizes: { type: 'string' },
        payload: { type: 'string' },
        duration: { type: 'string' },
        handlers: { type: 'string' },
        'slow-handler': { type: 'string' },
        events: { type: 'string' },
        drain: { type: 'string' },
        out: { type: 'string' },
      },
    });
  } catch (error) {
    process.stderr.write(`meridian-kit: ${(error as Error).message}\n\n${USAGE}\n`);
    return 2;
  }
  const values = parsed.values;
  const onSignal = (): void => {
    void killAll().then(() => process.exit(130));
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    if (command === 'grade') {
      const seed = values.seed !== undefined ? Number(values.seed) : newRunSeed();
      if (!Number.isInteger(seed) || seed < 0 || seed > 0xffffffff) {
        process.stderr.write(`meridian-kit: --seed must be an integer from 0 to 4294967295, got ${values.seed}\n`);
        return 2;
      }
      const parallel = values.parallel !== undefined ? Number(values.parallel) : 4;
      if (!Number.isInteger(parallel) || parallel < 1 || parallel > 64) {
        process.stderr.write(`meridian-kit: --parallel must be an integer from 1 to 64, got ${values.parallel}\n`);
        return 2;
      }
      const candidates = values.candidate && values.candidate.length > 0 ? values.candidate : referenceManifests();
      if (candidates.length === 0) {
        process.stderr.write('meridian-kit: no candidate given and no bundled reference found\n');
        return 2;
      }
      return await grade({
        candidates,
        seed,
        only: values.only?.split(',').map((s) => s.trim()).filter(Boolean),
        strict: values.strict ?? false,
        parallel,
        json: values.json,
        junit: values.junit,
        html: values.html,
        markdown: values.markdown,
        csv: values.csv,
        progress: !values.quiet,
        out: (t) => process.stdout.write(`${t}\n`),
        err: (t) => process.stderr.write(`${t}\n`),
      });
    }
    if (command === 'flake') {
      const { flakeCommand } = await import('./flake-command.ts');
      return await flakeCommand(values);
    }
    if (command === 'stress') {
      const { stressCommand } = await import('./stress-command.ts');
      return await stressCommand(values);
    }
    if (command === 'merge') {
      const { mergeCommand } = await import('./flake-command.ts');
      return await mergeCommand(parsed.positionals, values.json);
    }
    if (parsed.positionals.length > 0) {
      process.stderr.write(`meridian-kit: unexpected argument "${parsed.positionals[0]}"\n`);
      return 2;
    }
    if (command === 'checks') {
      const { SUITES } = await import('./suites.ts');
      for (const [system, checks] of Object.entries(SUITES)) {
        if (values.system && values.system !== system) continue;
        for (const c of checks) process.stdout.write(`${c.id.padEnd(30)} ${c.level.padEnd(11)} ${c.criterion}\n`);
      }
      return 0;
    }
    process.stderr.write(`meridian-kit: unknown command "${command}"\n\n${USAGE}\n`);
    return 2;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    await killAll();
  }
}

// Run directly (tsx cli/main.ts …) rather than imported by bin/meridian-kit.js.
if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  process.exitCode = await main(process.argv.slice(2));
}
