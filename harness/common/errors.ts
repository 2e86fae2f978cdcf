/**
 * Every error the kit raises on purpose carries a stable `code` (the Node/undici/fastify habit):
 * tests and callers branch on the code, never on the message, which is free to improve.
 */
export class KitError extends Error {
  readonly code: string;
  /** Extra structured facts for reports (field names, paths, exit codes…). */
  readonly details: Record<string, unknown>;

  constructor(code: string, message: string, details: Record<string, unknown> = {}, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
    this.code = code;
    this.details = details;
  }
}

/** True for a KitError carrying the given code. */
export function hasCode(error: unknown, code: string): error is KitError {
  return error instanceof KitError && error.code === code;
}
