/** One recorded fault (or any other event worth placing on a run's time axis). */
export interface TimelineEntry {
  /** Milliseconds since the timeline was created (monotonic clock, fractional). */
  readonly atMs: number;
  /** Wall-clock time of the entry, ISO-8601. */
  readonly wallTime: string;
  /** What happened, e.g. `net.partition`, `process.crash`. Free-form; namespaced by the recorder. */
  readonly kind: string;
  /** Structured facts (node ids, parameters). Copied shallowly on record. */
  readonly details: Readonly<Record<string, unknown>>;
}

/** Options of {@link FaultTimeline}. */
export interface FaultTimelineOptions {
  /** Monotonic clock in ms. Default: `performance.now`. */
  readonly monotonic?: () => number;
  /** Wall clock in ms since the epoch. Default: `Date.now`. */
  readonly wall?: () => number;
}

/**
 * An append-only log of injected faults, timed relative to its creation, so a report can say
 * "partition at +1.2 s, heal at +4.0 s" next to what the candidate did. Generic: the network records
 * its controls here and the process supervisor can record crash/pause/restart into the same instance.
 */
export class FaultTimeline {
  readonly #monotonic: () => number;
  readonly #wall: () => number;
  readonly #origin: number;
  readonly #entries: TimelineEntry[] = [];

  constructor(options: FaultTimelineOptions = {}) {
    this.#monotonic = options.monotonic ?? (() => performance.now());
    this.#wall = options.wall ?? (() => Date.now());
    this.#origin = this.#monotonic();
  }

  /** Appends an entry stamped now. */
  record(kind: string, details: Record<string, unknown> = {}): void {
    this.#entries.push({
      atMs: this.#monotonic() - this.#origin,
      wallTime: new Date(this.#wall()).toISOString(),
      kind,
      details: { ...details },
    });
  }

  /** A copy of all entries, oldest first. */
  entries(): TimelineEntry[] {
    return this.#entries.slice();
  }

  /** Number of entries recorded. */
  get size(): number {
    return this.#entries.length;
  }
}
