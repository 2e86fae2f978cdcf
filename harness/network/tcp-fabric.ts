import net from 'node:net';
import { formatAddress } from './address.ts';
import type { Tally } from './counters.ts';
import { NetErrorCode, NetworkError } from './errors.ts';
import type { Fabric } from './fabric.ts';
import type { Link } from './link.ts';
import type { Scheduler } from './scheduler.ts';
import type { Pipe } from './tcp-pipe.ts';
import { Splice, type SpliceHost } from './tcp-splice.ts';
import type { NodeInfo, Topology } from './topology.ts';

/** The kit endpoint E(from→to): a listener whose accepted connections are spliced to `to`. */
interface Endpoint {
  readonly server: net.Server;
  readonly address: string;
  readonly link: Link;
  readonly splices: Set<Splice>;
}

/**
 * TCP: one kit listener per directed link A→B (A's book maps B to it). Each accepted connection is
 * spliced to B's real listener; its A→B bytes obey link A→B and B's replies obey link B→A.
 */
export class TcpFabric implements Fabric, SpliceHost {
  readonly #endpoints = new Map<string, Endpoint>();
  readonly #nodes: NodeInfo[] = [];
  readonly #blocked = new Set<Pipe>();
  readonly #deferred = new Set<Splice>();
  #closed = false;

  constructor(
    private readonly topology: Topology,
    readonly scheduler: Scheduler,
    private readonly host: string,
  ) {}

  async addNode(info: NodeInfo): Promise<void> {
    const opening: Array<Promise<void>> = [];
    for (const other of this.#nodes) {
      opening.push(this.#open(info, other), this.#open(other, info));
    }
    this.#nodes.push(info);
    await Promise.all(opening);
  }

  endpoint(from: string, to: string): string {
    const endpoint = this.#endpoints.get(`${from}->${to}`);
    if (endpoint === undefined) {
      throw new NetworkError(NetErrorCode.UNKNOWN_NODE, `no endpoint for ${from}->${to}`, { from, to });
    }
    return endpoint.address;
  }

  cutsChanged(): void {
    for (const splice of [...this.#deferred]) {
      this.#deferred.delete(splice);
      splice.tryConnect();
    }
    for (const pipe of [...this.#blocked]) {
      this.#blocked.delete(pipe);
      pipe.pump();
    }
  }

  faultsChanged(link: Link): void {
    // Wake pipes of this link so a removed delay or bandwidth cap takes effect at once.
    const forward = this.#endpoints.get(link.key);
    const backward = this.#endpoints.get(`${link.to}->${link.from}`);
    if (forward !== undefined) for (const splice of forward.splices) splice.forward.pump();
    if (backward !== undefined) for (const splice of backward.splices) splice.backward.pump();
  }

  reset(from: string, to: string): number {
    const endpoint = this.#endpoints.get(`${from}->${to}`);
    if (endpoint === undefined) return 0;
    const splices = [...endpoint.splices];
    for (const splice of splices) splice.reset();
    return splices.length;
  }

  unattributed(): Tally {
    return { messages: 0, bytes: 0 };
  }

  blocked(pipe: Pipe): void {
    this.#blocked.add(pipe);
  }

  deferred(splice: Splice): void {
    this.#deferred.add(splice);
  }

  finished(splice: Splice): void {
    this.#deferred.delete(splice);
    this.#blocked.delete(splice.forward);
    this.#blocked.delete(splice.backward);
    this.#endpoints.get(splice.forwardLink.key)?.splices.delete(splice);
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    const closing: Array<Promise<void>> = [];
    for (const endpoint of this.#endpoints.values()) {
      closing.push(new Promise<void>((resolve) => endpoint.server.close(() => resolve())));
      for (const splice of [...endpoint.splices]) splice.destroy();
    }
    this.#blocked.clear();
    this.#deferred.clear();
    await Promise.all(closing);
  }

  async #open(from: NodeInfo, to: NodeInfo): Promise<void> {
    const link = this.topology.link(from.id, to.id);
    const backLink = this.topology.link(to.id, from.id);
    const splices = new Set<Splice>();
    const server = net.createServer({ allowHalfOpen: true, noDelay: true }, (client) => {
      if (this.#closed) {
        client.on('error', () => {});
        client.destroy();
        return;
      }
      splices.add(new Splice(this, link, backLink, client, to.real));
    });
    server.on('error', () => {
      // Listening errors surface through the bind promise below; later ones (EMFILE…) are ignored.
    });
    try {
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(0, this.host, () => {
          server.off('error', reject);
          resolve();
        });
      });
    } catch (cause) {
      throw new NetworkError(NetErrorCode.BIND_FAILED, `cannot listen for ${link.key} on ${this.host}`, { link: link.key }, { cause });
    }
    const bound = server.address() as net.AddressInfo;
    this.#endpoints.set(link.key, { server, address: formatAddress({ host: bound.address, port: bound.port }), link, splices });
    if (this.#closed) server.close();
  }
}
