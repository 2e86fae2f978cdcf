/**
 * Reference broker benchmark (issue 6): figures measured against limits measured in the same run.
 *
 *   npx tsx scripts/bench-broker.ts            (≈ 60 s; prints the figures, exit code 0 either way)
 *
 * 1. Bare reader: a child process that only parses the length prefix of every frame (no fan-out, no log)
 *    takes a blast of 1 KiB frames over 48 connections for ~2 s, before and after the ramp → the larger
 *    frames/s is the limit.
 * 2. Ingest: the reference broker (3 handlers, frame events off, stats every 100 ms) under paced runs of
 *    48 connections at rising rates (×1.5 from 5% of the bare rate, then two bisection steps); a rate counts when
 *    the run is valid (≥ 98% of target sent, not limited by anything) and no handler lost a frame (stats
 *    totals reach the frames sent, `missed` stays 0) → the highest such rate, as a ratio of the bare reader.
 *    Target ≥ 40%.
 * 3. Seed load: 48 connections, 10,000 frames/s of 1 KiB CBOR, 3 handlers logging every frame, 8 s → p99
 *    latency (scheduled send → handler event read by the kit; target ≤ 2 ms) and the largest resident set
 *    (target ≤ 128 MiB). Best p99 of up to two tries: a spinning pacer (`spinThresholdUs`: the kit's own
 *    send lateness in the tens of µs when the machine leaves it a core), then a sleeping one.
 *
 * @module
 */
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import net from 'node:net';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { loadCandidate } from '../harness/candidate/candidate.ts';
import { ROOT } from '../harness/common/root.ts';
import { nowUs } from '../harness/load/clock.ts';
import { waitUntil } from '../harness/common/wait.ts';
import { runStress } from '../harness/load/stress/index.ts';
import type { StressResult } from '../harness/load/stress/index.ts';
import { encodeFrame } from '../harness/wire/frame.ts';

export interface BenchBrokerOptions {
  readonly manifest?: string;
  readonly connections?: number;
  readonly frameBytes?: number;
  /** Paced step length of the ingest ramp, ms. Default 2000. */
  readonly stepMs?: number;
  /** Stop starting ramp steps after this long, ms. Default 40,000. */
  readonly rampBudgetMs?: number;
  /** Seed-load run length, ms. Default 8,000. */
  readonly seedLoadMs?: number;
  readonly seed?: number;
  /** The floor run after each seed-load try, ms. Default 5000. */
  readonly floorMs?: number;
  readonly log?: (line: string) => void;
}

export interface IngestStep {
  readonly rate: number;
  readonly ok: boolean;
  readonly achievedRate: number;
  readonly limitedBy: string;
  readonly maxLoss: number;
  readonly missed: number;
}

export interface BenchBrokerResult {
  /** Frames/s the bare length-prefix reader parsed during the blast. */
  readonly bareFramesPerSecond: number;
  readonly steps: readonly IngestStep[];
  /** Highest ramp rate with nothing lost (frames/s), 0 if none. */
  readonly bestIngestRate: number;
  readonly ingestRatio: number;
  /**
   * Why the ramp stopped: `broker` (a handler lost frames or the broker pushed back), `generator` (the kit
   * could not pace the next rate: the figure is then a lower bound), `budget` (out of time while still ok),
   * `bare` (the next step would have passed the bare reader's first measurement).
   */
  readonly ingestStop: 'broker' | 'generator' | 'budget' | 'bare';
  /** The seed-load run reported (best p99 of up to two valid tries). */
  readonly seedLoad: StressResult;
  /** Whether that run used a spinning pacer. */
  readonly seedLoadSpinning: boolean;
  readonly p99Us: number;
  readonly maxRssBytes: number;
  readonly elapsedMs: number;
}

const BARE_READER = `
const net = require('node:net');
let frames = 0;
const server = net.createServer((socket) => {
  let need = -1, skip = 0, head = Buffer.alloc(4), have = 0;
  socket.on('data', (chunk) => {
    let i = 0;
    while (i < chunk.length) {
      if (skip > 0) { const n = Math.min(skip, chunk.length - i); skip -= n; i += n; if (skip === 0) frames++; continue; }
      if (have === 0 && chunk.length - i >= 4) { skip = chunk.readUInt32BE(i); i += 4; if (skip === 0) frames++; continue; }
      head[have++] = chunk[i++];
      if (have === 4) { have = 0; skip = head.readUInt32BE(0); if (skip === 0) frames++; }
    }
  });
  socket.on('error', () => {});
});
server.listen(0, '127.0.0.1', () => process.send({ port: server.address().port }));
process.on('message', () => process.send({ frames }));
process.on('disconnect', () => process.exit(0));
`;

async function bareReaderRate(connections: number, frameBytes: number, ms: number): Promise<number> {
  const child: ChildProcess = spawn(process.execPath, ['-e', BARE_READER], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const ask = (): Promise<number> =>
    new Promise((resolveCount) => {
      child.once('message', (m) => resolveCount((m as { frames: number }).frames));
      child.send('count');
    });
  const sockets: net.Socket[] = [];
  try {
    const port = await new Promise<number>((ok, fail) => {
      child.once('message', (m) => ok((m as { port: number }).port));
      child.once('exit', (code) => fail(new Error(`bare reader exited (${code})`)));
    });
    for (let i = 0; i < connections; i++) {
      const socket = net.connect(port, '127.0.0.1');
      socket.setNoDelay(true);
      await new Promise<void>((ok, fail) => socket.once('connect', ok).once('error', fail));
      sockets.push(socket);
    }
    const chunk = Buffer.concat(Array.from({ length: 64 }, () => encodeFrame(new Uint8Array(frameBytes))));
    let stopped = false;
    const pump = (socket: net.Socket): void => {
      while (!stopped && socket.write(chunk));
      if (!stopped) socket.once('drain', () => pump(socket));
    };
    sockets.forEach(pump);
    await new Promise((r) => setTimeout(r, 300));
    const f0 = await ask();
    const t0 = nowUs();
    await new Promise((r) => setTimeout(r, ms));
    const f1 = await ask();
    const t1 = nowUs();
    stopped = true;
    await waitUntil(() => sockets.every((s) => s.writableLength === 0), { timeoutMs: 10_000, what: 'blast drained' }).catch(
      () => undefined,
    );
    return ((f1 - f0) / (t1 - t0)) * 1e6;
  } finally {
    for (const socket of sockets) socket.destroy();
    if (child.exitCode === null) {
      const exited = new Promise((r) => child.once('exit', r));
      child.disconnect();
      await exited;
    }
  }
}

/** Run the broker benchmark; see the module doc. */
export async function benchBroker(options: BenchBrokerOptions = {}): Promise<BenchBrokerResult> {
  const started = Date.now();
  const log = options.log ?? (() => undefined);
  const connections = options.connections ?? 48;
  const frameBytes = options.frameBytes ?? 1024;
  const stepMs = options.stepMs ?? 2000;
  const rampBudgetMs = options.rampBudgetMs ?? 40_000;
  const seed = options.seed ?? 1;
  const candidate = await loadCandidate(options.manifest ?? join(ROOT, 'reference/broker/manifest.json'));

  // The limit is measured before and after the ramp; the larger counts (noise only ever pulls it down).
  const bareBefore = await bareReaderRate(connections, frameBytes, 2000);
  log(
    `bare length-prefix reader: ${Math.round(bareBefore).toLocaleString('en')} frames/s of ${frameBytes} B over ${connections} connections`,
  );

  const steps: IngestStep[] = [];
  const step = async (rate: number): Promise<IngestStep> => {
    const r = await runStress({
      candidate,
      connections,
      rate,
      sizes: { kind: 'fixed', size: frameBytes },
      payload: 'cbor',
      durationMs: stepMs,
      seed,
      handlers: 3,
      events: 'stats',
      drainMs: 2000,
      floorMs: 0,
    });
    const maxLoss = Math.max(0, ...r.load.handlers.map((h) => h.loss));
    const missed = r.load.handlers.reduce((sum, h) => sum + h.missedReported, 0);
    const ok = r.load.valid && r.load.handlers.length === 3 && maxLoss === 0 && missed === 0;
    const result: IngestStep = { rate, ok, achievedRate: r.load.achievedRate, limitedBy: r.load.limitedBy, maxLoss, missed };
    steps.push(result);
    log(
      `ingest ${Math.round(rate).toLocaleString('en')}/s → sent ${Math.round(r.load.achievedRate).toLocaleString('en')}/s (limited by ${r.load.limitedBy}), ` +
        `max loss ${maxLoss}, missed ${missed}, RSS ${(r.memory.maxRssBytes / 2 ** 20).toFixed(0)} MiB ${ok ? 'ok' : 'SHORT'}`,
    );
    return result;
  };
  const rampStart = Date.now();
  const overBudget = (): boolean => Date.now() - rampStart + stepMs + 3000 > rampBudgetMs;
  // Noise on a shared machine only ever pulls a run down: a rate counts if one of two tries reaches it.
  const reachable = async (rate: number): Promise<IngestStep> => {
    const first = await step(rate);
    return first.ok || overBudget() ? first : step(rate);
  };
  let rate = Math.max(50_000, bareBefore * 0.05);
  let lastOk: number | undefined;
  let short: IngestStep | undefined;
  while (!overBudget() && rate <= bareBefore) {
    const outcome = await reachable(rate);
    if (outcome.ok) lastOk = rate;
    else {
      short = outcome;
      break;
    }
    rate *= 1.5;
  }
  for (let i = 0; i < 2 && lastOk !== undefined && short !== undefined && !overBudget(); i++) {
    const mid = Math.sqrt(lastOk * short.rate);
    const outcome = await reachable(mid);
    if (outcome.ok) lastOk = mid;
    else short = outcome;
  }
  const bestRate = lastOk ?? 0;
  const reachedBare = short === undefined && rate > bareBefore;
  const bareAfter = await bareReaderRate(connections, frameBytes, 2000);
  log(`bare length-prefix reader again: ${Math.round(bareAfter).toLocaleString('en')} frames/s`);
  const bare = Math.max(bareBefore, bareAfter);

  // Seed load. Noise on a shared machine only ever adds latency: best of two tries, the first with a
  // spinning pacer (µs-accurate sends while the machine leaves the kit a core), the second sleeping between
  // sends (sturdier when other processes compete for the cores). Memory: the larger of the two.
  const seedRun = (spinThresholdUs: number): Promise<StressResult> =>
    runStress({
      candidate,
      connections,
      rate: 10_000,
      sizes: { kind: 'fixed', size: frameBytes },
      payload: 'cbor',
      durationMs: options.seedLoadMs ?? 8_000,
      seed,
      handlers: 3,
      events: 'frames',
      spinThresholdUs,
      // The kit's floor right after, same load, same pacer: the null broker through the same log pipe.
      floorMs: options.floorMs ?? 5_000,
    });
  const tries: { spin: boolean; result: StressResult }[] = [];
  for (const spin of [true, false]) {
    const result = await seedRun(spin ? 1000 : 0);
    tries.push({ spin, result });
    const l = result.load;
    log(
      `seed load (${spin ? 'spinning' : 'sleeping'} pacer): ${l.valid ? 'valid' : `INVALID (${l.limitedBy})`}, p50 ${l.latency.p50Us} µs, p99 ${l.latency.p99Us} µs, ` +
        `max RSS ${(result.memory.maxRssBytes / 2 ** 20).toFixed(1)} MiB, kit send lag p99 ${l.load.sendLag.p99Us} µs; ` +
        `floor (null broker) p99 ${result.floor?.latency.p99Us ?? '?'} µs → ${result.floor?.p99Ratio.toFixed(2) ?? '?'}× the floor`,
    );
    if (l.valid && l.latency.p99Us <= 2000) break;
  }
  const best =
    tries.filter((t) => t.result.load.valid).sort((a, b) => a.result.load.latency.p99Us - b.result.load.latency.p99Us)[0] ??
    (tries[0] as { spin: boolean; result: StressResult });
  const seedLoad = best.result;
  const p99Us = seedLoad.load.latency.p99Us;
  const maxRssBytes = Math.max(...tries.map((t) => t.result.memory.maxRssBytes));
  return {
    bareFramesPerSecond: bare,
    steps,
    bestIngestRate: bestRate,
    ingestRatio: bare > 0 ? bestRate / bare : 0,
    ingestStop:
      short === undefined
        ? reachedBare
          ? 'bare'
          : 'budget'
        : short.limitedBy === 'generator' && short.maxLoss === 0 && short.missed === 0
          ? 'generator'
          : 'broker',
    seedLoad,
    seedLoadSpinning: best.spin,
    p99Us,
    maxRssBytes,
    elapsedMs: Date.now() - started,
  };
}

const isMain = process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href;
if (isMain) {
  const result = await benchBroker({ log: (line) => console.log(line) });
  console.log(
    `ingest ${Math.round(result.bestIngestRate).toLocaleString('en')}/s = ${(result.ingestRatio * 100).toFixed(1)}% of the bare reader (target ≥ 40%); ` +
      `p99 ${result.p99Us} µs (target ≤ 2000); RSS ${(result.maxRssBytes / 2 ** 20).toFixed(1)} MiB (target ≤ 128); ${(result.elapsedMs / 1000).toFixed(0)} s`,
  );
}
