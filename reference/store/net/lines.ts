import type { Socket } from 'node:net';

/** Longest accepted line (a value is at most 64 KiB of text; JSON escaping can grow it). */
export const MAX_LINE_CHARS = 1 << 20;

export interface LineHandlers {
  /** One parsed JSON value per line. */
  message(value: unknown): void;
  /** After every message of one received chunk was handled (batch acks here). */
  chunkEnd?(): void;
  /** Bad JSON or an overlong line: the caller should log and destroy the socket. */
  protocolError(reason: string): void;
}

/** Newline-delimited JSON reader. Stops delivering once the socket is destroyed. */
export function readLines(socket: Socket, handlers: LineHandlers, maxLine = MAX_LINE_CHARS): void {
  socket.setEncoding('utf8');
  let pending = '';
  socket.on('data', (chunk: string) => {
    const text = pending + chunk;
    let start = 0;
    for (let nl = text.indexOf('\n'); nl >= 0; nl = text.indexOf('\n', start)) {
      const line = text.slice(start, nl);
      start = nl + 1;
      if (line.trim() === '') continue;
      let value: unknown;
      try {
        value = JSON.parse(line);
      } catch {
        handlers.protocolError(`malformed JSON line: ${line.slice(0, 80)}`);
        return;
      }
      handlers.message(value);
      if (socket.destroyed) return;
    }
    pending = text.slice(start);
    if (pending.length > maxLine) {
      handlers.protocolError(`line longer than ${maxLine} characters`);
      return;
    }
    handlers.chunkEnd?.();
  });
}

/** Writes one message as a line; returns socket.write's backpressure answer. */
export function writeLine(socket: Socket, message: unknown): boolean {
  if (socket.destroyed || !socket.writable) return false;
  return socket.write(`${JSON.stringify(message)}\n`);
}
