/**
 * The null broker: the kit's latency floor. It does nothing but read length-prefixed frames and report
 * them exactly as the reference broker does — the same JSON `frame` lines (one per handler per frame,
 * with station, bytes and CRC-32), the same `stats` totals, the same batching into one stdout write per
 * event-loop turn, the same `logFrames` / `logProbes` / `statsMs` / `handlers` knobs — through the same
 * pipe into the kit. No queues, no fan-out, no back-pressure handling: whatever latency the kit measures
 * on it is the kit's own (pacer, sockets, log pipe, parsing), the floor under any candidate's figure.
 *
 * Self-contained on purpose (no imports from the kit or the reference): run as a real process by its
 * manifest `null-broker.json`. Not a broker: it ignores oversize frames' limits and shutdown semantics.
 *
 * @module
 */
import net from 'node:net';
import { crc32 } from 'node:zlib';

const env = (name: string, fallback: number): number => {
  const text = process.env[name]?.trim();
  return text === undefined || text === '' ? fallback : Number(text);
};
const [host, portText] = (() => {
  const bind = process.env.MERIDIAN_BIND ?? '127.0.0.1:7777';
  const i = bind.lastIndexOf(':');
  return [bind.slice(0, i).replace(/^\[|\]$/g, ''), bind.slice(i + 1)];
})();
const handlers = env('MERIDIAN_HANDLERS', 3);
const logFrames = env('MERIDIAN_LOG_FRAMES', 1) === 1;
const logProbes = env('MERIDIAN_LOG_PROBES', 0) === 1;
const statsMs = env('MERIDIAN_STATS_MS', 1000);

let batch = '';
let scheduled = false;
let lastMs = -1;
let lastIso = '';
const now = (): string => {
  const ms = Date.now();
  if (ms !== lastMs) {
    lastMs = ms;
    lastIso = new Date(ms).toISOString();
  }
  return lastIso;
};
const flush = (): void => {
  scheduled = false;
  if (batch === '') return;
  const text = batch;
  batch = '';
  process.stdout.write(text);
};
const emit = (line: string): void => {
  batch += line;
  if (batch.length >= 65_536) flush();
  else if (!scheduled) {
    scheduled = true;
    setImmediate(flush);
  }
};

let frames = 0;
let bytes = 0;
let stations = 0;
const prefixes = Array.from({ length: handlers }, (_, h) => `{"event":"frame","handler":${h},"station":`);
const sampled = (p: Buffer): boolean => p.length >= 24 && p[0] === 0xa8 && p[1] === 0x61 && p[2] === 0x71 && p[3] === 0x54;

function onFrame(stationJson: string, payload: Buffer): void {
  frames++;
  bytes += payload.length;
  if (!logFrames && !(logProbes && sampled(payload))) return;
  const tail = `,"bytes":${payload.length},"crc32":${crc32(payload)},"ts":"${now()}"}\n`;
  for (let h = 0; h < handlers; h++) emit(prefixes[h] + stationJson + tail);
}

const server = net.createServer((socket) => {
  socket.setNoDelay(true);
  const stationJson = JSON.stringify(`gs-${stations++}@${socket.remoteAddress}:${socket.remotePort}`);
  let pending: Buffer = Buffer.alloc(0);
  socket.on('data', (chunk: Buffer) => {
    let buf = pending.length === 0 ? chunk : Buffer.concat([pending, chunk]);
    let i = 0;
    while (buf.length - i >= 4) {
      const n = buf.readUInt32BE(i);
      if (buf.length - i - 4 < n) break;
      onFrame(stationJson, buf.subarray(i + 4, i + 4 + n));
      i += 4 + n;
    }
    buf = buf.subarray(i);
    pending = buf.length === 0 ? Buffer.alloc(0) : Buffer.from(buf);
  });
  socket.on('error', () => undefined);
});
if (statsMs > 0) {
  setInterval(() => {
    for (let h = 0; h < handlers; h++)
      emit(`{"event":"stats","handler":${h},"frames":${frames},"bytes":${bytes},"missed":0,"ts":"${now()}"}\n`);
  }, statsMs).unref();
}
server.listen(Number(portText), host, () =>
  emit(`{"event":"listening","bind":${JSON.stringify(process.env.MERIDIAN_BIND ?? '')},"ts":"${now()}"}\n`),
);
process.on('SIGTERM', () => process.exit(0));
process.on('SIGINT', () => process.exit(0));
