import { createServer, connect, type Server, type Socket } from 'node:net';

/**
 * A tiny TCP relay for tests: listen → target. `hold()` black-holes it the way the kit does (connections
 * stay open, bytes in both directions are kept back, new connections are accepted but their bytes wait
 * too); `release()` delivers everything held, in order. `delayReplies(ms)` delays the bytes coming back
 * from the target (the kit's lag on that direction), keeping their order. Closing either side closes the
 * other.
 */
export class HoldRelay {
  readonly #server: Server;
  readonly #pairs = new Set<{ a: Socket; b: Socket; queue: Array<() => void> }>();
  #held = false;
  #replyDelayMs = 0;
  port = 0;

  private constructor(target: { host: string; port: number }) {
    this.#server = createServer((client) => {
      const upstream = connect(target);
      const pair = { a: client, b: upstream, queue: [] as Array<() => void> };
      this.#pairs.add(pair);
      let replyDueAt = 0;
      const forward = (from: Socket, to: Socket, delayed: boolean): void => {
        from.on('data', (chunk: Buffer) => {
          const send = (): void => {
            if (!to.destroyed) to.write(chunk);
          };
          const deliver = (): void => {
            if (this.#held) pair.queue.push(send);
            else send();
          };
          if (!delayed || this.#replyDelayMs === 0) return deliver();
          replyDueAt = Math.max(replyDueAt, Date.now() + this.#replyDelayMs);
          setTimeout(deliver, replyDueAt - Date.now());
        });
      };
      forward(client, upstream, false);
      forward(upstream, client, true);
      const end = (): void => {
        this.#pairs.delete(pair);
        client.destroy();
        upstream.destroy();
      };
      for (const s of [client, upstream]) {
        s.on('error', end);
        s.on('close', end);
      }
    });
  }

  static async start(target: { host: string; port: number }): Promise<HoldRelay> {
    const relay = new HoldRelay(target);
    await new Promise<void>((resolve) => relay.#server.listen(0, '127.0.0.1', resolve));
    const address = relay.#server.address();
    relay.port = typeof address === 'object' && address ? address.port : 0;
    return relay;
  }

  get address(): string {
    return `127.0.0.1:${this.port}`;
  }

  delayReplies(ms: number): void {
    this.#replyDelayMs = ms;
  }

  hold(): void {
    this.#held = true;
  }

  release(): void {
    this.#held = false;
    for (const pair of this.#pairs) for (const send of pair.queue.splice(0)) send();
  }

  async close(): Promise<void> {
    for (const pair of this.#pairs) {
      pair.a.destroy();
      pair.b.destroy();
    }
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }
}
