import { KitError } from '../common/errors.ts';

/**
 * Stable codes raised by the fault-injecting network. Tests and callers branch on these, never on
 * messages.
 */
export const NetErrorCode = {
  /** A control or lookup named a node id that was never added. */
  UNKNOWN_NODE: 'NET_UNKNOWN_NODE',
  /** `addNode` with an id that already exists. */
  DUPLICATE_NODE: 'NET_DUPLICATE_NODE',
  /** Two nodes registered with the same real address (UDP could not tell them apart). */
  DUPLICATE_ADDRESS: 'NET_DUPLICATE_ADDRESS',
  /** A node id that cannot be written into an address book (empty, or contains `=`, `,`, `>`, blanks). */
  BAD_NODE_ID: 'NET_BAD_NODE_ID',
  /** A real address that is not `IPv4:port`. */
  BAD_ADDRESS: 'NET_BAD_ADDRESS',
  /** A fault parameter out of range (negative delay, probability outside [0, 1], …). */
  BAD_ARGUMENT: 'NET_BAD_ARGUMENT',
  /** A fault the chosen transport cannot express (e.g. `loss` on TCP, `bandwidth` on UDP). */
  UNSUPPORTED_FAULT: 'NET_UNSUPPORTED_FAULT',
  /** The network was closed. */
  CLOSED: 'NET_CLOSED',
  /** `quiescent()` reached its deadline with traffic still in flight. */
  QUIESCENT_TIMEOUT: 'NET_QUIESCENT_TIMEOUT',
  /** A kit endpoint could not be opened (bind failure). */
  BIND_FAILED: 'NET_BIND_FAILED',
} as const;

export type NetErrorCodeValue = (typeof NetErrorCode)[keyof typeof NetErrorCode];

/** Every error the network raises on purpose. */
export class NetworkError extends KitError {
  declare readonly code: NetErrorCodeValue;

  constructor(code: NetErrorCodeValue, message: string, details: Record<string, unknown> = {}, options?: { cause?: unknown }) {
    super(code, message, details, options);
  }
}
