import { KitError } from '../common/errors.ts';

/** One HTTP exchange as the kit saw it: kept for evidence and history checking. */
export interface HttpExchange {
  method: string;
  url: string;
  body?: unknown;
  status: number;
  /** Parsed JSON body, or the raw text when not JSON. */
  response: unknown;
  startMs: number;
  endMs: number;
}

/** No answer within the deadline, or the connection failed: for writes this means "unknown", not "failed". */
export class NoAnswerError extends KitError {}

/** JSON over HTTP/1.1 with a deadline; every failure to get an answer is a NoAnswerError (code NO_ANSWER). */
export async function httpJson(method: 'GET' | 'POST', url: string, body?: unknown, timeoutMs = 5000): Promise<HttpExchange> {
  const startMs = performance.now();
  let response: Response;
  try {
    // AbortSignal.timeout rejects fractional values with a RangeError that would read as "no answer".
    const init: RequestInit = { method, signal: AbortSignal.timeout(Math.max(1, Math.ceil(timeoutMs))) };
    if (body !== undefined) {
      init.body = JSON.stringify(body);
      init.headers = { 'content-type': 'application/json' };
    }
    response = await fetch(url, init);
  } catch (error) {
    const cause = (error as { cause?: { code?: string } }).cause?.code ?? (error as Error).name;
    throw new NoAnswerError('NO_ANSWER', `${method} ${url}: no answer (${cause}) within ${timeoutMs} ms`, { method, url, cause });
  }
  let text = '';
  try {
    text = await response.text();
  } catch (error) {
    throw new NoAnswerError('NO_ANSWER', `${method} ${url}: response cut off (${(error as Error).message})`, { method, url });
  }
  return exchangeOf({ method, url, body, status: response.status, text, startMs });
}

/** The exchange for an answer read in full: its body parsed as JSON, or kept as text (for the evidence) when not JSON. */
export function exchangeOf(read: {
  method: string;
  url: string;
  body: unknown;
  status: number;
  text: string;
  startMs: number;
}): HttpExchange {
  let parsed: unknown = read.text;
  try {
    parsed = read.text.length > 0 ? JSON.parse(read.text) : null;
  } catch {
    /* not JSON: kept as text */
  }
  const exchange: HttpExchange = {
    method: read.method,
    url: read.url,
    status: read.status,
    response: parsed,
    startMs: read.startMs,
    endMs: performance.now(),
  };
  if (read.body !== undefined) exchange.body = read.body;
  return exchange;
}
