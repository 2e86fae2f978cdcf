import dgram from 'node:dgram';
import { formatAddress, type Address } from './address.ts';
import type { Tally } from './counters.ts';
import { NetErrorCode, NetworkError } from './errors.ts';
import type { Fabric } from './fabric.ts';
import type { Link } from './link.ts';
import { now, type Scheduler, type Task } from './scheduler.ts';
import type { NodeInfo, Topology } from './topology.ts';

/** Socket buffer size requested for kit sockets (the kernel may cap it). */
const SOCKET_BUFFER_BYTES = 4 * 1024 * 1024;

/** Kit sockets only ever send to IPv4 literals: answer the lookup synchronously, skip `dns.lookup`. */
function literalLookup(
  hostname: string,
  _options: unknown,
  callback: (err: NodeJS.ErrnoException | null, address: string, family: number) => void,
): void {
  callback(null, hostname, 4);
}

class UdpNode {
  /** Links into this node, indexed by the sender's `NodeInfo.index` (filled lazily). */
  readonly inLinks: Array<Link | undefined> = [];
  constructor(
    readonly info: NodeInfo,
    readonly socket: dgram.Socket,
    readonly kit: Address,
  ) {}
}

/** A datagram waiting out its delay. */
class DelayedDatagram implements Task {
  constructor(
    private readonly fabric: UdpFabric,
    private readonly link: Link,
    private readonly from: UdpNode,
    private readonly to: UdpNode,
    private readonly payload: Buffer,
  ) {}

  fire(): void {
    const { link, payload } = this;
    link.exitFlight(1, payload.length);
    if (link.cut) {
      link.droppedMsgs++;
      link.droppedBytes += payload.length;
      return;
    }
    this.fabric.deliver(link, this.from, this.to, payload);
  }
}

/**
 * UDP: one kit socket K(X) per node X; every book maps X to K(X). A datagram arriving at K(X) from
 * Y's real address is Y→X traffic; it is forwarded to X's real address from K(Y), so X sees K(Y) as
 * the source, which is also Y's book address: replies to the source or via the book both come back
 * through the kit as X→Y traffic.
 */
export class UdpFabric implements Fabric {
  readonly #nodes = new Map<string, UdpNode>();
  /** Real port → node (fast path); collisions across hosts fall back to `#byReal`. */
  readonly #byPort = new Map<number, UdpNode>();
  readonly #byReal = new Map<string, UdpNode>();
  #unattributedMsgs = 0;
  #unattributedBytes = 0;
  #sendErrors = 0;
  #closed = false;
  /** Datagrams that reached the kit while a round barrier was up, in arrival order (null: no barrier). */
  #barrier: Array<{ link: Link; from: UdpNode; to: UdpNode; msg: Buffer }> | null = null;

  constructor(
    private readonly topology: Topology,
    private readonly scheduler: Scheduler,
    private readonly host: string,
  ) {}

  async addNode(info: NodeInfo): Promise<void> {
    const socket = dgram.createSocket({ type: 'udp4', lookup: literalLookup });
    socket.on('error', () => {
      // Unconnected UDP sends fail only locally (buffer full, closed); count and carry on.
      this.#sendErrors++;
    });
    try {
      await new Promise<void>((resolve, reject) => {
        socket.once('error', reject);
        socket.bind(0, this.host, () => {
          socket.off('error', reject);
          resolve();
        });
      });
    } catch (cause) {
      socket.close();
      throw new NetworkError(NetErrorCode.BIND_FAILED, `cannot bind a UDP socket on ${this.host}`, { id: info.id }, { cause });
    }
    trySetBuffers(socket);
    const bound = socket.address();
    const node = new UdpNode(info, socket, { host: bound.address, port: bound.port });
    socket.on('message', (msg, rinfo) => this.#ingress(node, msg, rinfo));
    this.#nodes.set(info.id, node);
    const clash = this.#byPort.get(info.real.port);
    if (clash === undefined) this.#byPort.set(info.real.port, node);
    else this.#byReal.set(info.realText, node);
    if (this.#closed) socket.close();
  }

  endpoint(_from: string, to: string): string {
    const node = this.#nodes.get(to);
    if (node === undefined) throw new NetworkError(NetErrorCode.UNKNOWN_NODE, `unknown node ${to}`, { id: to });
    return formatAddress(node.kit);
  }

  cutsChanged(): void {
    // Cuts are checked per datagram, on arrival and again when a delayed one is due.
  }

  faultsChanged(): void {
    // Datagrams already scheduled keep the delay they drew.
  }

  reset(from: string, to: string): number {
    throw new NetworkError(NetErrorCode.UNSUPPORTED_FAULT, 'reset is a TCP control', { fault: 'reset', from, to });
  }

  unattributed(): Tally {
    return { messages: this.#unattributedMsgs, bytes: this.#unattributedBytes };
  }

  /**
   * Raises the round barrier: from now on every datagram that reaches the kit is counted as sent and
   * held (not forwarded, not yet subject to loss or delay) until {@link releaseBarrier}.
   */
  raiseBarrier(): void {
    this.#barrier ??= [];
  }

  /** Lowers the barrier and forwards every held datagram in arrival order through its link's faults. */
  releaseBarrier(): number {
    const held = this.#barrier;
    this.#barrier = null;
    if (held === null) return 0;
    for (const { link, from, to, msg } of held) {
      link.exitHeld(1, msg.length);
      if (link.plain) this.deliver(link, from, to, msg);
      else this.#faulty(link, from, to, msg);
    }
    return held.length;
  }

  /** Local send failures reported by the kit sockets (diagnostics). */
  get sendErrors(): number {
    return this.#sendErrors;
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await Promise.all(
      [...this.#nodes.values()].map(
        (node) =>
          new Promise<void>((resolve) => {
            try {
              node.socket.close(() => resolve());
            } catch {
              resolve(); // already closed
            }
          }),
      ),
    );
  }

  /** Hands a datagram to the kernel toward `to`'s real address, from `from`'s kit socket. */
  deliver(link: Link, from: UdpNode, to: UdpNode, payload: Buffer): void {
    if (this.#closed) return;
    link.deliveredMsgs++;
    link.deliveredBytes += payload.length;
    from.socket.send(payload, to.info.real.port, to.info.real.host);
  }

  #ingress(to: UdpNode, msg: Buffer, rinfo: dgram.RemoteInfo): void {
    let from = this.#byPort.get(rinfo.port);
    if (from === undefined || from.info.real.host !== rinfo.address) {
      from = this.#byReal.size > 0 ? this.#byReal.get(`${rinfo.address}:${rinfo.port}`) : undefined;
      if (from === undefined) {
        this.#unattributedMsgs++;
        this.#unattributedBytes += msg.length;
        return;
      }
    }
    const index = from.info.index;
    const link = to.inLinks[index] ?? (to.inLinks[index] = this.topology.link(from.info.id, to.info.id));
    link.sentMsgs++;
    link.sentBytes += msg.length;
    if (this.#barrier !== null) {
      link.enterHeld(1, msg.length);
      this.#barrier.push({ link, from, to, msg });
      return;
    }
    if (link.plain) this.deliver(link, from, to, msg);
    else this.#faulty(link, from, to, msg);
  }

  #faulty(link: Link, from: UdpNode, to: UdpNode, msg: Buffer): void {
    if (link.cut || link.lose()) {
      link.droppedMsgs++;
      link.droppedBytes += msg.length;
      return;
    }
    const copies = link.duplicated() ? 2 : 1;
    if (copies === 2) {
      link.duplicatedMsgs++;
      link.duplicatedBytes += msg.length;
    }
    for (let i = 0; i < copies; i++) {
      const delay = link.sampleDelay();
      if (delay <= 0) {
        this.deliver(link, from, to, msg);
      } else {
        link.enterFlight(1, msg.length);
        this.scheduler.schedule(now() + delay, new DelayedDatagram(this, link, from, to, msg));
      }
    }
  }
}

function trySetBuffers(socket: dgram.Socket): void {
  try {
    socket.setRecvBufferSize(SOCKET_BUFFER_BYTES);
    socket.setSendBufferSize(SOCKET_BUFFER_BYTES);
  } catch {
    // Capped or refused by the kernel: the defaults still work, only bursts suffer.
  }
}
