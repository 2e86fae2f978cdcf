import { createReadStream, realpathSync, statSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join, resolve, sep } from 'node:path';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.json': 'application/json',
  '.md': 'text/markdown; charset=utf-8',
  '.xml': 'application/xml',
  '.csv': 'text/csv; charset=utf-8',
  '.svg': 'image/svg+xml',
};

/**
 * A read-only static server over the runs folder, on 127.0.0.1 only. Paths are resolved inside the folder
 * (symlinks such as `latest` are followed only when they stay inside it); folders serve their index.html,
 * or the run's report.html.
 */
export function serveRuns(runsDir: string, port = 0): Promise<{ server: Server; url: string }> {
  const root = realpathSync(resolve(runsDir));
  const server = createServer((req, res) => {
    const fail = (status: number, text: string): void => {
      res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8' }).end(`${text}\n`);
    };
    if (req.method !== 'GET' && req.method !== 'HEAD') return fail(405, 'read only');
    let path: string;
    try {
      path = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
    } catch {
      return fail(400, 'bad path');
    }
    let file: string;
    try {
      file = realpathSync(join(root, path));
      if (file !== root && !file.startsWith(root + sep)) return fail(404, 'not found');
      if (statSync(file).isDirectory()) {
        if (!path.endsWith('/')) {
          res.writeHead(301, { location: `${path}/` }).end();
          return;
        }
        file =
          [join(file, 'index.html'), join(file, 'report.html')].find((f) => {
            try {
              return statSync(f).isFile();
            } catch {
              return false;
            }
          }) ?? '';
        if (!file) return fail(404, 'no index in this folder');
      }
    } catch {
      return fail(404, 'not found');
    }
    res.writeHead(200, { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream', 'cache-control': 'no-store' });
    if (req.method === 'HEAD') return void res.end();
    createReadStream(file).pipe(res);
  });
  return new Promise((resolvePromise, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => {
      const { port: bound } = server.address() as AddressInfo;
      resolvePromise({ server, url: `http://127.0.0.1:${bound}/` });
    });
  });
}
