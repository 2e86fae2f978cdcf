/**
 * Store load: throughput and latency of a store candidate's router HTTP API, per read mode, with
 * autocannon (closed-loop, N keep-alive connections). The cluster is the kit's usual one (`Cluster`):
 * leader n0, sync follower n1 (quorum 1), async follower n2, router; the kit's network sits on the peer
 * links, the HTTP API is reached directly.
 *
 * Rows, after a 1 s unreported warm-up: one per read mode (`Leader`, `AnyFollower`, `SessionConsistent`
 * with `minLsn` = the preload's last LSN, `BestEffortFresh`) over preloaded keys, then `POST /write`, then
 * every read mode again while a write stream (a quarter of the connections) runs alongside. Each row reports requests/s,
 * latency percentiles (µs, the kit's HdrHistogram fed from autocannon's response times), non-2xx answers,
 * errors, which node served the reads, and the ratio of its throughput to Leader reads: the cost of
 * `Leader` reads against follower reads is the seed's trade-off.
 *
 * @module
 */
import autocannon from 'autocannon';
import type { AutocannonRequest, AutocannonResult } from 'autocannon';
import type { Candidate } from '../../candidate/candidate.ts';
import { Scope } from '../../common/scope.ts';
import { Cluster } from '../../cluster/cluster.ts';
import { KitError } from '../../common/errors.ts';
import { waitFor } from '../../common/wait.ts';
import { CandidateError } from '../../process/supervisor.ts';
import { appliedLsnOf, parseReadAnswer, parseWriteAnswer, READ_MODES, StoreHttpClient, type ReadMode } from '../../wire/store-http.ts';
import { LatencyRecorder } from '../latency.ts';
import type { LatencySummary } from '../latency.ts';
import { badge, formatUs, htmlPage } from './render.ts';

/** Options of {@link runStoreLoad}. */
export interface StoreLoadOptions {
  readonly candidate: Candidate;
  readonly seed: number;
  /** autocannon connections. Default 16. */
  readonly connections?: number;
  /** Per row, ms. Default 5000. */
  readonly durationMs?: number;
  /** Keys preloaded and read. Default 100. */
  readonly keys?: number;
  /** Bytes of each written value. Default 256. */
  readonly valueBytes?: number;
  readonly signal?: AbortSignal;
  /** Progress lines. */
  readonly log?: (line: string) => void;
}

/** One row of the table. */
export interface StoreRow {
  /** `read+writes`: reads while a write stream (a quarter of the connections) runs alongside. */
  readonly operation: 'read' | 'write' | 'read+writes';
  readonly mode: ReadMode | '-';
  readonly requests: number;
  readonly requestsPerSecond: number;
  readonly latency: LatencySummary;
  readonly non2xx: number;
  readonly errors: number;
  readonly timeouts: number;
  /** Node id → answers it served (from the `servedBy` field). */
  readonly servedBy: Readonly<Record<string, number>>;
  /** requestsPerSecond / Leader reads' requestsPerSecond (of the same operation; writes: vs plain Leader reads). */
  readonly ratioToLeader: number | undefined;
  /** `read+writes` rows: writes/s acknowledged meanwhile. */
  readonly writesAlongside?: number;
}

export interface StoreStressResult {
  readonly kind: 'store-stress';
  readonly candidate: { readonly name: string; readonly manifest: string };
  readonly startedAt: string;
  readonly seed: number;
  readonly topology: string;
  readonly connections: number;
  readonly durationMs: number;
  readonly keys: number;
  readonly valueBytes: number;
  readonly rows: readonly StoreRow[];
  readonly notes: readonly string[];
}

async function until<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs: number): Promise<T> {
  let last: unknown;
  const attempt = async (): Promise<T | undefined> => {
    try {
      return await probe();
    } catch (error) {
      last = error;
      return undefined;
    }
  };
  const value = await waitFor(attempt, { timeoutMs, intervalMs: 50 });
  if (value !== undefined) return value;
  throw new CandidateError('STORE_NOT_READY', `${what} within ${timeoutMs} ms${last instanceof Error ? ` (${last.message})` : ''}`);
}

/** The node that served a 200 answer, read by the store's wire client (undefined when the answer is not valid). */
function servedByOf(body: string, path: string): string | undefined {
  let response: unknown;
  try {
    response = JSON.parse(body);
  } catch {
    return undefined;
  }
  if (path.startsWith('/write')) return parseWriteAnswer(200, response).servedBy;
  const answer = parseReadAnswer(200, response);
  return answer.ok ? answer.servedBy : undefined;
}

/** One autocannon row; resolves with its figures (stopped early when `signal` aborts). */
function cannon(
  url: string,
  requests: AutocannonRequest[],
  connections: number,
  durationMs: number,
  signal: AbortSignal | undefined,
): Promise<{ result: AutocannonResult; recorder: LatencyRecorder; servedBy: Record<string, number> }> {
  const recorder = new LatencyRecorder({ series: false });
  const servedBy: Record<string, number> = {};
  const counted = requests.map((r) => ({
    ...r,
    onResponse: (status: number, body: string) => {
      if (status !== 200) return;
      const node = servedByOf(body, r.path ?? '');
      if (node !== undefined) servedBy[node] = (servedBy[node] ?? 0) + 1;
    },
  }));
  return new Promise((resolve, reject) => {
    const instance = autocannon(
      { url, connections, duration: durationMs / 1000, pipelining: 1, timeout: 10, requests: counted },
      (error, result) => {
        signal?.removeEventListener('abort', onAbort);
        if (error) reject(error);
        else resolve({ result, recorder, servedBy });
      },
    );
    const onAbort = (): void => instance.stop();
    signal?.addEventListener('abort', onAbort);
    instance.on('response', (_client: unknown, statusCode: number, _bytes: number, responseTimeMs: number) => {
      if (statusCode >= 200 && statusCode < 300) recorder.record(0, responseTimeMs * 1000);
    });
  });
}

const TOPOLOGY = 'n0 leader, n1 sync follower (quorum 1), n2 async follower, router';

/** The stress topology: a leader, a sync and an async follower, and the router the load goes through. */
function startStressCluster(candidate: Candidate, seed: number, scope: Scope): Promise<Cluster> {
  return Cluster.start(
    { candidate, seed, scope },
    {
      transport: 'tcp',
      label: 'stress',
      nodes: [
        { id: 'n0', role: 'leader' },
        { id: 'n1', role: 'follower' },
        { id: 'n2', role: 'follower' },
        { id: 'router', role: 'router' },
      ],
      placeholders: { leader: 'n0', sync: 'n1', quorum: '1', followers: 'n1,n2' },
    },
  );
}

/** Waits for the cluster to take a write, writes `keys` keys, waits until both followers applied them; → the last LSN. */
async function preload(cluster: Cluster, keys: number, value: string): Promise<number> {
  const router = new StoreHttpClient(cluster.node('router').baseUrl);
  const write = async (key: string, text: string): Promise<number> => {
    const { answer } = await router.write(key, text, undefined, { timeoutMs: 15_000 });
    if (answer.outcome !== 'ack' || answer.lsn === undefined)
      throw new KitError(
        'STORE_WRITE',
        `write answered ${answer.status} ${answer.code ?? ''}${answer.malformed ? ` (${answer.malformed})` : ''}`,
      );
    return answer.lsn;
  };
  const caughtUp = (lsn: number, what: string): Promise<true> =>
    until(
      what,
      async () => {
        for (const id of ['n1', 'n2']) {
          const applied = appliedLsnOf(await new StoreHttpClient(cluster.node(id).baseUrl).status());
          if ((applied ?? 0) < lsn) return undefined;
        }
        return true as const;
      },
      15_000,
    );
  const firstLsn = await until('a write through the router succeeds', () => write('stress-ready', 'x'), 20_000);
  await caughtUp(firstLsn, 'every follower applied the first write');
  let lastLsn = firstLsn;
  for (let i = 0; i < keys; i++) lastLsn = await write(`k${i}`, value);
  await caughtUp(lastLsn, `every follower applied the ${keys} preloaded keys`);
  return lastLsn;
}

/** What every row of one table shares: where the load goes, how much, for how long, and the write stream. */
interface TableRun {
  url: string;
  connections: number;
  durationMs: number;
  writes: AutocannonRequest[];
  signal: AbortSignal | undefined;
  log: (line: string) => void;
}

/** One row; with `alongsideWrites`, a write stream (a quarter of the connections) runs for the same time. */
async function measureRow(
  run: TableRun,
  operation: StoreRow['operation'],
  mode: ReadMode | '-',
  requests: AutocannonRequest[],
  alongsideWrites = false,
): Promise<StoreRow | undefined> {
  if (run.signal?.aborted) return undefined;
  const writeConnections = Math.max(1, Math.floor(run.connections / 4));
  const background = alongsideWrites ? cannon(run.url, run.writes, writeConnections, run.durationMs, run.signal) : undefined;
  const { result, recorder, servedBy } = await cannon(run.url, requests, run.connections, run.durationMs, run.signal);
  const side = background === undefined ? undefined : (await background).result;
  const latency = recorder.summary();
  const seconds = result.duration > 0 ? result.duration : run.durationMs / 1000;
  const also = side === undefined ? '' : ` (with ${Math.round(side['2xx'] / seconds).toLocaleString('en')} writes/s alongside)`;
  run.log(
    `[stress] ${operation} ${mode}: ${Math.round(result['2xx'] / seconds).toLocaleString('en')} req/s, p99 ${formatUs(latency.p99Us)}, ${result.non2xx} non-2xx, ${result.errors} errors${also}`,
  );
  return {
    operation,
    mode,
    requests: result['2xx'],
    requestsPerSecond: result['2xx'] / seconds,
    latency,
    non2xx: result.non2xx,
    errors: result.errors,
    timeouts: result.timeouts,
    servedBy,
    ratioToLeader: undefined,
    ...(side !== undefined ? { writesAlongside: side['2xx'] / (side.duration > 0 ? side.duration : seconds) } : {}),
  };
}

/** Each row's throughput as a ratio to the Leader row of the same operation (writes compare with Leader reads). */
function withLeaderRatios(rows: readonly StoreRow[]): StoreRow[] {
  return rows.map((r) => {
    const leader = rows.find(
      (x) => x.mode === 'Leader' && x.operation === (r.operation === 'write' ? 'read' : r.operation),
    )?.requestsPerSecond;
    return { ...r, ratioToLeader: leader !== undefined && leader > 0 ? r.requestsPerSecond / leader : undefined };
  });
}

/** Run the store load table; see the module doc. */
export async function runStoreLoad(options: StoreLoadOptions): Promise<StoreStressResult> {
  const { candidate, seed } = options;
  const connections = options.connections ?? 16;
  const durationMs = options.durationMs ?? 5000;
  const keys = options.keys ?? 100;
  const valueBytes = options.valueBytes ?? 256;
  const log = options.log ?? (() => undefined);
  const notes: string[] = [];
  const scope = new Scope();
  const startedAt = new Date().toISOString();
  try {
    log(`[stress] starting the store cluster: ${TOPOLOGY}`);
    const cluster = await startStressCluster(candidate, seed, scope);
    const value = 'v'.repeat(valueBytes);
    const lastLsn = await preload(cluster, keys, value);
    log(`[stress] ${keys} keys preloaded (last LSN ${lastLsn}); ${connections} connections, ${durationMs / 1000} s per row`);

    const spread = Math.min(keys, 64);
    const writes: AutocannonRequest[] = Array.from({ length: spread }, (_, i) => ({
      method: 'POST' as const,
      path: '/write',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ key: `k${i}`, value }),
    }));
    const run: TableRun = { url: cluster.node('router').baseUrl, connections, durationMs, writes, signal: options.signal, log };
    const reads = (mode: ReadMode): AutocannonRequest[] => {
      const extra = mode === 'SessionConsistent' ? `&minLsn=${lastLsn}` : '';
      return Array.from({ length: spread }, (_, i) => ({ method: 'GET' as const, path: `/read?key=k${i}&mode=${mode}${extra}` }));
    };
    // Warm-up (not reported): every mode once, so the first row does not pay for JIT and connection setup.
    await cannon(run.url, READ_MODES.flatMap(reads), connections, Math.min(1000, durationMs / 2), options.signal);
    const rows: StoreRow[] = [];
    const keep = (row: StoreRow | undefined): void => {
      if (row !== undefined) rows.push(row);
    };
    for (const mode of READ_MODES) keep(await measureRow(run, 'read', mode, reads(mode)));
    keep(await measureRow(run, 'write', '-', writes));
    // The trade-off under write load: the leader takes every write, so Leader reads compete with them.
    for (const mode of READ_MODES) keep(await measureRow(run, 'read+writes', mode, reads(mode), true));
    if (options.signal?.aborted) notes.push('stopped before the end (Ctrl-C)');
    return {
      kind: 'store-stress',
      candidate: { name: candidate.manifest.name, manifest: candidate.manifestPath },
      startedAt,
      seed,
      topology: TOPOLOGY,
      connections,
      durationMs,
      keys,
      valueBytes,
      rows: withLeaderRatios(rows),
      notes,
    };
  } finally {
    await scope.close();
  }
}

function servedText(servedBy: Readonly<Record<string, number>>): string {
  const total = Object.values(servedBy).reduce((a, b) => a + b, 0);
  if (total === 0) return '-';
  return Object.entries(servedBy)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([node, n]) => `${node} ${Math.round((n / total) * 100)}%`)
    .join(' ');
}

function rowCells(r: StoreRow): string[] {
  return [
    r.operation,
    r.mode,
    Math.round(r.requestsPerSecond).toLocaleString('en'),
    r.ratioToLeader === undefined ? '-' : `${r.ratioToLeader.toFixed(2)}×`,
    formatUs(r.latency.p50Us),
    formatUs(r.latency.p99Us),
    formatUs(r.latency.maxUs),
    String(r.non2xx),
    String(r.errors),
    r.writesAlongside === undefined ? '-' : Math.round(r.writesAlongside).toLocaleString('en'),
    servedText(r.servedBy),
  ];
}

const HEADER = ['operation', 'mode', 'req/s', 'vs Leader', 'p50', 'p99', 'max', 'non-2xx', 'errors', 'writes/s alongside', 'served by'];

/** The terminal table of a store load run. */
export function renderStoreSummary(r: StoreStressResult): string {
  const rows = r.rows.map(rowCells);
  const widths = HEADER.map((h, i) => Math.max(h.length, ...rows.map((c) => (c[i] ?? '').length)));
  const line = (cells: readonly string[]): string =>
    cells
      .map((c, i) => (i <= 1 || i === cells.length - 1 ? c.padEnd(widths[i] ?? 0) : c.padStart(widths[i] ?? 0)))
      .join('  ')
      .trimEnd();
  return [
    `meridian-kit stress: ${r.candidate.name} (store), seed ${r.seed}`,
    `cluster    ${r.topology}`,
    `load       autocannon, ${r.connections} keep-alive connections, ${(r.durationMs / 1000).toFixed(1)} s per row, ${r.keys} keys of ${r.valueBytes} B`,
    '',
    `  ${line(HEADER)}`,
    ...rows.map((c) => `  ${line(c)}`),
    '',
    '  vs Leader: throughput relative to Leader reads of the same kind (writes: to plain Leader reads). Leader reads are',
    '  fresh but all land on the node that also takes every write; follower reads spread out and may be stale.',
    ...r.notes.map((n) => `note       ${n}`),
  ].join('\n');
}

/** The HTML page of a store load run. */
export function renderStoreHtml(r: StoreStressResult): string {
  const esc = (s: string): string =>
    s.replace(/[<>&"']/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;', "'": '&#39;' })[c] as string);
  const ok = r.rows.every((row) => row.errors === 0);
  const body = `<h1>Store load: ${esc(r.candidate.name)} ${badge(ok, ok ? 'no connection errors' : 'connection errors')}</h1>
<p>${esc(r.startedAt)} · seed <code>${r.seed}</code> · ${esc(r.topology)} · autocannon, ${r.connections} connections, ${(r.durationMs / 1000).toFixed(1)} s per row</p>
<table><thead><tr>${HEADER.map((h) => `<th>${esc(h)}</th>`).join('')}</tr></thead><tbody>
${r.rows
  .map(
    (row) =>
      `<tr>${rowCells(row)
        .map((c, i) => `<td${i >= 2 && i <= 9 ? ' class="num"' : ''}>${esc(c)}</td>`)
        .join('')}</tr>`,
  )
  .join('\n')}
</tbody></table>
${r.notes.length > 0 ? `<pre>${esc(r.notes.join('\n'))}</pre>` : ''}`;
  return htmlPage(`meridian-kit store load: ${r.candidate.name}`, body);
}
