/**
 * Batched JSON-lines event log (the kit's `log.format: "json"` schema).
 *
 * A write per line would put a syscall on the hot path for every frame event, so lines are appended
 * to a string batch and handed to the sink with one write per event-loop turn (setImmediate), or at
 * once when the batch passes {@link FLUSH_BYTES}.
 *
 * Slow readers. For a pipe, Node 20's `process.stdout.write` is asynchronous: what the pipe cannot
 * take is queued in user space. Left alone, a reader slower than the broker makes that queue (and
 * the broker's memory) grow without bound; measured: > 1 GiB RSS at ~190k frames/s. Blocking writes
 * instead (`fs.writeSync(1)`) would bound memory but freeze the event loop, and with it signal
 * handling and the drain deadline, for as long as the reader stalls. So the log reports congestion
 * (queue above {@link CONGESTION_BYTES}) and the broker pauses socket reads until the queue drains:
 * the slow reader becomes TCP backpressure on the stations, memory stays bounded, timers keep running.
 *
 * Exit. {@link EventLog.close} resolves once everything queued has been handed to the OS; call it
 * (bounded by a timer) before `process.exit`, which would otherwise drop the queue.
 */

/** Batch size that triggers an immediate write. */
export const FLUSH_BYTES = 64 * 1024;
/** Bytes queued in the sink above which the log reports congestion. */
export const CONGESTION_BYTES = 1024 * 1024;

export type LogValue = string | number | boolean | null | undefined;

/** Where log text goes. */
export interface LogSink {
  /**
   * Queues `text` (possibly empty); `done` runs once it and everything written before it has been
   * handed to the OS, or the sink has failed.
   */
  write(text: string, done?: () => void): void;
  /** Bytes accepted but not yet handed to the OS. */
  backlog(): number;
  /** Runs `fn` once when the backlog next reaches zero (only asked while it exceeds the stream's high-water mark). */
  onceDrained(fn: () => void): void;
}

/** A synchronous sink around a plain function (tests, files). */
export function syncSink(write: (text: string) => void): LogSink {
  return {
    write(text, done) {
      write(text);
      done?.();
    },
    backlog: () => 0,
    onceDrained: (fn) => fn(),
  };
}

/** `process.stdout` (or another writable stream) as a sink; write errors such as EPIPE end logging. */
export function streamSink(stream: NodeJS.WritableStream & { writableLength: number }): LogSink {
  let failed = false;
  stream.on('error', () => {
    failed = true;
  });
  return {
    write(text, done) {
      if (failed) {
        done?.();
        return;
      }
      if (done === undefined) stream.write(text);
      else stream.write(text, () => done());
    },
    backlog: () => (failed ? 0 : stream.writableLength),
    onceDrained(fn) {
      if (failed || stream.writableLength === 0) fn();
      else stream.once('drain', fn);
    },
  };
}

export class EventLog {
  private batch = '';
  private scheduled = false;
  private lastMs = -1;
  private lastIso = '';
  private readonly sink: LogSink;
  /** True while the sink's queue is above {@link CONGESTION_BYTES}. */
  congested = false;
  /** Told when congestion starts (true) and ends (false). */
  onCongestion: ((congested: boolean) => void) | null = null;
  private readonly flushBound = (): void => {
    this.scheduled = false;
    this.flush();
  };
  private readonly relieveBound = (): void => {
    this.congested = false;
    this.onCongestion?.(false);
  };

  constructor(sink: LogSink | ((text: string) => void)) {
    this.sink = typeof sink === 'function' ? syncSink(sink) : sink;
  }

  /** ISO-8601 timestamp, recomputed at most once per millisecond. */
  now(): string {
    const ms = Date.now();
    if (ms !== this.lastMs) {
      this.lastMs = ms;
      this.lastIso = new Date(ms).toISOString();
    }
    return this.lastIso;
  }

  /** Logs `{"event": name, ...fields, "ts": ...}`. Undefined fields are omitted. */
  event(name: string, fields: Record<string, LogValue> = {}): void {
    let line = `{"event":${JSON.stringify(name)}`;
    for (const key of Object.keys(fields)) {
      const value = fields[key];
      if (value === undefined) continue;
      line += `,${JSON.stringify(key)}:${JSON.stringify(value)}`;
    }
    this.raw(`${line},"ts":"${this.now()}"}\n`);
  }

  /**
   * Appends one pre-serialised line (must end with a newline). Used by the per-frame hot path,
   * which builds its JSON by concatenation rather than through `JSON.stringify`.
   */
  raw(line: string): void {
    this.batch += line;
    if (this.batch.length >= FLUSH_BYTES) {
      this.flush();
    } else if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(this.flushBound);
    }
  }

  /** Hands everything pending to the sink now. */
  flush(done?: () => void): void {
    if (this.batch === '' && done === undefined) return;
    // With `done`, even an empty write is made: its callback runs after every earlier write.
    const text = this.batch;
    this.batch = '';
    try {
      this.sink.write(text, done);
    } catch {
      // A sink that throws (EPIPE on a synchronous sink) has nobody left to read it.
      done?.();
      return;
    }
    if (!this.congested && this.sink.backlog() > CONGESTION_BYTES) {
      this.congested = true;
      this.onCongestion?.(true);
      this.sink.onceDrained(this.relieveBound);
    }
  }

  /** Flushes and resolves once everything has been handed to the OS. */
  close(): Promise<void> {
    return new Promise((resolve) => this.flush(resolve));
  }
}
