/** One line a candidate printed, with where and when. */
export interface LogLine {
  stream: 'stdout' | 'stderr';
  text: string;
  /** ms since the process started (monotonic). */
  atMs: number;
}

/** Longest line kept; longer lines are cut so a flood of one endless line cannot eat memory. */
export const MAX_LINE_CHARS = 16_384;

/**
 * Splits a byte stream into lines and keeps the last `capacity` of them, while feeding every line to
 * listeners. Reads continuously, so a candidate never blocks on a full pipe.
 */
export class LogBuffer {
  private readonly ring: LogLine[] = [];
  private readonly listeners = new Set<(line: LogLine) => void>();
  private partial: Record<'stdout' | 'stderr', string> = { stdout: '', stderr: '' };
  /** Total bytes and lines seen, including those that fell out of the ring. */
  bytes = 0;
  lines = 0;
  truncatedLines = 0;

  constructor(private readonly capacity = 400, private readonly clock: () => number = () => performance.now()) {}

  push(stream: 'stdout' | 'stderr', chunk: Buffer): void {
    this.bytes += chunk.length;
    // Every line of a chunk arrived when the chunk did: one timestamp for all of them. (Taken per line,
    // the listeners' work on earlier lines — parsing, latency matching — was added to later lines' times:
    // up to milliseconds for a 64 KiB chunk, a tail that belonged to the kit, not the candidate.)
    const atMs = this.clock();
    let text = this.partial[stream] + chunk.toString('utf8');
    let start = 0;
    for (;;) {
      const nl = text.indexOf('\n', start);
      if (nl < 0) break;
      this.emit(stream, text.slice(start, nl), atMs);
      start = nl + 1;
    }
    text = text.slice(start);
    if (text.length > MAX_LINE_CHARS) {
      this.emit(stream, text, atMs);
      text = '';
    }
    this.partial[stream] = text;
  }

  /** Emits any unterminated last line (call when the stream ends). */
  flush(stream: 'stdout' | 'stderr'): void {
    if (this.partial[stream].length > 0) this.emit(stream, this.partial[stream]);
    this.partial[stream] = '';
  }

  private emit(stream: 'stdout' | 'stderr', raw: string, atMs = this.clock()): void {
    let text = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    if (text.length > MAX_LINE_CHARS) {
      text = `${text.slice(0, MAX_LINE_CHARS)}… [line cut at ${MAX_LINE_CHARS} chars]`;
      this.truncatedLines++;
    }
    const line: LogLine = { stream, text, atMs };
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
