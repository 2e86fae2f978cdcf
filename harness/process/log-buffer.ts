import { StringDecoder } from 'node:string_decoder';

/** One line a candidate printed, with where and when. */
export interface LogLine {
  stream: 'stdout' | 'stderr';
  text: string;
  /** ms since the process started (monotonic). */
  atMs: number;
  /** Set when the line was longer than MAX_LINE_CHARS and cut there (the rest of it was dropped). */
  cut?: true;
}

/**
 * Longest line kept; a longer line is cut there, its text ends with CUT_MARK (so the cap is in every piece of
 * evidence that quotes it), and the rest of it up to its newline is dropped, never read as a line of its
 * own: one endless line cannot eat memory, and its tail cannot pose as a fresh event.
 */
export const MAX_LINE_CHARS = 16_384;
export const CUT_MARK = `… [line cut at ${MAX_LINE_CHARS} chars by the kit; rest dropped]`;

/**
 * Splits a byte stream into lines and keeps the last `capacity` of them, while feeding every line to
 * listeners. Reads continuously, so a candidate never blocks on a full pipe.
 */
export class LogBuffer {
  private readonly ring: LogLine[] = [];
  private readonly listeners = new Set<(line: LogLine) => void>();
  // A character split across two reads stays one character.
  private readonly decoders = { stdout: new StringDecoder('utf8'), stderr: new StringDecoder('utf8') };
  private partial: Record<'stdout' | 'stderr', string> = { stdout: '', stderr: '' };
  /** Total bytes and lines seen, including those that fell out of the ring. */
  bytes = 0;
  lines = 0;
  truncatedLines = 0;

  constructor(
    private readonly capacity = 400,
    private readonly clock: () => number = () => performance.now(),
  ) {}

  push(stream: 'stdout' | 'stderr', chunk: Buffer): void {
    this.bytes += chunk.length;
    // Every line of one read arrived at the same moment: one clock reading per read, not per line.
    this.readAt = this.clock();
    const text = this.decoders[stream].write(chunk);
    let start = 0;
    for (;;) {
      const nl = text.indexOf('\n', start);
      if (nl < 0) break;
      if (this.skipping[stream]) this.skipping[stream] = false;
      else {
        const partial = this.partial[stream];
        const line = partial.length === 0 ? text.slice(start, nl) : partial + text.slice(start, nl);
        this.partial[stream] = '';
        if (line.length > MAX_LINE_CHARS) this.emitCut(stream, line);
        else this.emit(stream, line);
      }
      start = nl + 1;
    }
    if (start < text.length && !this.skipping[stream]) this.accumulate(stream, start === 0 ? text : text.slice(start));
  }

  /** Emits any unterminated last line (call when the stream ends). */
  flush(stream: 'stdout' | 'stderr'): void {
    this.readAt = undefined;
    const tail = this.decoders[stream].end();
    if (tail.length > 0 && !this.skipping[stream]) this.accumulate(stream, tail);
    if (this.partial[stream].length > 0) this.emit(stream, this.partial[stream]);
    this.partial[stream] = '';
    this.skipping[stream] = false;
  }

  private readAt: number | undefined;

  /** True while the rest of a cut line is being dropped, up to its newline. */
  private readonly skipping: Record<'stdout' | 'stderr', boolean> = { stdout: false, stderr: false };

  private accumulate(stream: 'stdout' | 'stderr', rest: string): void {
    const partial = this.partial[stream] + rest;
    if (partial.length <= MAX_LINE_CHARS) {
      this.partial[stream] = partial;
      return;
    }
    // Cut now, so the line shows in evidence while the candidate is still writing it.
    this.partial[stream] = '';
    this.skipping[stream] = true;
    this.emitCut(stream, partial);
  }

  private emitCut(stream: 'stdout' | 'stderr', line: string): void {
    this.truncatedLines++;
    this.emit(stream, `${line.slice(0, MAX_LINE_CHARS)}${CUT_MARK}`, true);
  }

  private emit(stream: 'stdout' | 'stderr', raw: string, cut = false): void {
    const text = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    const line: LogLine = cut
      ? { stream, text, atMs: this.readAt ?? this.clock(), cut: true }
      : { stream, text, atMs: this.readAt ?? this.clock() };
    this.lines++;
    this.ring.push(line);
    if (this.ring.length > this.capacity) this.ring.shift();
    for (const listener of this.listeners) listener(line);
  }

  onLine(listener: (line: LogLine) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** The last `n` lines, oldest first. */
  tail(n = 20): LogLine[] {
    return this.ring.slice(-n);
  }
}
