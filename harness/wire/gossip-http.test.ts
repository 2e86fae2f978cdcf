import { createServer, type Server } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { hasCode } from '../common/errors.ts';
import { GossipHttpClient, requestJson } from './gossip-http.ts';

const servers: Server[] = [];
afterEach(async () => {
  await Promise.all(
    servers.splice(0).map(
      (s) =>
        new Promise<void>((r) => {
          s.closeAllConnections();
          s.close(() => r());
        }),
    ),
  );
});

async function serve(handler: Parameters<typeof createServer>[1]): Promise<string> {
  const s = createServer(handler);
  servers.push(s);
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  return `http://127.0.0.1:${(s.address() as { port: number }).port}`;
}

describe('gossip HTTP client', () => {
  it('calls the contract routes with their bodies and parses JSON answers', async () => {
    const seen: string[] = [];
    const base = await serve((req, res) => {
      let body = '';
      req.on('data', (d) => (body += d));
      req.on('end', () => {
        seen.push(`${req.method} ${req.url} ${body}`);
        res.setHeader('content-type', 'application/json');
        res.end(JSON.stringify({ ok: true }));
      });
    });
    const c = new GossipHttpClient(base);
    expect((await c.state('n 1', { meta: 'm' })).response).toEqual({ ok: true });
    await c.pushPull('n0', 'n2', 500);
    await c.tick();
    expect(seen).toEqual(['POST /nodes/n%201/state {"meta":"m"}', 'POST /nodes/n0/pushpull {"peer":"n2","timeoutMs":500}', 'POST /tick ']);
  });

  it('refuses a body over the cap, declared or streamed (BODY_TOO_LARGE)', async () => {
    const declared = await serve((_req, res) => {
      res.setHeader('content-length', String(50_000_000));
      res.write('x'.repeat(1000));
    });
    await expect(requestJson('GET', `${declared}/views`, undefined, { maxBytes: 4096, timeoutMs: 3000 })).rejects.toSatisfy((e) =>
      hasCode(e, 'BODY_TOO_LARGE'),
    );
    const streamed = await serve((_req, res) => {
      res.write('['); // chunked, no length
      const chunk = 'x'.repeat(64 * 1024);
      let n = 0;
      const more = (): void => {
        if (n++ < 200 && !res.destroyed) res.write(chunk, () => setImmediate(more));
      };
      more();
    });
    await expect(requestJson('GET', `${streamed}/views`, undefined, { maxBytes: 1024 * 1024, timeoutMs: 5000 })).rejects.toSatisfy((e) =>
      hasCode(e, 'BODY_TOO_LARGE'),
    );
  });

  it('puts the deadline on the body too: headers then silence is NO_ANSWER', async () => {
    const base = await serve((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.write('{"nodes": [');
    });
    const t0 = performance.now();
    await expect(requestJson('GET', `${base}/views`, undefined, { timeoutMs: 300 })).rejects.toSatisfy((e) => hasCode(e, 'NO_ANSWER'));
    expect(performance.now() - t0).toBeLessThan(3000);
  });
});
