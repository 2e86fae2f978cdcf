/**
 * Benchmark of the kit's fault-injecting network (harness/network): latency added by an idle link
 * (UDP and TCP ping-pong, through the kit vs direct, same run) and UDP forwarding throughput across
 * 250 nodes. The candidate-side sockets live in a worker thread so the kit (this thread) gets a core
 * of its own, as it would against real candidate processes.
 *
 *   npx tsx scripts/bench-network.ts [--seed N] [--duration-ms 2000] [--nodes 250] [--rounds 2000]
 */
import net from 'node:net';
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { createRandom } from '../harness/common/random.ts';
import { ClusterNetwork } from '../harness/network/index.ts';

export interface NetworkBenchOptions {
  /** Seed for the traffic pattern. Default 1. */
  readonly seed?: number;
  /** Measured window of the throughput run, ms (after a 300 ms warm-up). Default 2000. */
  readonly durationMs?: number;
  /** UDP nodes in the throughput run. Default 250. */
  readonly nodes?: number;
  /** Ping-pong round trips per path (direct and through the kit). Default 2000. */
  readonly rounds?: number;
}

export interface BenchFigure {
  readonly figure: string;
  readonly measured: number;
  readonly unit: string;
  readonly target: number;
  /** True when the target is a maximum (latency), false for a minimum (throughput). */
  readonly lowerIsBetter: boolean;
  readonly pass: boolean;
  /** Free-form context (direct vs kit RTT…). */
  readonly note: string;
  /** The limit was measured in the same run (else it is a target). */
  readonly sameRun?: boolean;
  /** Bound on measured / target (default 1). */
  readonly bound?: number;
}

export interface NetworkBenchResult {
  readonly figures: BenchFigure[];
  readonly raw: {
    readonly udpDirectRttMs: number;
    readonly udpKitRttMs: number;
    readonly tcpDirectRttMs: number;
    readonly tcpKitRttMs: number;
    /** Mean kit-delivered datagrams/s over the measured window (the reported figure). */
    readonly forwardedPerSec: number;
    /** Best 250 ms window (what the kit sustains when the machine leaves it a core). */
    readonly forwardedBestWindowPerSec: number;
    readonly receivedPerSec: number;
    readonly offeredPerSec: number;
    /** Event-loop utilisation of the kit's thread during the throughput window (1 = saturated). */
    readonly kitBusy: number;
    /** Datagrams/s the same nodes received with the same pattern sent directly (no kit), same run. */
    readonly rawBlastPerSec: number;
    readonly nodes: number;
  };
}

/** Candidate-side sockets (plain JS, evaluated in a worker). */
const WORKER_SOURCE = String.raw`
const { parentPort } = require('node:worker_threads');
const dgram = require('node:dgram');
const net = require('node:net');
const sockets = [];
const servers = [];
let received = 0;
let floodSent = 0;

function bindUdp(onMessage) {
  return new Promise((resolve) => {
    const s = dgram.createSocket('udp4');
    s.on('error', () => {});
    s.on('message', (m, r) => onMessage(s, m, r));
    s.bind(0, '127.0.0.1', () => {
      try { s.setRecvBufferSize(4 << 20); } catch {}
      sockets.push(s);
      resolve(s);
    });
  });
}
const median = (xs) => { const s = xs.slice().sort((a, b) => a - b); return s[s.length >> 1]; };

async function udpPing(pinger, port, rounds) {
  const rtts = [];
  await new Promise((resolve) => {
    let t = 0, n = 0, seq = 0, timer;
    // A lost ping (kernel drop under load) is re-sent after 100 ms and not measured.
    const ping = () => {
      clearTimeout(timer);
      payload32.writeUInt32BE(++seq, 0);
      t = performance.now();
      pinger.send(payload32, port, '127.0.0.1');
      timer = setTimeout(ping, 100);
    };
    pinger.removeAllListeners('message');
    pinger.on('message', (m) => {
      if (m.length < 4 || m.readUInt32BE(0) !== seq) return; // a late reply to a re-sent ping
      rtts.push(performance.now() - t);
      if (++n >= rounds) { clearTimeout(timer); return resolve(); }
      ping();
    });
    ping();
  });
  return rtts;
}
const payload32 = Buffer.alloc(32, 7);

async function tcpPing(port, rounds) {
  const socket = net.connect({ port, host: '127.0.0.1', noDelay: true });
  socket.on('error', () => {});
  await new Promise((r) => socket.once('connect', r));
  const rtts = [];
  await new Promise((resolve) => {
    let t = 0, n = 0, got = 0;
    socket.on('data', (d) => {
      got += d.length;
      if (got < 32) return;
      got -= 32;
      rtts.push(performance.now() - t);
      if (++n >= rounds) return resolve();
      t = performance.now(); socket.write(payload32);
    });
    t = performance.now(); socket.write(payload32);
  });
  socket.destroy();
  return rtts;
}

const handlers = {
  async udpLatencyOpen() {
    const pinger = await bindUdp(() => {});
    const echo = await bindUdp((s, m, r) => s.send(m, r.port, r.address));
    return { pinger: pinger.address().port, echo: echo.address().port };
  },
  async udpLatencyRun({ directPort, kitPort, rounds, blocks }) {
    const pinger = sockets[0];
    const direct = [], kit = [];
    await udpPing(pinger, directPort, 200); await udpPing(pinger, kitPort, 200); // warm-up
    for (let b = 0; b < blocks; b++) {
      direct.push(...await udpPing(pinger, directPort, rounds / blocks));
      kit.push(...await udpPing(pinger, kitPort, rounds / blocks));
    }
    return { direct: median(direct), kit: median(kit) };
  },
  async tcpLatencyOpen() {
    const server = net.createServer({ noDelay: true }, (s) => { s.on('error', () => {}); s.on('data', (d) => s.write(d)); });
    server.on('error', () => {});
    await new Promise((r) => server.listen(0, '127.0.0.1', r));
    servers.push(server);
    return { echo: server.address().port };
  },
  async tcpLatencyRun({ directPort, kitPort, rounds, blocks }) {
    const direct = [], kit = [];
    await tcpPing(directPort, 200); await tcpPing(kitPort, 200);
    for (let b = 0; b < blocks; b++) {
      direct.push(...await tcpPing(directPort, rounds / blocks));
      kit.push(...await tcpPing(kitPort, rounds / blocks));
    }
    return { direct: median(direct), kit: median(kit) };
  },
  async floodOpen({ nodes }) {
    const ports = [];
    for (let i = 0; i < nodes; i++) ports.push((await bindUdp(() => { received++; })).address().port);
    return { ports };
  },
  async floodRun({ kitPorts, pattern, totalMs, burst }) {
    const nodes = sockets.slice(sockets.length - kitPorts.length);
    const payload = Buffer.alloc(64, 1);
    let p = 0;
    const end = performance.now() + totalMs;
    await new Promise((resolve) => {
      const tick = () => {
        for (let i = 0; i < burst; i++) {
          const src = pattern[p], dst = pattern[p + 1];
          p = (p + 2) % pattern.length;
          nodes[src].send(payload, kitPorts[dst], '127.0.0.1');
          floodSent++;
        }
        if (performance.now() < end) setImmediate(tick); else resolve();
      };
      tick();
    });
    return { sent: floodSent };
  },
  received() { return { received, sent: floodSent }; },
  async close() {
    await Promise.all(sockets.map((s) => new Promise((r) => s.close(r))));
    await Promise.all(servers.map((s) => new Promise((r) => s.close(r))));
    return {};
  },
};

parentPort.on('message', async ({ id, cmd, args }) => {
  try { parentPort.postMessage({ id, ok: await handlers[cmd](args) }); }
  catch (e) { parentPort.postMessage({ id, error: String(e && e.stack || e) }); }
});
`;

class Candidates {
  readonly #worker = new Worker(WORKER_SOURCE, { eval: true });
  #next = 0;
  readonly #pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();

  constructor() {
    this.#worker.on('message', (msg: { id: number; ok?: unknown; error?: string }) => {
      const waiter = this.#pending.get(msg.id);
      this.#pending.delete(msg.id);
      if (msg.error !== undefined) waiter?.reject(new Error(msg.error));
      else waiter?.resolve(msg.ok);
    });
    this.#worker.on('error', (error) => {
      for (const waiter of this.#pending.values()) waiter.reject(error);
      this.#pending.clear();
    });
  }

  call<T>(cmd: string, args: Record<string, unknown> = {}): Promise<T> {
    const id = this.#next++;
    return new Promise<T>((resolve, reject) => {
      this.#pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
      this.#worker.postMessage({ id, cmd, args });
    });
  }

  async close(): Promise<void> {
    await this.call('close').catch(() => undefined);
    await this.#worker.terminate();
  }
}

const port = (address: string): number => Number(address.slice(address.lastIndexOf(':') + 1));

async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port: p } = server.address() as net.AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return p;
}

async function latency(
  candidates: Candidates,
  transport: 'udp' | 'tcp',
  seed: number,
  rounds: number,
): Promise<{ direct: number; kit: number }> {
  const network = await ClusterNetwork.create({ seed, transport });
  try {
    if (transport === 'udp') {
      const opened = await candidates.call<{ pinger: number; echo: number }>('udpLatencyOpen');
      await network.addNode('p', `127.0.0.1:${opened.pinger}`);
      await network.addNode('e', `127.0.0.1:${opened.echo}`);
      return await candidates.call('udpLatencyRun', {
        directPort: opened.echo,
        kitPort: port(network.endpoint('p', 'e')),
        rounds,
        blocks: 10,
      });
    }
    const opened = await candidates.call<{ echo: number }>('tcpLatencyOpen');
    await network.addNode('p', `127.0.0.1:${await freePort()}`);
    await network.addNode('e', `127.0.0.1:${opened.echo}`);
    return await candidates.call('tcpLatencyRun', {
      directPort: opened.echo,
      kitPort: port(network.endpoint('p', 'e')),
      rounds,
      blocks: 10,
    });
  } finally {
    await network.close();
  }
}

async function throughput(
  candidates: Candidates,
  seed: number,
  nodes: number,
  durationMs: number,
): Promise<{ forwarded: number; bestWindow: number; received: number; offered: number; busy: number; raw: number }> {
  const network = await ClusterNetwork.create({ seed, transport: 'udp' });
  try {
    const { ports } = await candidates.call<{ ports: number[] }>('floodOpen', { nodes });
    for (let i = 0; i < nodes; i++) await network.addNode(`n${i}`, `127.0.0.1:${ports[i] as number}`);
    const kitPorts = Array.from({ length: nodes }, (_, i) => port(network.endpoint(`n${(i + 1) % nodes}`, `n${i}`)));
    const random = createRandom(seed).fork('bench-network:pattern');
    const pattern: number[] = [];
    for (let i = 0; i < 1 << 15; i++) {
      const src = random.int(0, nodes - 1);
      let dst = random.int(0, nodes - 2);
      if (dst >= src) dst++;
      pattern.push(src, dst);
    }
    const warmupMs = 300;
    const run = candidates.call<{ sent: number }>('floodRun', { kitPorts, pattern, totalMs: warmupMs + durationMs + 100, burst: 32 });
    await sleep(warmupMs);
    const elu0 = performance.eventLoopUtilization();
    const t0 = performance.now();
    const d0 = network.totals().delivered.messages;
    const w0 = await candidates.call<{ received: number; sent: number }>('received');
    // Sample in short windows: other processes on a shared machine steal whole windows, and the
    // best window shows what the kit sustains when it has its core.
    const windows: number[] = [];
    let last = { t: t0, d: d0 };
    while (performance.now() - t0 < durationMs) {
      await sleep(WINDOW_MS);
      const t = performance.now();
      const d = network.totals().delivered.messages;
      windows.push(((d - last.d) * 1000) / (t - last.t));
      last = { t, d };
    }
    const elapsed = (performance.now() - t0) / 1000;
    const busy = performance.eventLoopUtilization(elu0).utilization;
    const d1 = network.totals().delivered.messages;
    const w1 = await candidates.call<{ received: number; sent: number }>('received');
    await run;
    // The limit, same run, same nodes, same pattern and burst: every datagram sent straight to its
    // destination's own socket (no kit in between), received datagrams/s over the same window length.
    const directPorts = Array.from({ length: nodes }, (_, i) => ports[i] as number);
    const blast = candidates.call<{ sent: number }>('floodRun', {
      kitPorts: directPorts,
      pattern,
      totalMs: warmupMs + durationMs + 100,
      burst: 32,
    });
    await sleep(warmupMs);
    const r0 = await candidates.call<{ received: number }>('received');
    const b0 = performance.now();
    await sleep(durationMs);
    const r1 = await candidates.call<{ received: number }>('received');
    const rawElapsed = (performance.now() - b0) / 1000;
    await blast;
    return {
      raw: (r1.received - r0.received) / rawElapsed,
      forwarded: (d1 - d0) / elapsed,
      bestWindow: Math.max(...windows),
      received: (w1.received - w0.received) / elapsed,
      offered: (w1.sent - w0.sent) / elapsed,
      busy,
    };
  } finally {
    await network.close();
  }
}

const WINDOW_MS = 250;

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Runs the whole benchmark (bounded: well under 30 s with the defaults) and returns its figures. */
export async function benchNetwork(options: NetworkBenchOptions = {}): Promise<NetworkBenchResult> {
  const seed = options.seed ?? 1;
  const rounds = options.rounds ?? 2000;
  const nodes = options.nodes ?? 250;
  const durationMs = options.durationMs ?? 2000;
  const candidates = new Candidates();
  let deadline: NodeJS.Timeout | undefined;
  const overall = new Promise<never>((_, reject) => {
    deadline = setTimeout(() => reject(new Error('network benchmark exceeded 25 s')), 25_000);
  });
  try {
    return await Promise.race([measure(candidates, seed, rounds, nodes, durationMs), overall]);
  } finally {
    clearTimeout(deadline);
    await candidates.close();
  }
}

async function measure(
  candidates: Candidates,
  seed: number,
  rounds: number,
  nodes: number,
  durationMs: number,
): Promise<NetworkBenchResult> {
  const udp = await latency(candidates, 'udp', seed, rounds);
  const tcp = await latency(candidates, 'tcp', seed, rounds);
  const flood = await throughput(candidates, seed, nodes, durationMs);
  const added = (x: { direct: number; kit: number }): number => Math.max(0, (x.kit - x.direct) / 2);
  const figure = (name: string, measured: number, unit: string, target: number, lowerIsBetter: boolean, note: string): BenchFigure => ({
    figure: name,
    measured,
    unit,
    target,
    lowerIsBetter,
    pass: lowerIsBetter ? measured <= target : measured >= target,
    note,
  });
  return {
    figures: [
      figure(
        'UDP latency added per idle link (median)',
        added(udp),
        'ms',
        0.2,
        true,
        `RTT direct ${udp.direct.toFixed(3)} ms, via kit ${udp.kit.toFixed(3)} ms (×${(udp.kit / udp.direct).toFixed(2)}, 2 links)`,
      ),
      figure(
        'TCP latency added per idle link (median)',
        added(tcp),
        'ms',
        0.2,
        true,
        `RTT direct ${tcp.direct.toFixed(3)} ms, via kit ${tcp.kit.toFixed(3)} ms (×${(tcp.kit / tcp.direct).toFixed(2)}, 2 links)`,
      ),
      figure(
        `UDP forwarding, ${nodes} nodes`,
        flood.forwarded,
        'datagrams/s',
        50_000,
        false,
        `mean over ${durationMs} ms; best ${WINDOW_MS} ms window ${Math.round(flood.bestWindow)}/s; nodes sent ${Math.round(flood.offered)}/s, received ${Math.round(flood.received)}/s; kit thread busy ${Math.round(flood.busy * 100)}%`,
      ),
      {
        ...figure(
          `UDP relay vs a raw loopback blast, ${nodes} nodes`,
          flood.forwarded,
          'datagrams/s',
          flood.raw,
          false,
          `raw: the same nodes, pattern and bursts sent straight to each other, ${Math.round(flood.raw)}/s received; bound 0.30 is the kit's own (one relay hop in a separate thread)`,
        ),
        pass: flood.raw > 0 && flood.forwarded / flood.raw >= 0.3,
        sameRun: true,
        bound: 0.3,
      },
    ],
    raw: {
      udpDirectRttMs: udp.direct,
      udpKitRttMs: udp.kit,
      tcpDirectRttMs: tcp.direct,
      tcpKitRttMs: tcp.kit,
      forwardedPerSec: flood.forwarded,
      forwardedBestWindowPerSec: flood.bestWindow,
      receivedPerSec: flood.received,
      offeredPerSec: flood.offered,
      kitBusy: flood.busy,
      rawBlastPerSec: flood.raw,
      nodes,
    },
  };
}

/** Fixed-width table of the figures. */
export function formatNetworkBench(result: NetworkBenchResult): string {
  const rows = result.figures.map((f) => [
    f.figure,
    `${f.unit === 'ms' ? f.measured.toFixed(3) : Math.round(f.measured).toLocaleString('en-US')} ${f.unit}`,
    `${f.lowerIsBetter ? '≤' : '≥'} ${f.unit === 'ms' ? f.target : Math.round(f.target).toLocaleString('en-US')} ${f.unit}`,
    `${(f.lowerIsBetter ? f.target / Math.max(f.measured, 1e-9) : f.measured / f.target).toFixed(2)}×${f.bound !== undefined ? ` (need ${f.bound})` : ''} ${f.pass ? 'PASS' : 'FAIL'}`,
    f.note,
  ]);
  const header = ['figure', 'measured', 'target', 'margin', 'note'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] as string).length)));
  const line = (cells: string[]): string =>
    cells
      .map((c, i) => c.padEnd(widths[i] as number))
      .join('  ')
      .trimEnd();
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
}

function arg(name: string): number | undefined {
  const i = process.argv.indexOf(name);
  const value = i >= 0 ? Number(process.argv[i + 1]) : NaN;
  return Number.isFinite(value) ? value : undefined;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const options: { seed?: number; durationMs?: number; nodes?: number; rounds?: number } = {};
  const seed = arg('--seed');
  const durationMs = arg('--duration-ms');
  const nodes = arg('--nodes');
  const rounds = arg('--rounds');
  if (seed !== undefined) options.seed = seed;
  if (durationMs !== undefined) options.durationMs = durationMs;
  if (nodes !== undefined) options.nodes = nodes;
  if (rounds !== undefined) options.rounds = rounds;
  const started = performance.now();
  const result = await benchNetwork(options);
  console.log(formatNetworkBench(result));
  console.log(`(${((performance.now() - started) / 1000).toFixed(1)} s; margin = how far inside the target, ≥ 1.00 passes)`);
}
