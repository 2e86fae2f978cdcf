import type { Random } from '../common/random.ts';
import type { LinkCounters } from './counters.ts';
import { isPlain, NO_FAULTS, type LinkFaults } from './faults.ts';
import type { InFlightTracker } from './in-flight.ts';

/**
 * State of one directed link `from->to`: its faults, whether it is cut, its counters and its random
 * streams. Counter fields are plain mutable numbers because the forwarding hot path bumps them.
 */
export class Link {
  readonly key: string;
  faults: LinkFaults = NO_FAULTS;
  /** Cut by a partition, one-way cut or isolation. */
  cut = false;
  /** No fault at all and not cut: forward synchronously. */
  plain = true;
  /** Bandwidth cap: monotonic time at which the link's "wire" is free again. */
  wireFreeAt = 0;

  sentMsgs = 0;
  sentBytes = 0;
  deliveredMsgs = 0;
  deliveredBytes = 0;
  droppedMsgs = 0;
  droppedBytes = 0;
  duplicatedMsgs = 0;
  duplicatedBytes = 0;
  heldMsgs = 0;
  heldBytes = 0;
  inFlightMsgs = 0;
  inFlightBytes = 0;
  connOpened = 0;
  connFailed = 0;
  connReset = 0;
  connActive = 0;

  readonly #root: Random;
  readonly #tracker: InFlightTracker;
  #loss: Random | undefined;
  #dup: Random | undefined;
  #jitter: Random | undefined;
  #reorder: Random | undefined;

  constructor(
    readonly from: string,
    readonly to: string,
    root: Random,
    tracker: InFlightTracker,
  ) {
    this.key = `${from}->${to}`;
    this.#root = root;
    this.#tracker = tracker;
  }

  setFaults(faults: LinkFaults): void {
    if (faults.bandwidth !== this.faults.bandwidth) this.wireFreeAt = 0;
    this.faults = faults;
    this.refresh();
  }

  setCut(cut: boolean): void {
    this.cut = cut;
    this.refresh();
  }

  refresh(): void {
    this.plain = !this.cut && isPlain(this.faults);
  }

  /** Loss decision (consumes the link's own `loss` stream only when loss > 0). */
  lose(): boolean {
    const p = this.faults.loss;
    return p > 0 && (this.#loss ??= this.#root.fork(`${this.key}:loss`)).next() < p;
  }

  duplicated(): boolean {
    const p = this.faults.duplicate;
    return p > 0 && (this.#dup ??= this.#root.fork(`${this.key}:duplicate`)).next() < p;
  }

  /** Delay for one message: `delayMs + U[0, jitterMs]` plus the reorder extra when drawn. */
  sampleDelay(): number {
    const f = this.faults;
    let ms = f.delayMs;
    if (f.jitterMs > 0) ms += (this.#jitter ??= this.#root.fork(`${this.key}:jitter`)).next() * f.jitterMs;
    if (f.reorder > 0 && (this.#reorder ??= this.#root.fork(`${this.key}:reorder`)).next() < f.reorder) {
      ms += f.reorderExtraMs;
    }
    return ms;
  }

  enterFlight(msgs: number, bytes: number): void {
    this.inFlightMsgs += msgs;
    this.inFlightBytes += bytes;
    this.#tracker.add(msgs);
  }

  exitFlight(msgs: number, bytes: number): void {
    this.inFlightMsgs -= msgs;
    this.inFlightBytes -= bytes;
    this.#tracker.sub(msgs);
  }

  /** Counts pending work for `quiescent()` without touching the link's counters (TCP end markers…). */
  track(n: number): void {
    this.#tracker.add(n);
  }

  untrack(n: number): void {
    this.#tracker.sub(n);
  }

  enterHeld(msgs: number, bytes: number): void {
    this.heldMsgs += msgs;
    this.heldBytes += bytes;
  }

  exitHeld(msgs: number, bytes: number): void {
    this.heldMsgs -= msgs;
    this.heldBytes -= bytes;
  }

  snapshot(): LinkCounters {
    return {
      link: this.key,
      from: this.from,
      to: this.to,
      sent: { messages: this.sentMsgs, bytes: this.sentBytes },
      delivered: { messages: this.deliveredMsgs, bytes: this.deliveredBytes },
      dropped: { messages: this.droppedMsgs, bytes: this.droppedBytes },
      duplicated: { messages: this.duplicatedMsgs, bytes: this.duplicatedBytes },
      held: { messages: this.heldMsgs, bytes: this.heldBytes },
      inFlight: { messages: this.inFlightMsgs, bytes: this.inFlightBytes },
      connections: {
        opened: this.connOpened,
        failed: this.connFailed,
        reset: this.connReset,
        active: this.connActive,
      },
    };
  }
}
