/**
 * Real-socket peers for the network's tests: stand-ins for candidate nodes. Every helper registers
 * its sockets with a {@link Closer} so `afterEach` can close them even when a test fails.
 */
import dgram from 'node:dgram';
import net from 'node:net';

/** Collects things to close; `closeAll` never throws. */
export class Closer {
  #items: Array<() => Promise<void> | void> = [];

  add(close: () => Promise<void> | void): void {
    this.#items.push(close);
  }

  async closeAll(): Promise<void> {
    const items = this.#items.splice(0).reverse();
    for (const close of items) {
      try {
        await close();
      } catch {
        // best effort
      }
    }
  }
}

export interface Datagram {
  readonly data: Buffer;
  readonly from: string;
}

/** A UDP node stand-in bound to 127.0.0.1:0 that records what it receives. */
export class UdpPeer {
  readonly received: Datagram[] = [];
  readonly errors: Error[] = [];
  onMessage: ((msg: Buffer, from: string) => void) | null = null;

  private constructor(readonly socket: dgram.Socket) {
    socket.on('error', (e) => this.errors.push(e));
    socket.on('message', (data, rinfo) => {
      const from = `${rinfo.address}:${rinfo.port}`;
      this.received.push({ data, from });
      this.onMessage?.(data, from);
    });
  }

  static async open(closer: Closer): Promise<UdpPeer> {
    const socket = dgram.createSocket('udp4');
    const peer = new UdpPeer(socket);
    closer.add(
      () =>
        new Promise<void>((resolve) => {
          try {
            socket.close(() => resolve());
          } catch {
            resolve();
          }
        }),
    );
    await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
    return peer;
  }

  get address(): string {
    const a = this.socket.address();
    return `${a.address}:${a.port}`;
  }

  send(to: string, data: Buffer | string): void {
    const [host, port] = splitAddress(to);
    this.socket.send(typeof data === 'string' ? Buffer.from(data) : data, port, host);
  }

  texts(): string[] {
    return this.received.map((d) => d.data.toString());
  }
}

/** One connection accepted by a {@link TcpServer}. */
export interface ServerConnection {
  readonly socket: net.Socket;
  data: Buffer;
  ended: boolean;
  closed: boolean;
  error: NodeJS.ErrnoException | null;
}

/** A TCP node stand-in: records every accepted connection and its bytes; optionally echoes. */
export class TcpServer {
  readonly connections: ServerConnection[] = [];

  private constructor(
    readonly server: net.Server,
    readonly echo: boolean,
  ) {
    server.on('error', () => {});
    server.on('connection', (socket) => {
      const conn: ServerConnection = { socket, data: Buffer.alloc(0), ended: false, closed: false, error: null };
      this.connections.push(conn);
      socket.on('error', (e: NodeJS.ErrnoException) => (conn.error = e));
      socket.on('data', (chunk: Buffer) => {
        conn.data = Buffer.concat([conn.data, chunk]);
        if (this.echo) socket.write(chunk);
      });
      socket.on('end', () => {
        conn.ended = true;
        if (this.echo) socket.end();
      });
      socket.on('close', () => (conn.closed = true));
    });
  }

  /** Listens on 127.0.0.1 (`port` 0 = any). */
  static async open(closer: Closer, options: { echo?: boolean; port?: number } = {}): Promise<TcpServer> {
    const server = net.createServer({ allowHalfOpen: true });
    const s = new TcpServer(server, options.echo ?? false);
    closer.add(() => s.close());
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
    });
    return s;
  }

  get address(): string {
    const a = this.server.address() as net.AddressInfo;
    return `${a.address}:${a.port}`;
  }

  close(): Promise<void> {
    for (const c of this.connections) c.socket.destroy();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}

/** A TCP client stand-in that records what it receives and how it ended. */
export class TcpClient {
  data = Buffer.alloc(0);
  connected = false;
  ended = false;
  closed = false;
  error: NodeJS.ErrnoException | null = null;

  private constructor(readonly socket: net.Socket) {
    socket.on('connect', () => (this.connected = true));
    socket.on('data', (chunk: Buffer) => (this.data = Buffer.concat([this.data, chunk])));
    socket.on('end', () => (this.ended = true));
    socket.on('error', (e: NodeJS.ErrnoException) => (this.error = e));
    socket.on('close', () => (this.closed = true));
  }

  static connect(closer: Closer, to: string): TcpClient {
    const [host, port] = splitAddress(to);
    const client = new TcpClient(net.connect({ host, port, noDelay: true }));
    closer.add(() => {
      client.socket.destroy();
    });
    return client;
  }

  write(data: Uint8Array | string): void {
    this.socket.write(data);
  }
}

export function splitAddress(address: string): [string, number] {
  const i = address.lastIndexOf(':');
  return [address.slice(0, i), Number(address.slice(i + 1))];
}

/** A free 127.0.0.1 TCP port (bound then released), for "node added before it listens" tests. */
export async function freeTcpPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}
