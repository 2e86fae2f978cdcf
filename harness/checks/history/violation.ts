import type { Operation } from './history.ts';

/** The properties the session checker can verify (see session-guarantees.ts for the exact definitions). */
export type Guarantee =
  | 'read-your-writes'
  | 'monotonic-reads'
  | 'monotonic-writes'
  | 'writes-follow-reads'
  | 'consistent-prefix'
  | 'phantom';

/** Every guarantee, in the order violations of the same operation are listed. */
export const GUARANTEES: readonly Guarantee[] = [
  'phantom',
  'read-your-writes',
  'monotonic-reads',
  'monotonic-writes',
  'writes-follow-reads',
  'consistent-prefix',
];

/**
 * One broken guarantee, as the minimal violating pair: `earlier` set the requirement, `later` broke
 * it. Among the candidates for `earlier`, the latest one (in the session's order) is chosen, so the
 * pair is the closest in time. Each later operation is reported at most once per guarantee.
 */
export interface Violation {
  guarantee: Guarantee;
  /** Session label (`client:<id>` for client-grouped operations); undefined for a read outside any session. */
  session: string | undefined;
  /** Key of the later operation. */
  key: string;
  /**
   * The operation that set the requirement. Undefined when it is not a recorded operation: a phantom
   * value that no write produced, or a log entry the history does not contain.
   */
  earlier: Operation | undefined;
  /** The read or write that broke the requirement. */
  later: Operation;
  /** One sentence a student understands, naming both operations, values, LSNs and the guarantee. */
  explanation: string;
}
