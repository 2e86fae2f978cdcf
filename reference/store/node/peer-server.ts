import { createServer, type Server, type Socket } from 'node:net';
import { isStoreError } from '../errors.ts';
import type { Logger } from '../log.ts';
import type { HostPort } from '../net/address.ts';
import { readLines, writeLine } from '../net/lines.ts';
import { decodeMessage, type RpcRequest } from '../protocol.ts';
import { type DataNode, validateKeyValue } from './data-node.ts';
import type { Session } from './downstream.ts';

/** The node's TCP peer listener: replication subscriptions and request/response calls. */
export async function startPeerServer(node: DataNode, address: HostPort, logger: Logger): Promise<Server> {
  const sockets = new Set<Socket>();
  const server = createServer((socket) => {
    sockets.add(socket);
    socket.setNoDelay(true);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => {});
    let session: Session | undefined;
    readLines(socket, {
      message: (raw) => {
        const msg = decodeMessage(raw);
        switch (msg?.t) {
          case 'subscribe':
            if (session) return fail(socket, 'second subscribe on one connection');
            session = node.subscribe(socket, msg);
            return;
          case 'ack':
            if (!session) return fail(socket, 'ack without subscription');
            node.ack(session, msg.lsn);
            return;
          case 'rpc':
            void answer(node, socket, msg);
            return;
          default:
            return fail(socket, `unexpected message ${msg?.t ?? '(invalid)'}`);
        }
      },
      protocolError: (reason) => fail(socket, reason),
    });
  });
  const fail = (socket: Socket, reason: string): void => {
    logger.event('protocol-error', { remote: `${socket.remoteAddress}:${socket.remotePort}`, reason });
    socket.destroy();
  };
  server.on('close', () => {
    for (const s of sockets) s.destroy();
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(address.port, address.host, () => resolve());
  });
  return server;
}

async function answer(node: DataNode, socket: Socket, req: RpcRequest): Promise<void> {
  try {
    let body: unknown;
    if (req.op === 'status') body = node.status();
    else if (req.op === 'read') {
      if (typeof req.key !== 'string' || req.key === '') throw new TypeError('read needs a key');
      body = node.read(req.key);
    } else {
      const { key, value } = validateKeyValue(req.key, req.value);
      const lsn = await node.write(key, value);
      body = { lsn, servedBy: node.id };
    }
    writeLine(socket, { t: 'reply', rid: req.rid, ok: true, body });
  } catch (error) {
    const e = isStoreError(error)
      ? { code: error.code, message: error.message, details: error.details }
      : { code: 'BAD_RPC', message: error instanceof Error ? error.message : String(error) };
    writeLine(socket, { t: 'reply', rid: req.rid, ok: false, error: e });
  }
}
