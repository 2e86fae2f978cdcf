/**
 * The store's HTTP contract (conformance/store/README.md §4, §5, §8) as one typed client: the checks and
 * the stress driver both read answers through here, so "what a 200 write answer must hold" is said once.
 *
 * Candidates are untrusted: every exchange has a deadline that covers the body too, and a body larger
 * than `maxBytes` is abandoned at the cap (the connection is dropped), never buffered whole.
 *
 * @module
 */
import { KitError } from '../common/errors.ts';
import { readCappedBody } from './capped-body.ts';

/** The read modes of the contract, in the contract's order (cheapest guarantee first is NOT implied). */
export const READ_MODES = ['Leader', 'AnyFollower', 'SessionConsistent', 'BestEffortFresh'] as const;
export type ReadMode = (typeof READ_MODES)[number];

/** Default cap on a response body: a read answer carries at most a 65,536-character value. */
export const MAX_ANSWER_BYTES = 1 << 20;
/** Default cap on a `/dump` body (every entry of a node's log). */
export const MAX_DUMP_BYTES = 32 << 20;

/** Codes of {@link StoreHttpError}. */
export type StoreHttpErrorCode = 'NO_ANSWER' | 'ANSWER_TOO_LARGE';

/**
 * No usable answer: no connection, no answer within the deadline, the body cut off (`NO_ANSWER`), or a
 * body over the cap (`ANSWER_TOO_LARGE`). For a write, both mean "outcome unknown".
 */
export class StoreHttpError extends KitError {
  declare readonly code: StoreHttpErrorCode;
  constructor(code: StoreHttpErrorCode, message: string, details: Record<string, unknown> = {}) {
    super(code, message, details);
  }
}

/** Options of one exchange. */
export interface ExchangeOptions {
  /** Deadline for the whole exchange, body included. Default 5000 ms. */
  readonly timeoutMs?: number;
  /** Body cap in bytes. Default {@link MAX_ANSWER_BYTES}. */
  readonly maxBytes?: number;
  /** A body sent as is (malformed JSON, oversized bodies); `body` is JSON-encoded otherwise. */
  readonly rawBody?: string;
  /** Also aborts the exchange. */
  readonly signal?: AbortSignal;
}

/** One HTTP exchange as the kit saw it. */
export interface StoreExchange {
  readonly method: string;
  readonly url: string;
  readonly body?: unknown;
  readonly status: number;
  /** Parsed JSON body, or the raw text when it is not JSON (`null` for an empty body). */
  readonly response: unknown;
  readonly startMs: number;
  readonly endMs: number;
}

/** Reads at most `maxBytes` of a body; throws ANSWER_TOO_LARGE (and cancels the stream) beyond. */
function readCapped(response: Response, maxBytes: number, what: string): Promise<string> {
  return readCappedBody(response, maxBytes, (over) =>
    over.declared !== undefined
      ? new StoreHttpError('ANSWER_TOO_LARGE', `${what}: the answer declares ${over.declared} bytes, over the kit's cap of ${maxBytes}`, {
          declared: over.declared,
          maxBytes,
        })
      : new StoreHttpError('ANSWER_TOO_LARGE', `${what}: the answer exceeded the kit's cap of ${maxBytes} bytes`, { maxBytes }),
  );
}

/**
 * One JSON exchange with a deadline over headers and body and a body cap.
 * @throws StoreHttpError NO_ANSWER or ANSWER_TOO_LARGE
 */
export async function exchange(method: 'GET' | 'POST', url: string, body?: unknown, options: ExchangeOptions = {}): Promise<StoreExchange> {
  const timeoutMs = Math.max(1, Math.ceil(options.timeoutMs ?? 5000));
  const maxBytes = options.maxBytes ?? MAX_ANSWER_BYTES;
  const startMs = performance.now();
  const signals = [AbortSignal.timeout(timeoutMs), ...(options.signal ? [options.signal] : [])];
  const init: RequestInit = { method, signal: AbortSignal.any(signals) };
  const payload = options.rawBody ?? (body === undefined ? undefined : JSON.stringify(body));
  if (payload !== undefined) {
    init.body = payload;
    init.headers = { 'content-type': 'application/json' };
  }
  const what = `${method} ${url}`;
  let text: string;
  let status: number;
  try {
    const response = await fetch(url, init);
    status = response.status;
    text = await readCapped(response, maxBytes, what);
  } catch (error) {
    if (error instanceof StoreHttpError) throw error;
    const cause = (error as { cause?: { code?: string } }).cause?.code ?? (error as Error).name;
    throw new StoreHttpError('NO_ANSWER', `${what}: no complete answer (${cause}) within ${timeoutMs} ms`, { method, url, cause });
  }
  let parsed: unknown = text;
  try {
    parsed = text.length > 0 ? JSON.parse(text) : null;
  } catch {
    /* keep the text */
  }
  return {
    method,
    url,
    ...(body !== undefined
      ? { body }
      : options.rawBody !== undefined
        ? { body: `${options.rawBody.slice(0, 80)}${options.rawBody.length > 80 ? '…' : ''}` }
        : {}),
    status,
    response: parsed,
    startMs,
    endMs: performance.now(),
  };
}

/** A field of a JSON object answer (undefined for anything else). */
export function field(response: unknown, name: string): unknown {
  return typeof response === 'object' && response !== null && !Array.isArray(response)
    ? (response as Record<string, unknown>)[name]
    : undefined;
}

/** The contract's error body `{"error": {"code": "UPPER_SNAKE", "message": "…"}}`, or what is wrong with it. */
export type ErrorBody =
  | { readonly ok: true; readonly code: string; readonly message: string }
  | { readonly ok: false; readonly code?: string; readonly problem: string };

export function parseError(response: unknown): ErrorBody {
  const error = field(response, 'error');
  const code = field(error, 'code');
  const message = field(error, 'message');
  if (typeof code !== 'string')
    return { ok: false, problem: `no {"error": {"code": string}} in ${JSON.stringify(response)?.slice(0, 160)}` };
  if (!/^[A-Z][A-Z0-9_]*$/.test(code)) return { ok: false, code, problem: `error code ${JSON.stringify(code)} is not UPPER_SNAKE` };
  if (typeof message !== 'string' || message.length === 0) return { ok: false, code, problem: `error ${code} has no non-empty "message"` };
  return { ok: true, code, message };
}

/** The error code of an answer, if it has one (for evidence; {@link parseError} judges the shape). */
export function errorCode(response: unknown): string | undefined {
  const code = field(field(response, 'error'), 'code');
  return typeof code === 'string' ? code : undefined;
}

/** A `POST /write` answer read by the contract: 200 acknowledged, 4xx rejected, anything else unknown. */
export interface WriteAnswer {
  readonly outcome: 'ack' | 'rejected' | 'unknown';
  readonly status: number;
  readonly code?: string;
  readonly lsn?: number;
  readonly servedBy?: string;
  /** The contract was broken by the answer itself (a 200 without a positive integer lsn…). */
  readonly malformed?: string;
}

export function parseWriteAnswer(status: number, response: unknown): WriteAnswer {
  const code = errorCode(response);
  const base = { status, ...(code !== undefined ? { code } : {}) };
  if (status === 200) {
    const lsn = field(response, 'lsn');
    const servedBy = field(response, 'servedBy');
    const by = typeof servedBy === 'string' ? { servedBy } : {};
    if (typeof lsn === 'number' && Number.isSafeInteger(lsn) && lsn > 0) return { ...base, ...by, outcome: 'ack', lsn };
    return {
      ...base,
      ...by,
      outcome: 'unknown',
      malformed: `a 200 write answer without a positive integer "lsn": ${JSON.stringify(response)?.slice(0, 200)}`,
    };
  }
  return { ...base, outcome: status >= 400 && status < 500 ? 'rejected' : 'unknown' };
}

/** A `GET /read` answer read by the contract. */
export type ReadAnswer =
  | { readonly ok: true; readonly status: 200; readonly value: string | null; readonly lsn: number; readonly servedBy: string }
  | { readonly ok: false; readonly status: number; readonly code?: string; readonly malformed?: string };

export function parseReadAnswer(status: number, response: unknown): ReadAnswer {
  if (status !== 200) {
    const code = errorCode(response);
    return { ok: false, status, ...(code !== undefined ? { code } : {}) };
  }
  const value = field(response, 'value');
  const lsn = field(response, 'lsn');
  const servedBy = field(response, 'servedBy');
  if (
    (value === null || typeof value === 'string') &&
    typeof lsn === 'number' &&
    Number.isSafeInteger(lsn) &&
    lsn >= 0 &&
    typeof servedBy === 'string'
  ) {
    return { ok: true, status: 200, value, lsn, servedBy };
  }
  return {
    ok: false,
    status,
    malformed: `a 200 read answer needs "value" (string or null), "lsn" (integer ≥ 0) and "servedBy" (string); got ${JSON.stringify(response)?.slice(0, 200)}`,
  };
}

/** The query string of a router read. */
export interface ReadQuery {
  readonly key: string;
  readonly mode: ReadMode;
  readonly session?: string;
  readonly minLsn?: number;
  readonly via?: string;
}

export function readPath(q: ReadQuery): string {
  const query = new URLSearchParams({ key: q.key, mode: q.mode });
  if (q.session !== undefined) query.set('session', q.session);
  if (q.minLsn !== undefined) query.set('minLsn', String(q.minLsn));
  if (q.via !== undefined) query.set('via', q.via);
  return `/read?${query.toString()}`;
}

/** A data node's `GET /status` `appliedLsn`, if the answer carries a number. */
export function appliedLsnOf(response: unknown): number | undefined {
  const applied = field(response, 'appliedLsn');
  return typeof applied === 'number' ? applied : undefined;
}

/** The store's HTTP API at one base URL (a router or a data node). */
export class StoreHttpClient {
  constructor(readonly baseUrl: string) {}

  request(method: 'GET' | 'POST', path: string, body?: unknown, options?: ExchangeOptions): Promise<StoreExchange> {
    return exchange(method, `${this.baseUrl}${path}`, body, options);
  }

  /** `POST /write`; resolves with the exchange and its reading. @throws StoreHttpError (outcome unknown) */
  async write(
    key: string,
    value: string,
    session?: string,
    options?: ExchangeOptions,
  ): Promise<{ exchange: StoreExchange; answer: WriteAnswer }> {
    const answer = await this.request('POST', '/write', session === undefined ? { key, value } : { key, value, session }, options);
    return { exchange: answer, answer: parseWriteAnswer(answer.status, answer.response) };
  }

  /** `GET /read`. @throws StoreHttpError */
  async read(query: ReadQuery, options?: ExchangeOptions): Promise<{ exchange: StoreExchange; answer: ReadAnswer }> {
    const answer = await this.request('GET', readPath(query), undefined, options);
    return { exchange: answer, answer: parseReadAnswer(answer.status, answer.response) };
  }

  /** `GET /status` body on a 200 JSON object answer, else undefined. @throws StoreHttpError */
  async status(options?: ExchangeOptions): Promise<Record<string, unknown> | undefined> {
    const answer = await this.request('GET', '/status', undefined, options);
    return answer.status === 200 && typeof answer.response === 'object' && answer.response !== null
      ? (answer.response as Record<string, unknown>)
      : undefined;
  }
}
