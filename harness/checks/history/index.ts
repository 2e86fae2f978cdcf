/**
 * History checkers: pure functions over what the kit recorded against a replicated key-value store.
 * - {@link checkSessionGuarantees} / {@link findAnomalies}: Terry et al.'s session guarantees, consistent
 *   prefix and phantom values, against the final leader's log;
 * - {@link checkLinearizable} / {@link checkLinearizableByKey}: per-key register linearizability.
 */
export type { AnsweredRead, History, Log, LogEntry, Operation, ReadMode, ReadOp, WriteOp } from './history.ts';
export { READ_MODES, validateHistory } from './history.ts';
export type { Guarantee, SessionCheckOptions, SessionCheckResult, Violation } from './session-guarantees.ts';
export { SESSION_MODES, checkSessionGuarantees, findAnomalies } from './session-guarantees.ts';
export { GUARANTEES } from './violation.ts';
export type {
  LinearizabilityByKeyOptions,
  LinearizabilityByKeyResult,
  LinearizabilityOptions,
  LinearizabilityResult,
  LinearizabilityVerdict,
} from './linearizability.ts';
export { DEFAULT_MAX_STATES, checkLinearizable, checkLinearizableByKey } from './linearizability.ts';
