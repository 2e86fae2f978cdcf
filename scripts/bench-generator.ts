/**
 * Generator benchmark: how fast can the kit's paced generator (harness/load) push 1 KiB frames over
 * loopback while staying within 1% of its target rate, compared with a raw write blast in the same run?
 *
 *   npx tsx scripts/bench-generator.ts            (≈ 20 s; prints the figures, exit code 0 either way)
 *
 * A sink server in a child process (so it has its own core, like a real candidate) counts bytes.
 * 1. Blast: pre-built 64-frame chunks written as fast as the sockets drain, for ~2 s → blast Gbps.
 * 2. Paced: runs of ~1.2 s at geometrically increasing targets (from 20% of the blast rate, ×1.25) until the achieved rate falls
 *    below 99% of the target twice in a row at the same target (stepping down ÷1.56 when even the first one is
 *    out of reach), then two bisection steps → the highest
 *    paced Gbps. The machine is shared, so expect run-to-run variation: the figures are for this run.
 * Targets: ≥ 1 Gbps paced, and paced ≥ 50% of the blast.
 */
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import net from 'node:net';
import { pathToFileURL } from 'node:url';
import { nowUs } from '../harness/load/clock.ts';
import { waitUntil } from '../harness/common/wait.ts';
import { encodeFrame } from '../harness/wire/frame.ts';
import { createPayloadFactory } from '../harness/load/payload-factory.ts';
import { runPacedLoad } from '../harness/load/schedule.ts';
import { socketSink } from '../harness/load/sink.ts';

/** Options of {@link benchGenerator}. */
export interface BenchGeneratorOptions {
  /** Parallel connections, for the blast and the paced runs alike. Default 4. */
  readonly connections?: number;
  /** Payload bytes per frame (4 more on the wire). Default 1024. */
  readonly payloadBytes?: number;
  /** Blast duration, ms. Default 2000. */
  readonly blastMs?: number;
  /** Duration of each paced run, ms. Default 1200. */
  readonly stepMs?: number;
  /** First paced target, frames/s. Default 20% of the blast's frame rate (at least 50,000). */
  readonly startRate?: number;
  /** Factor between paced targets. Default 1.25. */
  readonly growth?: number;
  /** Stop starting new paced runs after this much total time, ms. Default 24,000. */
  readonly budgetMs?: number;
  /** `spinThresholdUs` of the pacer. Default: the pacer's default. */
  readonly spinThresholdUs?: number;
  /** Progress lines. Default: none. */
  readonly log?: (line: string) => void;
}

export interface PacedStep {
  readonly targetRate: number;
  readonly achievedRate: number;
  readonly ratio: number;
  /** Achieved ≥ 99% of target. */
  readonly ok: boolean;
  readonly gbps: number;
  readonly sendLagP99Us: number;
}

export interface BenchGeneratorResult {
  readonly connections: number;
  readonly frameBytes: number;
  readonly blast: { readonly gbps: number; readonly framesPerSecond: number };
  readonly steps: readonly PacedStep[];
  /** Highest paced run within 1% of target, if any. */
  readonly best: PacedStep | undefined;
  /** best.gbps / blast.gbps. */
  readonly ratio: number;
  readonly meetsGbps: boolean;
  readonly meetsRatio: boolean;
  readonly elapsedMs: number;
}

const SINK_SOURCE = `
const net = require('node:net');
let bytes = 0;
const server = net.createServer((socket) => {
  socket.on('data', (chunk) => { bytes += chunk.length; });
  socket.on('error', () => {});
});
server.listen(0, '127.0.0.1', () => process.send({ port: server.address().port }));
process.on('message', (message) => { if (message === 'count') process.send({ bytes }); });
process.on('disconnect', () => process.exit(0));
`;

interface Sink {
  readonly port: number;
  count(): Promise<number>;
  close(): Promise<void>;
}

async function startSink(): Promise<Sink> {
  const child: ChildProcess = spawn(process.execPath, ['-e', SINK_SOURCE], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const port = await new Promise<number>((resolve, reject) => {
    child.once('message', (m) => resolve((m as { port: number }).port));
    child.once('exit', (code) => reject(new Error(`sink exited early (${code})`)));
  });
  return {
    port,
    count: () =>
      new Promise((resolve) => {
        child.once('message', (m) => resolve((m as { bytes: number }).bytes));
        child.send('count');
      }),
    close: async () => {
      if (child.exitCode !== null) return;
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.disconnect();
      await exited;
    },
  };
}

async function connect(port: number, n: number): Promise<net.Socket[]> {
  return Promise.all(
    Array.from({ length: n }, async () => {
      const socket = net.connect(port, '127.0.0.1');
      socket.setNoDelay(true);
      await new Promise<void>((resolve, reject) => socket.once('connect', resolve).once('error', reject));
      return socket;
    }),
  );
}

const drained = (sockets: readonly net.Socket[]): boolean => sockets.every((s) => s.writableLength === 0);

/** Blast pre-built chunks of frames for `ms`; returns the bytes/s the sink received meanwhile. */
async function blast(sockets: readonly net.Socket[], sink: Sink, frame: Buffer, ms: number): Promise<number> {
  const chunk = Buffer.concat(Array.from({ length: 64 }, () => frame));
  let stopped = false;
  const pump = (socket: net.Socket): void => {
    while (!stopped && socket.write(chunk));
    if (!stopped) socket.once('drain', () => pump(socket));
  };
  sockets.forEach(pump);
  await new Promise((resolve) => setTimeout(resolve, 200)); // ramp up
  const bytes0 = await sink.count();
  const t0 = nowUs();
  await new Promise((resolve) => setTimeout(resolve, ms));
  const bytes1 = await sink.count();
  const t1 = nowUs();
  stopped = true;
  await waitUntil(() => drained(sockets), { timeoutMs: 10_000, what: 'blast drained' });
  return ((bytes1 - bytes0) / (t1 - t0)) * 1e6;
}

/** Run the benchmark; see the module doc. */
export async function benchGenerator(options: BenchGeneratorOptions = {}): Promise<BenchGeneratorResult> {
  const started = Date.now();
  const n = options.connections ?? 4;
  const payloadBytes = options.payloadBytes ?? 1024;
  const frameBytes = payloadBytes + 4;
  const stepMs = options.stepMs ?? 1_200;
  const budgetMs = options.budgetMs ?? 24_000;
  const growth = options.growth ?? 1.25;
  const log = options.log ?? (() => undefined);
  const gbps = (bytesPerSecond: number): number => (bytesPerSecond * 8) / 1e9;

  const sink = await startSink();
  const sockets = await connect(sink.port, n);
  try {
    const blastBps = await blast(sockets, sink, encodeFrame(new Uint8Array(payloadBytes)), options.blastMs ?? 2_000);
    const blastResult = { gbps: gbps(blastBps), framesPerSecond: blastBps / frameBytes };
    log(
      `blast: ${blastResult.gbps.toFixed(2)} Gbps (${Math.round(blastResult.framesPerSecond).toLocaleString('en')} frames/s of ${payloadBytes} B, ${n} connections)`,
    );

    const payloads = createPayloadFactory({ kind: 'cbor', seed: 1, sizes: { kind: 'fixed', size: payloadBytes }, poolSize: 64 });
    const steps: PacedStep[] = [];
    const step = async (rate: number): Promise<PacedStep> => {
      const before = await sink.count();
      const report = await runPacedLoad({
        sinks: sockets.map(socketSink),
        rate,
        durationMs: stepMs,
        payloads,
        ...(options.spinThresholdUs !== undefined ? { spinThresholdUs: options.spinThresholdUs } : {}),
      });
      // Everything written must reach the sink (deadline 10 s) for the step to count.
      let after = await sink.count();
      for (const deadline = Date.now() + 10_000; after - before < report.bytesSent && Date.now() < deadline; ) {
        await new Promise((resolve) => setTimeout(resolve, 20));
        after = await sink.count();
      }
      const result: PacedStep = {
        targetRate: rate,
        achievedRate: report.achievedRate,
        ratio: report.ratio,
        ok: report.ratio >= 0.99 && after - before >= report.bytesSent,
        gbps: gbps((report.bytesSent / report.elapsedUs) * 1e6),
        sendLagP99Us: report.sendLag.p99Us,
      };
      steps.push(result);
      log(
        `paced ${Math.round(rate).toLocaleString('en')}/s → ${Math.round(report.achievedRate).toLocaleString('en')}/s ` +
          `(${(report.ratio * 100).toFixed(2)}%) ${result.gbps.toFixed(2)} Gbps, send lag p99 ${report.sendLag.p99Us} µs ${result.ok ? 'ok' : 'SHORT'}`,
      );
      return result;
    };
    const overBudget = (): boolean => Date.now() - started + stepMs + 500 > budgetMs;

    // Noise on a shared machine only ever pulls a run down, so a rate counts as reachable if one of two tries is.
    const reachable = async (target: number): Promise<boolean> => (await step(target)).ok || (!overBudget() && (await step(target)).ok);
    let rate = options.startRate ?? Math.max(50_000, 0.2 * blastResult.framesPerSecond);
    let lastOk: number | undefined;
    let firstShort: number | undefined;
    while (!overBudget() && rate <= blastResult.framesPerSecond * 1.05) {
      if (await reachable(rate)) lastOk = rate;
      else {
        firstShort = rate;
        break;
      }
      rate *= growth;
    }
    // Even the first rate was out of reach (a busy machine): step down until one is reached.
    for (
      let down = (firstShort ?? 0) / growth ** 2;
      lastOk === undefined && firstShort !== undefined && down >= 10_000 && !overBudget();
      down /= growth ** 2
    ) {
      if (await reachable(down)) lastOk = down;
      else firstShort = down;
    }
    for (let i = 0; i < 2 && lastOk !== undefined && firstShort !== undefined && !overBudget(); i++) {
      const mid = Math.sqrt(lastOk * firstShort);
      if (await reachable(mid)) lastOk = mid;
      else firstShort = mid;
    }

    const best = steps.filter((s) => s.ok).sort((a, b) => b.gbps - a.gbps)[0];
    const ratio = best === undefined ? 0 : best.gbps / blastResult.gbps;
    const result: BenchGeneratorResult = {
      connections: n,
      frameBytes,
      blast: blastResult,
      steps,
      best,
      ratio,
      meetsGbps: (best?.gbps ?? 0) >= 1,
      meetsRatio: ratio >= 0.5,
      elapsedMs: Date.now() - started,
    };
    log(
      `highest paced within 1%: ${best === undefined ? 'none' : `${best.gbps.toFixed(2)} Gbps (${Math.round(best.targetRate).toLocaleString('en')} frames/s)`}; ` +
        `blast ${blastResult.gbps.toFixed(2)} Gbps; ratio ${(ratio * 100).toFixed(1)}%`,
    );
    log(
      `targets: paced ≥ 1 Gbps ${result.meetsGbps ? 'MET' : 'MISSED'}; paced ≥ 50% of blast ${result.meetsRatio ? 'MET' : 'MISSED'} (${(result.elapsedMs / 1000).toFixed(1)} s)`,
    );
    return result;
  } finally {
    for (const socket of sockets) socket.destroy();
    await sink.close();
  }
}

const isMain = process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href;
if (isMain) {
  benchGenerator({ log: (line) => console.log(line) }).catch((error: unknown) => {
    console.error(error);
    process.exitCode = 2;
  });
}
