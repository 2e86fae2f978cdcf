import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { badRequest, isStoreError, StoreError } from '../errors.ts';
import type { Logger } from '../log.ts';
import type { HostPort } from '../net/address.ts';

export const MAX_BODY_BYTES = 1 << 20;

export interface RequestContext {
  readonly query: URLSearchParams;
  /** Parsed JSON body (undefined when the body is empty). */
  readonly body: unknown;
}

export interface Route {
  readonly method: 'GET' | 'POST';
  readonly path: string;
  handle(ctx: RequestContext): unknown;
}

/** A tiny JSON-over-HTTP/1.1 server: exact-path routes, JSON bodies, errors as {"error":{code,message}}. */
export async function startJsonServer(address: HostPort, routes: readonly Route[], logger: Logger): Promise<Server> {
  const server = createServer((req, res) => {
    void dispatch(routes, req, res).catch((error: unknown) => {
      logger.event('http-error', { path: req.url, reason: error instanceof Error ? error.message : String(error) });
      if (!res.headersSent) send(res, 500, { error: { code: 'INTERNAL', message: 'internal error' } });
    });
  });
  server.keepAliveTimeout = 5_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(address.port, address.host, () => resolve());
  });
  return server;
}

async function dispatch(routes: readonly Route[], req: IncomingMessage, res: ServerResponse): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://store.invalid');
  const forPath = routes.filter((r) => r.path === url.pathname);
  if (forPath.length === 0) {
    await drain(req);
    return sendError(res, new StoreError('NOT_FOUND', 404, `no route ${url.pathname}`));
  }
  const route = forPath.find((r) => r.method === req.method);
  if (!route) {
    await drain(req);
    res.setHeader('allow', forPath.map((r) => r.method).join(', '));
    return sendError(
      res,
      new StoreError(
        'METHOD_NOT_ALLOWED',
        405,
        `${req.method} is not allowed on ${url.pathname} (use ${forPath.map((r) => r.method).join(' or ')})`,
      ),
    );
  }
  try {
    const body = route.method === 'POST' ? parseJson(await readBody(req)) : (await drain(req), undefined);
    const result = await route.handle({ query: url.searchParams, body });
    send(res, 200, result);
  } catch (error) {
    if (isStoreError(error)) return sendError(res, error);
    throw error;
  }
}

function parseJson(text: string): unknown {
  if (text.trim() === '') return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw badRequest('MALFORMED_JSON', `request body is not valid JSON: ${error instanceof Error ? error.message : String(error)}`);
  }
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BODY_BYTES) {
      req.resume();
      throw new StoreError('BODY_TOO_LARGE', 413, `request body exceeds ${MAX_BODY_BYTES} bytes`);
    }
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}

async function drain(req: IncomingMessage): Promise<void> {
  for await (const _ of req as AsyncIterable<Buffer>) {
    /* discard */
  }
}

function send(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

function sendError(res: ServerResponse, error: StoreError): void {
  send(res, error.status, { error: { ...error.details, code: error.code, message: error.message } });
}

/** A JSON object body, or a 400 naming what is wrong. `optional` accepts an empty body as {}. */
export function objectBody(body: unknown, optional = false): Record<string, unknown> {
  if (body === undefined && optional) return {};
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw badRequest('INVALID_BODY', 'request body must be a JSON object');
  }
  return body as Record<string, unknown>;
}
