import { connect, type Socket } from 'node:net';
import { StoreError } from '../errors.ts';
import { decodeMessage, type RpcOp, type RpcRequest } from '../protocol.ts';
import type { HostPort } from './address.ts';
import { readLines, writeLine } from './lines.ts';

interface Pending {
  resolve(body: unknown): void;
  reject(error: StoreError): void;
  timer: NodeJS.Timeout;
}

/**
 * Request/response client over one lazily (re)opened connection to a node's book address. Requests are
 * multiplexed by id. A request that times out destroys the connection (a held, black-holed connection
 * would only swallow the next ones too); the next request reconnects.
 *
 * Errors: NODE_UNAVAILABLE (cannot connect / connection lost), NODE_TIMEOUT (no answer in time), or the
 * node's own error code.
 */
export class RpcClient {
  readonly nodeId: string;
  readonly #target: HostPort;
  #socket: Socket | undefined;
  readonly #pending = new Map<number, Pending>();
  #nextRid = 1;
  #closed = false;

  constructor(nodeId: string, target: HostPort) {
    this.nodeId = nodeId;
    this.#target = target;
  }

  request(op: RpcOp, params: { key?: string; value?: string }, timeoutMs: number): Promise<unknown> {
    if (this.#closed) return Promise.reject(new StoreError('NODE_UNAVAILABLE', 503, `client for ${this.nodeId} is closed`));
    const socket = this.#ensureSocket();
    const rid = this.#nextRid++;
    const message: RpcRequest = { t: 'rpc', rid, op, ...params };
    return new Promise<unknown>((resolve, reject) => {
      const timer = setTimeout(() => {
        if (!this.#pending.delete(rid)) return;
        reject(new StoreError('NODE_TIMEOUT', 503, `${this.nodeId} did not answer ${op} within ${timeoutMs} ms`));
        this.#drop(socket, `request ${op} timed out`);
      }, timeoutMs);
      this.#pending.set(rid, { resolve, reject, timer });
      writeLine(socket, message);
    });
  }

  close(): void {
    this.#closed = true;
    if (this.#socket) this.#drop(this.#socket, 'client closed');
  }

  #ensureSocket(): Socket {
    if (this.#socket && !this.#socket.destroyed) return this.#socket;
    const socket = connect({ host: this.#target.host, port: this.#target.port });
    socket.setNoDelay(true);
    this.#socket = socket;
    readLines(socket, {
      message: (raw) => {
        const msg = decodeMessage(raw);
        if (msg?.t !== 'reply') return this.#drop(socket, 'unexpected message from node');
        const pending = this.#pending.get(msg.rid);
        if (!pending) return;
        this.#pending.delete(msg.rid);
        clearTimeout(pending.timer);
        if (msg.ok) pending.resolve(msg.body);
        else {
          const error = msg.error ?? { code: 'NODE_ERROR', message: `${this.nodeId} failed without details` };
          pending.reject(new StoreError(error.code, 503, error.message, { ...error.details, node: this.nodeId }));
        }
      },
      protocolError: (reason) => this.#drop(socket, reason),
    });
    socket.on('error', () => this.#drop(socket, 'socket error'));
    socket.on('close', () => this.#drop(socket, 'connection closed'));
    return socket;
  }

  /** Fails every request sent on `socket` and forgets it. */
  #drop(socket: Socket, reason: string): void {
    socket.destroy();
    if (this.#socket !== socket) return;
    this.#socket = undefined;
    for (const [rid, pending] of this.#pending) {
      this.#pending.delete(rid);
      clearTimeout(pending.timer);
      pending.reject(new StoreError('NODE_UNAVAILABLE', 503, `${this.nodeId} unreachable: ${reason}`));
    }
  }
}
