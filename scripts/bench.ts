/**
 * `npm run bench`: every benchmark of the kit, bounded (≈ 2 minutes), printed as one table. Each figure
 * is a ratio to a limit measured in the same run (a raw loopback blast, a bare length-prefix reader) or
 * to the issue's target where no same-run limit exists. Speed targets live here, never in timed tests.
 * The machine is shared: figures vary from run to run; the exit code is 0 unless a benchmark crashed.
 *
 *   npm run bench              all of them
 *   npm run bench -- --only generator,broker,network,log-intake
 *   npm run bench -- --candidate A.json --candidate B.json   side by side, ratios to A (bench-compare.ts)
 *
 * @module
 */
import { killAll } from '../harness/process/supervisor.ts';
import { benchBroker } from './bench-broker.ts';
import { benchCompare, candidateArgs } from './bench-compare.ts';
import { renderComparison } from '../harness/load/stress/index.ts';
import { benchGenerator } from './bench-generator.ts';
import { benchLogIntake, TARGET_LINES_PER_SECOND } from './bench-log-intake.ts';
import { benchNetwork } from './bench-network.ts';

interface Row {
  readonly figure: string;
  readonly measured: string;
  readonly limit: string;
  /** measured / limit. */
  readonly ratio: number;
  /** `≥ x` or `≤ x` on the ratio. */
  readonly need: string;
  readonly ok: boolean;
  readonly note: string;
}

const fmt = (n: number, digits = 0): string => n.toLocaleString('en', { maximumFractionDigits: digits, minimumFractionDigits: digits });
const MiB = 2 ** 20;

function row(figure: string, measured: string, limit: string, ratio: number, atLeast: boolean, bound: number, note = ''): Row {
  return {
    figure,
    measured,
    limit,
    ratio,
    need: `${atLeast ? '≥' : '≤'} ${bound.toFixed(2)}`,
    ok: atLeast ? ratio >= bound : ratio <= bound,
    note,
  };
}

function render(rows: readonly Row[]): string {
  const header = ['figure', 'measured', 'limit (same run or target)', 'ratio', 'need', 'verdict', 'note'];
  const cells = rows.map((r) => [r.figure, r.measured, r.limit, r.ratio.toFixed(2), r.need, r.ok ? 'OK' : 'short', r.note]);
  const widths = header.map((h, i) => Math.max(h.length, ...cells.map((c) => (c[i] ?? '').length)));
  const line = (c: readonly string[]): string =>
    c
      .map((x, i) => (i === 1 || i === 3 ? x.padStart(widths[i] ?? 0) : x.padEnd(widths[i] ?? 0)))
      .join('  ')
      .trimEnd();
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...cells.map(line)].join('\n');
}

async function main(): Promise<number> {
  const compared = candidateArgs(process.argv);
  if (compared.length > 0) {
    console.log(`side by side, interleaved (${compared.join(' vs ')}):`);
    const c = await benchCompare({ manifests: compared, log: (line) => console.log(`  ${line}`) });
    console.log(`\n${renderComparison(c)}`);
    return 0;
  }
  const i = process.argv.indexOf('--only');
  const only = new Set(i >= 0 ? (process.argv[i + 1] ?? '').split(',') : ['generator', 'broker', 'network', 'log-intake']);
  const log = (line: string): void => console.log(`  ${line}`);
  const rows: Row[] = [];
  const failures: string[] = [];
  const started = performance.now();

  if (only.has('generator')) {
    console.log('generator (harness/load pacer vs a raw write blast, 4 connections, 1 KiB frames):');
    try {
      const g = await benchGenerator({ budgetMs: 20_000, log });
      const paced = g.best?.gbps ?? 0;
      const at = g.best === undefined ? 'none within 1%' : `${fmt(paced, 2)} Gbps`;
      rows.push(
        row(
          'generator: highest rate paced within 1% (1 KiB frames)',
          at,
          '1 Gbps (target)',
          paced / 1,
          true,
          1,
          g.best === undefined ? '' : `${fmt(g.best.targetRate)} frames/s, send lag p99 ${fmt(g.best.sendLagP99Us)} µs`,
        ),
      );
      rows.push(row('generator: paced vs raw loopback blast', at, `${fmt(g.blast.gbps, 2)} Gbps (blast)`, g.ratio, true, 0.5));
    } catch (error) {
      failures.push(`generator: ${(error as Error).message}`);
    }
  }

  if (only.has('broker')) {
    console.log('reference broker (48 connections, 1 KiB CBOR frames, 3 handlers):');
    try {
      const b = await benchBroker({ log });
      const stop = {
        generator: 'the kit generator could not pace the next rate: a lower bound',
        budget: 'ramp out of time while still lossless: a lower bound',
        bare: "ramp reached the bare reader's rate while still lossless",
        broker: 'the next rate lost frames or was pushed back',
      }[b.ingestStop];
      rows.push(
        row(
          'broker: highest ingest, nothing lost to a handler',
          `${fmt(b.bestIngestRate)} fr/s`,
          `${fmt(b.bareFramesPerSecond)} fr/s (bare reader)`,
          b.ingestRatio,
          true,
          0.4,
          stop,
        ),
      );
      const s = b.seedLoad.load;
      const seedNote = `${s.valid ? 'valid run' : `INVALID run (${s.limitedBy})`}, p50 ${fmt(s.latency.p50Us)} µs, n=${fmt(s.latency.count)}, ${b.seedLoadSpinning ? 'spinning' : 'sleeping'} pacer, kit send lag p99 ${fmt(s.load.sendLag.p99Us)} µs`;
      rows.push(
        row(
          'broker: p99 latency at the seed load (10,000 fr/s)',
          `${fmt(b.p99Us / 1000, 2)} ms`,
          '2 ms (target)',
          b.p99Us / 2000,
          false,
          1,
          seedNote,
        ),
      );
      const floor = b.seedLoad.floor;
      if (floor !== undefined) {
        const floorRow = row(
          'broker: p99 at the seed load vs the kit floor',
          `${fmt(b.p99Us / 1000, 2)} ms`,
          `${fmt(floor.latency.p99Us / 1000, 2)} ms (null broker, same run)`,
          floor.p99Ratio,
          false,
          3,
          `floor p50 ${fmt(floor.latency.p50Us)} µs, ${floor.valid ? 'valid' : 'INVALID'} floor run, ${floor.latencyMethod.split(':')[0]}`,
        );
        // A floor the machine could not pace is no floor: the ratio is shown but never counts as OK.
        rows.push(floor.valid ? floorRow : { ...floorRow, ok: false });
      }
      rows.push(
        row(
          'kit: send lag p99 at the seed load',
          `${fmt(s.load.sendLag.p99Us / 1000, 2)} ms`,
          '0.5 ms (target)',
          s.load.sendLag.p99Us / 500,
          false,
          1,
          `p50 ${fmt(s.load.sendLag.p50Us)} µs; floor run's ${fmt((floor?.sendLag.p99Us ?? 0) / 1000, 2)} ms`,
        ),
      );
      rows.push(
        row(
          'broker: resident memory at the seed load',
          `${fmt(b.maxRssBytes / MiB, 1)} MiB`,
          '128 MiB (target)',
          b.maxRssBytes / (128 * MiB),
          false,
          1,
          `CPU mean ${fmt(b.seedLoad.proc?.meanCpuPercent ?? 0)}% of a core`,
        ),
      );
    } catch (error) {
      failures.push(`broker: ${(error as Error).message}`);
    }
  }

  if (only.has('network')) {
    console.log('network (harness/network, fault-injecting splices and relays):');
    try {
      const n = await benchNetwork();
      for (const f of n.figures) {
        const unit = f.unit === 'ms' ? 'ms' : f.unit;
        const value = (x: number): string => (f.unit === 'ms' ? `${fmt(x, 3)} ms` : `${fmt(x)} ${unit}`);
        rows.push(
          row(
            `network: ${f.figure}`,
            value(f.measured),
            `${value(f.target)} (${f.sameRun === true ? 'same run' : 'target'})`,
            f.measured / f.target,
            !f.lowerIsBetter,
            f.bound ?? 1,
            f.note,
          ),
        );
      }
      log('done');
    } catch (error) {
      failures.push(`network: ${(error as Error).message}`);
    }
  }

  if (only.has('log-intake')) {
    console.log('log intake (a child writes frame lines through a real pipe into Supervised → LogBuffer → event parser):');
    for (const format of ['tracing', 'json'] as const) {
      try {
        const f = await benchLogIntake(format);
        log(`${format}: ${fmt(f.linesPerSecond)} lines/s`);
        rows.push(
          row(
            `log intake: ${format} lines read and parsed (wall clock)`,
            `${fmt(f.linesPerSecond)} lines/s`,
            `${fmt(TARGET_LINES_PER_SECOND)} lines/s (10× seed, target)`,
            f.ratio,
            true,
            1,
            `${fmt(f.lines)} lines, best of 2`,
          ),
        );
        rows.push(
          row(
            `log intake: ${format} lines per CPU-second of the kit`,
            `${fmt(f.linesPerCpuSecond)} lines/s`,
            `${fmt(TARGET_LINES_PER_SECOND)} lines/s (10× seed, target)`,
            f.cpuRatio,
            true,
            1,
            'the rate when the kit gets a core',
          ),
        );
      } catch (error) {
        failures.push(`log-intake ${format}: ${(error as Error).message}`);
      }
    }
  }

  console.log('');
  console.log(render(rows));
  console.log(
    `\n${rows.filter((r) => r.ok).length}/${rows.length} figures OK in ${fmt((performance.now() - started) / 1000, 0)} s (ratio = measured / limit; the machine is shared, figures vary between runs)`,
  );
  for (const failure of failures) console.log(`benchmark failed: ${failure}`);
  return failures.length > 0 ? 2 : 0;
}

const onSignal = (): void => {
  void killAll().then(() => process.exit(130));
};
process.once('SIGINT', onSignal);
process.once('SIGTERM', onSignal);
try {
  process.exitCode = await main();
} finally {
  await killAll();
}
