/**
 * Log-intake benchmark (issue 10): how many candidate log lines per second the kit reads, as a ratio to ten
 * times the seed load (300,000 lines/s). The path is the kit's real one: a child process writes lines to its
 * stdout pipe; `Supervised` reads the pipe into its `LogBuffer`, which splits lines and feeds them to the
 * broker event parser (`createEventParser`) — exactly what `BrokerUnderTest` and the stress target attach.
 * The writer pre-builds its output and writes it in 64 KiB blocks (respecting back-pressure), so it is
 * faster than the reader and the figure measures the kit.
 *
 *   npx tsx scripts/bench-log-intake.ts           (≈ 10 s; prints the figures)
 *
 * Lines/s is counted from the first line to the last one parsed; every line must parse into an event.
 *
 * @module
 */
import { createEventParser } from '../harness/wire/broker-events.ts';
import type { LogFormat } from '../harness/candidate/manifest.ts';
import { Supervised } from '../harness/process/supervisor.ts';

/** Ten times the seed load: 48 stations × 10,000 frames/s over 3 handlers was ~30,000 frame lines/s. */
export const TARGET_LINES_PER_SECOND = 300_000;

/** A frame line as the seed's Rust broker prints it with `tracing_subscriber`'s default layer (ANSI on). */
const TRACING_LINE =
  '\x1b[2m2026-11-22T03:55:51.397341Z\x1b[0m \x1b[32m INFO\x1b[0m \x1b[2mmeridian_broker\x1b[0m\x1b[2m:\x1b[0m frame received \x1b[3mhandler\x1b[0m\x1b[2m=\x1b[0m1 \x1b[3mstation\x1b[0m\x1b[2m=\x1b[0mgs-17@127.0.0.1:40236 \x1b[3mbytes\x1b[0m\x1b[2m=\x1b[0m1024 \x1b[3mcrc32\x1b[0m\x1b[2m=\x1b[0m3735928559';
/** The same event in the kit's JSON layout. */
const JSON_LINE =
  '{"ts":"2026-11-22T03:55:51.397341Z","level":"info","event":"frame","handler":1,"station":"gs-17@127.0.0.1:40236","bytes":1024,"crc32":3735928559}';

const WRITER = `
const line = process.env.BENCH_LINE + '\\n';
const total = Number(process.env.BENCH_LINES);
const perBlock = Math.max(1, Math.floor(65536 / Buffer.byteLength(line)));
const block = Buffer.from(line.repeat(perBlock));
let left = total;
function pump() {
  while (left > 0) {
    const n = Math.min(perBlock, left);
    left -= n;
    const ok = process.stdout.write(n === perBlock ? block : Buffer.from(line.repeat(n)));
    if (!ok) return process.stdout.once('drain', pump);
  }
}
pump();
`;

export interface IntakeFigure {
  format: LogFormat;
  lines: number;
  events: number;
  seconds: number;
  linesPerSecond: number;
  /** linesPerSecond / TARGET_LINES_PER_SECOND. */
  ratio: number;
  /**
   * Lines per second of the kit's own CPU time (user + system) over the same span: what the intake does when
   * the machine gives it a core. On a shared, loaded machine the wall-clock figure also counts the time the
   * kit (or the writer) waited for a CPU; this one does not.
   */
  linesPerCpuSecond: number;
  cpuRatio: number;
}

/** Writes `lines` lines of `format` through a real pipe into the kit's intake; the best of `tries` runs. */
export async function benchLogIntake(format: LogFormat, options: { lines?: number; tries?: number } = {}): Promise<IntakeFigure> {
  const lines = options.lines ?? 600_000;
  let best: IntakeFigure | undefined;
  for (let t = 0; t < (options.tries ?? 2); t++) {
    const parse = createEventParser(format);
    const proc = new Supervised([process.execPath, '-e', WRITER], {
      name: `log writer (${format})`,
      cwd: process.cwd(),
      env: { PATH: process.env.PATH ?? '', BENCH_LINE: format === 'json' ? JSON_LINE : TRACING_LINE, BENCH_LINES: String(lines) },
    });
    let first = 0;
    let last = 0;
    let events = 0;
    let seen = 0;
    let cpuFirst = process.cpuUsage();
    let cpuLast = cpuFirst;
    proc.log.onLine((line) => {
      if (seen++ === 0) {
        first = performance.now();
        cpuFirst = process.cpuUsage();
      }
      if (parse(line.text, line.atMs)?.event === 'frame') events++;
      last = performance.now();
      if (seen === lines) cpuLast = process.cpuUsage();
    });
    const exit = await proc.waitExit(120_000);
    if (!exit) {
      await proc.kill();
      throw new Error(`log writer (${format}) did not finish within 120 s`);
    }
    if (events !== lines) throw new Error(`${format}: ${events} of ${lines} lines parsed into frame events`);
    const seconds = (last - first) / 1000;
    const linesPerSecond = lines / seconds;
    const cpuSeconds = (cpuLast.user - cpuFirst.user + cpuLast.system - cpuFirst.system) / 1e6;
    const linesPerCpuSecond = lines / cpuSeconds;
    const figure = {
      format,
      lines,
      events,
      seconds,
      linesPerSecond,
      ratio: linesPerSecond / TARGET_LINES_PER_SECOND,
      linesPerCpuSecond,
      cpuRatio: linesPerCpuSecond / TARGET_LINES_PER_SECOND,
    };
    if (!best || figure.linesPerSecond > best.linesPerSecond) best = figure;
  }
  return best as IntakeFigure;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  for (const format of ['tracing', 'json'] as const) {
    const f = await benchLogIntake(format);
    console.log(
      `${format}: ${Math.round(f.linesPerSecond).toLocaleString('en')} lines/s wall (${f.lines.toLocaleString('en')} lines in ${f.seconds.toFixed(2)} s) = ${f.ratio.toFixed(2)} × 300,000/s; ${Math.round(f.linesPerCpuSecond).toLocaleString('en')} lines per CPU-second of the kit = ${f.cpuRatio.toFixed(2)} ×`,
    );
  }
}
