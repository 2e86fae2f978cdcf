import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exchange, parseError, parseReadAnswer, parseWriteAnswer, readPath, StoreHttpClient, StoreHttpError } from './store-http.ts';

let server: Server;
let base = '';

beforeAll(async () => {
  server = createServer((req, res) => {
    if (req.url === '/huge') {
      // 50 MB streamed without a content-length: the cap must stop reading, not the end of the body.
      res.writeHead(200, { 'content-type': 'application/json' });
      const chunk = Buffer.alloc(1 << 20, 0x61);
      let sent = 0;
      const pump = (): void => {
        while (sent < 50 && res.write(chunk)) sent++;
        if (sent < 50) res.once('drain', pump);
        else res.end();
      };
      pump();
      return;
    }
    if (req.url === '/declared') {
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': String(50 << 20) });
      res.write('{');
      return;
    }
    if (req.url === '/stall') {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.write('{"lsn":');
      return; // never ends
    }
    if (req.url?.startsWith('/read')) {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ key: 'k', value: 'v', lsn: 4, servedBy: 'n2' }));
      return;
    }
    res.writeHead(400, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ error: { code: 'MISSING_KEY', message: 'key is required' } }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

describe('store HTTP client', () => {
  it('abandons a 50 MB answer at the cap without buffering it', async () => {
    const before = process.memoryUsage().rss;
    const error = await exchange('GET', `${base}/huge`, undefined, { timeoutMs: 10_000 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StoreHttpError);
    expect((error as StoreHttpError).code).toBe('ANSWER_TOO_LARGE');
    expect(process.memoryUsage().rss - before).toBeLessThan(40 << 20);
  });

  it('refuses a declared length over the cap before reading it', async () => {
    const error = await exchange('GET', `${base}/declared`, undefined, { timeoutMs: 5000 }).catch((e: unknown) => e);
    expect((error as StoreHttpError).code).toBe('ANSWER_TOO_LARGE');
  });

  it('puts the deadline over the body too: a stalled body is NO_ANSWER', async () => {
    const started = performance.now();
    const error = await exchange('GET', `${base}/stall`, undefined, { timeoutMs: 300 }).catch((e: unknown) => e);
    expect((error as StoreHttpError).code).toBe('NO_ANSWER');
    expect(performance.now() - started).toBeLessThan(3000);
  });

  it('reads answers by the contract', async () => {
    const client = new StoreHttpClient(base);
    const { answer } = await client.read({ key: 'k', mode: 'SessionConsistent', session: 's', minLsn: 3, via: 'n2' });
    expect(answer).toEqual({ ok: true, status: 200, value: 'v', lsn: 4, servedBy: 'n2' });
    const refused = await client.write('', 'v');
    expect(refused.answer).toMatchObject({ outcome: 'rejected', status: 400, code: 'MISSING_KEY' });
    expect(parseError(refused.exchange.response)).toEqual({ ok: true, code: 'MISSING_KEY', message: 'key is required' });
  });

  it('classifies write and read answers, and judges error bodies', () => {
    expect(parseWriteAnswer(200, { lsn: 3, servedBy: 'n0' })).toEqual({ status: 200, outcome: 'ack', lsn: 3, servedBy: 'n0' });
    expect(parseWriteAnswer(200, { lsn: 0 }).malformed).toBeDefined();
    expect(parseWriteAnswer(503, { error: { code: 'WRITE_TIMEOUT', message: 'x' } })).toEqual({
      status: 503,
      code: 'WRITE_TIMEOUT',
      outcome: 'unknown',
    });
    expect(parseReadAnswer(200, { value: 1, lsn: 1, servedBy: 'n1' })).toMatchObject({ ok: false });
    expect(parseReadAnswer(200, { value: null, lsn: 0, servedBy: 'n1' })).toMatchObject({ ok: true, value: null });
    expect(parseError({ error: 'MISSING_KEY', message: 'x' })).toMatchObject({ ok: false });
    expect(parseError({ error: { code: 'missing_key', message: 'x' } })).toMatchObject({ ok: false, code: 'missing_key' });
    expect(parseError({ error: { code: 'MISSING_KEY', message: '' } })).toMatchObject({ ok: false });
    expect(readPath({ key: 'a b', mode: 'Leader' })).toBe('/read?key=a+b&mode=Leader');
  });
});
