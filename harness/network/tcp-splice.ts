import net from 'node:net';
import type { Address } from './address.ts';
import type { Link } from './link.ts';
import { Pipe, resetSocket, type PipeHost } from './tcp-pipe.ts';

/** What a splice needs from its fabric. */
export interface SpliceHost extends PipeHost {
  /** The upstream connect waits for a heal (one of the two directions is cut). */
  deferred(splice: Splice): void;
  /** Both sockets are closed: forget the splice. */
  finished(splice: Splice): void;
}

type State = 'deferred' | 'connecting' | 'open' | 'closed';

/**
 * One client connection accepted on the kit endpoint E(A→B), spliced to B's real listener.
 * `forward` carries A's bytes (link A→B), `backward` carries B's replies (link B→A).
 *
 * - The upstream connect happens at accept time when both directions are open; otherwise the
 *   accepted connection is held (nothing reaches B, no reset reaches A) until a heal.
 * - A refused/failed upstream connect resets the client side (counted as a failed connection).
 * - FIN and RST are forwarded in order behind the bytes that preceded them.
 */
export class Splice {
  readonly forward: Pipe;
  readonly backward: Pipe;
  #upstream: net.Socket | null = null;
  #state: State = 'connecting';
  #clientClosed = false;
  #upstreamClosed = false;
  #tearingDown = false;

  constructor(
    private readonly host: SpliceHost,
    readonly forwardLink: Link,
    readonly backwardLink: Link,
    readonly client: net.Socket,
    private readonly target: Address,
  ) {
    forwardLink.connOpened++;
    forwardLink.connActive++;
    this.forward = new Pipe(forwardLink, client, host);
    this.backward = new Pipe(backwardLink, client, host);
    this.backward.attach(client);
    client.setNoDelay(true);
    client.on('data', (chunk: Buffer) => this.forward.push(chunk));
    client.on('end', () => this.forward.finish('fin'));
    client.on('drain', () => this.backward.drained());
    client.on('error', () => {
      // ECONNRESET/EPIPE from the candidate: handled on 'close'.
    });
    client.on('close', (hadError) => this.#clientClose(hadError));
    this.tryConnect();
  }

  get state(): State {
    return this.#state;
  }

  /** Connects upstream unless a cut on either direction defers it (a handshake needs both). */
  tryConnect(): void {
    if (this.#state !== 'connecting' && this.#state !== 'deferred') return;
    if (this.#upstream !== null) return;
    if (this.forwardLink.cut || this.backwardLink.cut) {
      this.#state = 'deferred';
      this.forward.deferred = true;
      this.forward.pump();
      this.host.deferred(this);
      return;
    }
    this.#state = 'connecting';
    this.forward.deferred = false;
    this.forward.pump();
    const upstream = net.connect({ host: this.target.host, port: this.target.port, allowHalfOpen: true, noDelay: true });
    this.#upstream = upstream;
    upstream.on('connect', () => {
      if (this.#state !== 'connecting') return;
      this.#state = 'open';
      this.forward.attach(upstream);
    });
    upstream.on('data', (chunk: Buffer) => this.backward.push(chunk));
    upstream.on('end', () => this.backward.finish('fin'));
    upstream.on('drain', () => this.forward.drained());
    upstream.on('error', () => {
      // ECONNREFUSED/ECONNRESET/EPIPE from a crashed or absent node: handled on 'close'.
    });
    upstream.on('close', (hadError) => this.#upstreamClose(hadError));
  }

  /** The `reset` control: RST both sides now, dropping anything queued. */
  reset(): void {
    if (this.#state === 'closed' || this.#tearingDown) return;
    this.#tearingDown = true;
    this.forwardLink.connReset++;
    this.forward.discard();
    this.backward.discard();
    resetSocket(this.client);
    if (this.#upstream !== null) resetSocket(this.#upstream);
    else this.#upstreamClosed = true;
    this.#maybeFinished();
  }

  /** Network close: destroy both sides. */
  destroy(): void {
    if (this.#state === 'closed') return;
    this.#tearingDown = true;
    this.forward.discard();
    this.backward.discard();
    this.client.destroy();
    this.#upstream?.destroy();
    if (this.#upstream === null) this.#upstreamClosed = true;
    this.#maybeFinished();
  }

  #clientClose(hadError: boolean): void {
    this.#clientClosed = true;
    this.backward.discard();
    if (this.#state !== 'open') {
      // The candidate gave up before the upstream existed: nothing to forward to.
      this.forward.discard();
      if (this.#upstream !== null) this.#upstream.destroy();
      else this.#upstreamClosed = true;
    } else if (hadError) {
      this.forward.finish('rst');
    }
    this.#maybeFinished();
  }

  #upstreamClose(hadError: boolean): void {
    this.#upstreamClosed = true;
    this.forward.discard();
    if (this.#state === 'connecting' && !this.#tearingDown) {
      // Refused (node not listening or crashed): the candidate sees a reset, never a hang.
      this.forwardLink.connFailed++;
      this.backward.discard();
      resetSocket(this.client);
    } else if (hadError) {
      this.backward.finish('rst');
    }
    this.#maybeFinished();
  }

  #maybeFinished(): void {
    if (this.#state === 'closed' || !this.#clientClosed || !this.#upstreamClosed) return;
    this.#state = 'closed';
    this.forward.discard();
    this.backward.discard();
    this.forwardLink.connActive--;
    this.host.finished(this);
  }
}
