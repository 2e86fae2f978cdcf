/**
 * Reference replicated telemetry store: one process per node, configured by MERIDIAN_* environment
 * variables (see conformance/store/README.md). `node --import tsx main.ts`.
 */
import type { Server as HttpServer } from 'node:http';
import type { Server as NetServer } from 'node:net';
import { type Config, parseConfig } from './config.ts';
import { startJsonServer } from './http/json-server.ts';
import { createLogger, type Logger } from './log.ts';
import { formatHostPort } from './net/address.ts';
import { DataNode } from './node/data-node.ts';
import { nodeRoutes } from './node/http-api.ts';
import { startPeerServer } from './node/peer-server.ts';
import { routerRoutes } from './router/http-api.ts';
import { Router } from './router/router.ts';

interface Running {
  close(): void;
}

async function startNode(config: Config, logger: Logger): Promise<Running> {
  if (config.role === 'router' || !config.listen) throw new Error('data node needs MERIDIAN_LISTEN');
  const node = new DataNode({
    id: config.id,
    book: config.peers,
    logger,
    writeTimeoutMs: config.writeTimeoutMs,
    peerTimeoutMs: config.peerTimeoutMs,
    heartbeatMs: config.heartbeatMs,
  });
  const peer: NetServer = await startPeerServer(node, config.listen, logger);
  node.start(config.role, config.leader, config.sync, config.quorum);
  // HTTP last: the kit treats an answering HTTP port as "ready".
  const http: HttpServer = await startJsonServer(config.http, nodeRoutes(node), logger);
  logger.event('listening', { role: config.role, peer: formatHostPort(config.listen), http: formatHostPort(config.http) });
  return {
    close() {
      node.close();
      peer.close();
      http.closeAllConnections();
      http.close();
    },
  };
}

async function startRouter(config: Config, logger: Logger): Promise<Running> {
  const router = new Router({
    id: config.id,
    leader: config.leader,
    followers: config.followers,
    book: config.peers,
    logger,
    readTimeoutMs: config.readTimeoutMs,
    writeTimeoutMs: config.writeTimeoutMs,
    pollMs: config.pollMs,
  });
  router.start();
  const http = await startJsonServer(config.http, routerRoutes(router), logger);
  logger.event('listening', { role: 'router', http: formatHostPort(config.http), leader: config.leader, followers: config.followers });
  return {
    close() {
      router.close();
      http.closeAllConnections();
      http.close();
    },
  };
}

async function main(): Promise<void> {
  // A kit that stopped reading our stdout must not take the node down with EPIPE.
  process.stdout.on('error', () => {});
  let config: Config;
  try {
    config = parseConfig(process.env);
  } catch (error) {
    createLogger(process.env['MERIDIAN_NODE_ID'] ?? '?').event('config-error', {
      reason: error instanceof Error ? error.message : String(error),
    });
    process.exitCode = 2;
    return;
  }
  const logger = createLogger(config.id);
  let running: Running;
  try {
    running = config.role === 'router' ? await startRouter(config, logger) : await startNode(config, logger);
  } catch (error) {
    logger.event('startup-error', { reason: error instanceof Error ? error.message : String(error) });
    process.exit(1);
  }
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.once(signal, () => {
      logger.event('shutdown', { signal });
      running.close();
      process.exit(0);
    });
  }
}

await main();
