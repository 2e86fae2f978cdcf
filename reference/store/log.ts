/** One JSON object per line on stdout: `{"ts","event","node",...fields}`. */
export interface Logger {
  event(name: string, fields?: Record<string, unknown>): void;
}

export function createLogger(node: string, write: (line: string) => void = (line) => process.stdout.write(line)): Logger {
  return {
    event(name, fields = {}) {
      write(`${JSON.stringify({ ts: new Date().toISOString(), event: name, node, ...fields })}\n`);
    },
  };
}

/** A logger that keeps lines in memory (tests). */
export function memoryLogger(): Logger & { readonly events: Array<Record<string, unknown>> } {
  const events: Array<Record<string, unknown>> = [];
  return {
    events,
    event(name, fields = {}) {
      events.push({ event: name, ...fields });
    },
  };
}
