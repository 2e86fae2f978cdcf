/**
 * The store's own error type. Every error it raises on purpose has a stable `code` (callers and the
 * conformance suite branch on it, never on the message) and the HTTP status it maps to.
 */
export class StoreError extends Error {
  readonly code: string;
  readonly status: number;
  /** Extra facts copied into the JSON error body (for example the LSN of a write that timed out). */
  readonly details: Record<string, unknown>;

  constructor(code: string, status: number, message: string, details: Record<string, unknown> = {}, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'StoreError';
    this.code = code;
    this.status = status;
    this.details = details;
  }
}

export function isStoreError(error: unknown): error is StoreError {
  return error instanceof StoreError;
}

/** 400 with a code: the request itself was wrong, nothing was applied. */
export function badRequest(code: string, message: string, details: Record<string, unknown> = {}): StoreError {
  return new StoreError(code, 400, message, details);
}

/** 503 with a code: the store could not serve the request now (for a write: outcome unknown). */
export function unavailable(code: string, message: string, details: Record<string, unknown> = {}): StoreError {
  return new StoreError(code, 503, message, details);
}
