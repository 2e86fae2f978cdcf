import { connect, type Socket } from 'node:net';
import { frameHeader, hexPreview } from '../../harness/wire/frame.ts';

/**
 * A ground station as the kit plays it: one TCP connection, with a record of what was written for evidence.
 * Errors from the candidate's side (reset, refused) are recorded, never thrown out of an event handler.
 */
export class Station {
  readonly sent: string[] = [];
  localPort = 0;
  error: NodeJS.ErrnoException | undefined;
  /** Set when the candidate closed or reset the connection. */
  closedByPeer = false;
  closed = false;
  readonly closedPromise: Promise<void>;
  private constructor(
    readonly label: string,
    readonly socket: Socket,
  ) {
    socket.setNoDelay(true);
    socket.on('error', (error: NodeJS.ErrnoException) => {
      this.error ??= error;
    });
    socket.on('end', () => {
      this.closedByPeer = true;
    });
    this.closedPromise = new Promise((resolve) =>
      socket.once('close', () => {
        this.closed = true;
        if (this.error) this.closedByPeer = true;
        resolve();
      }),
    );
  }

  /** Connects; rejects with the connect error (ECONNREFUSED…) so callers can judge it. */
  static open(label: string, host: string, port: number, timeoutMs = 3000): Promise<Station> {
    return new Promise((resolve, reject) => {
      const socket = connect({ host, port });
      const station = new Station(label, socket);
      const timer = setTimeout(() => {
        socket.destroy();
        reject(Object.assign(new Error(`connect to ${host}:${port} timed out after ${timeoutMs} ms`), { code: 'ETIMEDOUT' }));
      }, timeoutMs);
      socket.once('connect', () => {
        clearTimeout(timer);
        station.localPort = socket.localPort ?? 0;
        resolve(station);
      });
      socket.once('error', (error) => {
        clearTimeout(timer);
        reject(error);
      });
    });
  }

  /** Writes and resolves when the bytes are handed to the kernel (or the socket failed: see `error`). */
  write(bytes: Uint8Array, what?: string): Promise<void> {
    this.sent.push(`${this.label}: ${what ?? `${bytes.length} bytes`} [${hexPreview(bytes, 16)}]`);
    if (this.socket.destroyed || !this.socket.writable) return Promise.resolve();
    return new Promise((resolve) => {
      this.socket.write(bytes, () => resolve());
    });
  }

  /** Writes a header announcing `length` bytes and only `prefix` of the payload: a frame left half-read. */
  async writePartial(length: number, prefix: Uint8Array): Promise<void> {
    await this.write(Buffer.concat([frameHeader(length), prefix]), `header(${length}) + first ${prefix.length} payload bytes`);
  }

  end(): void {
    this.socket.end();
  }

  /** Abrupt drop (RST), as a station losing its link mid-pass. */
  reset(): void {
    if (!this.socket.destroyed) this.socket.resetAndDestroy();
  }

  destroy(): void {
    this.socket.destroy();
  }
}
