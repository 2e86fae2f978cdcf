import { NetErrorCode, NetworkError } from './errors.ts';

/** Options of `ClusterNetwork.quiescent`. */
export interface QuiescentOptions {
  /** Give up (reject with `NET_QUIESCENT_TIMEOUT`) after this long. Default 5000 ms. */
  readonly timeoutMs?: number;
  /**
   * Require the network to stay idle for this long before resolving (replies triggered by the last
   * delivery count as new traffic and restart the wait). Default 0: resolve the moment nothing is
   * in flight.
   */
  readonly settleMs?: number;
}

/**
 * Counts work the network still owes delivery for: delayed datagrams, TCP bytes waiting for their due
 * time, bandwidth or a connecting upstream, and pending FIN/RST markers. Work held by an active
 * partition is not counted (it would never drain before `heal`). Waiters are woken by the transition
 * to zero, not by polling.
 */
export class InFlightTracker {
  #count = 0;
  #idleWaiters: Array<() => void> = [];
  #busyWaiters: Array<() => void> = [];

  get count(): number {
    return this.#count;
  }

  add(n: number): void {
    if (n === 0) return;
    const wasIdle = this.#count === 0;
    this.#count += n;
    if (wasIdle && this.#busyWaiters.length > 0) wake(this.#busyWaiters.splice(0));
  }

  sub(n: number): void {
    if (n === 0) return;
    this.#count -= n;
    if (this.#count < 0) this.#count = 0; // defensive: never let a bookkeeping slip wedge waiters
    if (this.#count === 0 && this.#idleWaiters.length > 0) wake(this.#idleWaiters.splice(0));
  }

  /** Resolves when the count is (or becomes) zero and stayed zero for `settleMs`. */
  async quiescent(options: QuiescentOptions = {}, describe: () => Record<string, unknown> = () => ({})): Promise<void> {
    const timeoutMs = options.timeoutMs ?? 5000;
    const settleMs = options.settleMs ?? 0;
    let deadlineTimer: NodeJS.Timeout | undefined;
    let settleTimer: NodeJS.Timeout | undefined;
    let cancel = (): void => {};
    try {
      await new Promise<void>((resolve, reject) => {
        let done = false;
        const onIdle = (): void => {
          if (done) return;
          if (settleMs <= 0) return finish();
          this.#busyWaiters.push(onBusy);
          settleTimer = setTimeout(() => {
            if (this.#count === 0) finish();
          }, settleMs);
        };
        const onBusy = (): void => {
          if (done) return;
          clearTimeout(settleTimer);
          this.#whenIdle(onIdle);
        };
        const finish = (): void => {
          done = true;
          resolve();
        };
        cancel = (): void => {
          done = true;
        };
        deadlineTimer = setTimeout(() => {
          done = true;
          reject(
            new NetworkError(NetErrorCode.QUIESCENT_TIMEOUT, `network not quiescent after ${timeoutMs} ms`, {
              timeoutMs,
              inFlight: this.#count,
              ...describe(),
            }),
          );
        }, timeoutMs);
        this.#whenIdle(onIdle);
      });
    } finally {
      cancel();
      clearTimeout(deadlineTimer);
      clearTimeout(settleTimer);
    }
  }

  #whenIdle(callback: () => void): void {
    if (this.#count === 0) callback();
    else this.#idleWaiters.push(callback);
  }
}

function wake(callbacks: Array<() => void>): void {
  for (const callback of callbacks) callback();
}
