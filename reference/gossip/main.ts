/**
 * Reference SWIM gossip membership: one process hosting one or more nodes (see
 * conformance/gossip/README.md). Exit code 2 on a configuration error.
 */
import { ConfigError, parseAddress, parseEnv } from './config.ts';
import { NodeHost } from './host.ts';
import type { Logger } from './host.ts';
import { createApi } from './http.ts';

const log: Logger = (event) => process.stdout.write(`${JSON.stringify({ ts: new Date().toISOString(), ...event })}\n`);
const quiet: Logger = () => {};

async function main(): Promise<void> {
  let config;
  try {
    config = parseEnv(process.env);
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`gossip: ${error.message}\n`);
      process.exit(2);
    }
    throw error;
  }
  const events = process.env.GOSSIP_LOG === 'events' ? log : quiet;
  const nodes = await Promise.all(config.nodes.map((spec) => NodeHost.start(spec, config.knobs, events)));
  const server = createApi(nodes, { pushPullTimeoutMs: config.knobs.pushPullTimeoutMs });
  const http = parseAddress(config.http);
  await new Promise<void>((resolve) => server.listen(http.port, http.host, resolve));
  log({
    event: 'listening',
    http: config.http,
    mode: config.knobs.mode,
    seed: config.knobs.seed,
    nodes: config.nodes.map((n) => `${n.id}@${n.listen}`),
  });

  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    log({ event: 'shutdown', signal });
    server.closeAllConnections();
    server.close();
    void Promise.all(nodes.map((n) => n.close())).then(() => process.exit(0));
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
}

main().catch((error: unknown) => {
  process.stderr.write(`gossip: fatal: ${(error as Error)?.stack ?? String(error)}\n`);
  process.exit(1);
});
