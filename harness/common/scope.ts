/**
 * Everything a check opens (processes, sockets, timers) is registered here and released when the check
 * ends, whether it passed, failed, threw or timed out. Releases run in reverse order and never throw.
 */
export class Scope {
  private readonly cleanups: Array<() => unknown> = [];
  private closed = false;
  readonly controller = new AbortController();

  get signal(): AbortSignal {
    return this.controller.signal;
  }

  defer(cleanup: () => unknown): void {
    if (this.closed) {
      void Promise.resolve()
        .then(cleanup)
        .catch(() => {});
      return;
    }
    this.cleanups.push(cleanup);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.controller.abort();
    for (const cleanup of this.cleanups.reverse()) {
      try {
        await cleanup();
      } catch {
        /* a failing cleanup must not hide the others */
      }
    }
  }
}
