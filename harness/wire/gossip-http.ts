/**
 * The gossip HTTP contract (conformance/gossip/README.md, "HTTP API") as one typed client: every route
 * the kit calls, its request body, and one transport that caps every answer's body and puts a deadline
 * on the whole exchange (connect, headers and body). Answers are returned as {@link HttpExchange}s
 * (kept for evidence); judging their shape is the checks' business.
 */
import { KitError } from '../common/errors.ts';
import { exchangeOf, NoAnswerError, type HttpExchange } from '../cluster/http-client.ts';
import { readCappedBody } from './capped-body.ts';

/** Largest answer body the kit reads from a candidate (a 50 MB view once took the kit to 634 MB). Default 4 MiB. */
export const GOSSIP_BODY_CAP_BYTES = 4 * 1024 * 1024;

/** Deadlines the client uses unless a call gives its own. */
export const GOSSIP_DEADLINES = { default: 8000, views: 15_000, tick: 20_000, stats: 10_000 } as const;

/** The candidate's answer exceeded the body cap (code `BODY_TOO_LARGE`): the candidate's fault. */
export class BodyTooLargeError extends KitError {}

export type GossipStatus = 'alive' | 'suspected' | 'dead';

/** A membership entry as the contract writes it. */
export interface GossipEntry {
  id: string;
  status: GossipStatus;
  generation: number;
  meta?: string;
}

/** `POST /nodes/{id}/state` body. */
export interface StateChange {
  status?: GossipStatus;
  meta?: string;
}

export interface RequestOptions {
  /** Whole-exchange deadline in ms. */
  timeoutMs?: number;
  /** Body cap in bytes. Default {@link GOSSIP_BODY_CAP_BYTES}. */
  maxBytes?: number;
}

/** Reads at most `maxBytes` of a response body; throws BodyTooLargeError beyond. */
function readCapped(response: Response, maxBytes: number, what: string): Promise<string> {
  return readCappedBody(response, maxBytes, (over) =>
    over.declared !== undefined
      ? new BodyTooLargeError(
          'BODY_TOO_LARGE',
          `${what}: answer of ${over.declared} bytes (Content-Length) exceeds the kit's ${maxBytes}-byte cap`,
          { declared: over.declared, maxBytes },
        )
      : new BodyTooLargeError('BODY_TOO_LARGE', `${what}: answer body exceeds the kit's ${maxBytes}-byte cap`, {
          read: over.read,
          maxBytes,
        }),
  );
}

/**
 * One JSON request with a deadline over the whole exchange and a capped body. No answer in time (or a
 * failed connection, or a cut-off body) is a NoAnswerError (`NO_ANSWER`); an oversized body a
 * BodyTooLargeError (`BODY_TOO_LARGE`).
 */
export async function requestJson(method: 'GET' | 'POST', url: string, body: unknown, options: RequestOptions = {}): Promise<HttpExchange> {
  const timeoutMs = options.timeoutMs ?? GOSSIP_DEADLINES.default;
  const maxBytes = options.maxBytes ?? GOSSIP_BODY_CAP_BYTES;
  const what = `${method} ${url}`;
  const startMs = performance.now();
  const init: RequestInit = { method, signal: AbortSignal.timeout(Math.max(1, Math.ceil(timeoutMs))) };
  if (body !== undefined) {
    init.body = JSON.stringify(body);
    init.headers = { 'content-type': 'application/json' };
  }
  let response: Response;
  try {
    response = await fetch(url, init);
  } catch (error) {
    const cause = (error as { cause?: { code?: string } }).cause?.code ?? (error as Error).name;
    throw new NoAnswerError('NO_ANSWER', `${what}: no answer (${cause}) within ${timeoutMs} ms`, { method, url, cause });
  }
  let text: string;
  try {
    text = await readCapped(response, maxBytes, what);
  } catch (error) {
    if (error instanceof BodyTooLargeError) throw error;
    throw new NoAnswerError('NO_ANSWER', `${what}: answer body not complete within ${timeoutMs} ms (${(error as Error).name})`, {
      method,
      url,
    });
  }
  return exchangeOf({ method, url, body, status: response.status, text, startMs });
}

/** The gossip routes of one candidate process (`base` = `http://127.0.0.1:PORT`). */
export class GossipHttpClient {
  constructor(readonly base: string) {}

  private node(id: string, path: string): string {
    return `${this.base}/nodes/${encodeURIComponent(id)}${path}`;
  }

  /** `GET /nodes` → `{"nodes": [id…]}`. */
  nodes(o?: RequestOptions): Promise<HttpExchange> {
    return requestJson('GET', `${this.base}/nodes`, undefined, o);
  }

  /** `GET /views` → `{"nodes": [view…]}`. */
  views(o: RequestOptions = { timeoutMs: GOSSIP_DEADLINES.views }): Promise<HttpExchange> {
    return requestJson('GET', `${this.base}/views`, undefined, o);
  }

  /** `POST /tick` → `{"nodes": [{"id","round","sent"}]}` (409 `wrong-mode` in free mode). */
  tick(o: RequestOptions = { timeoutMs: GOSSIP_DEADLINES.tick }): Promise<HttpExchange> {
    return requestJson('POST', `${this.base}/tick`, undefined, o);
  }

  /** `POST /nodes/{id}/tick` → `{"round","sent"}`. */
  nodeTick(id: string, o?: RequestOptions): Promise<HttpExchange> {
    return requestJson('POST', this.node(id, '/tick'), undefined, o);
  }

  /** `GET /nodes/{id}/view` → `{"id","round","members":[entry…]}`. */
  view(id: string, o?: RequestOptions): Promise<HttpExchange> {
    return requestJson('GET', this.node(id, '/view'), undefined, o);
  }

  /** `POST /nodes/{id}/state` → the node's new own entry. */
  state(id: string, change: StateChange, o?: RequestOptions): Promise<HttpExchange> {
    return requestJson('POST', this.node(id, '/state'), change, o);
  }

  /** `POST /nodes/{id}/debug/upsert` → `{"member": entry}`. */
  upsert(id: string, entry: GossipEntry, o?: RequestOptions): Promise<HttpExchange> {
    return requestJson('POST', this.node(id, '/debug/upsert'), entry, o);
  }

  /** `POST /nodes/{id}/pushpull {"peer","timeoutMs"}` → `{"ok": true, "peer"}` once merged. */
  pushPull(id: string, peer: string, timeoutMs: number, o: RequestOptions = { timeoutMs: timeoutMs + 3000 }): Promise<HttpExchange> {
    return requestJson('POST', this.node(id, '/pushpull'), { peer, timeoutMs }, o);
  }

  /** `GET /nodes/{id}/stats` → counters. */
  stats(id: string, o: RequestOptions = { timeoutMs: GOSSIP_DEADLINES.stats }): Promise<HttpExchange> {
    return requestJson('GET', this.node(id, '/stats'), undefined, o);
  }

  /** Any other node-scoped route (kept for checks that probe unusual requests). */
  nodeRequest(id: string, method: 'GET' | 'POST', path: string, body?: unknown, o?: RequestOptions): Promise<HttpExchange> {
    return requestJson(method, this.node(id, path), body, o);
  }
}
