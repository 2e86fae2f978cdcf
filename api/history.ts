/**
 * History checkers over what a client recorded against a replicated key-value store: session guarantees
 * and per-key linearizability. Pure functions. See harness/checks/history/README.md.
 *
 * @module
 */
export * from '../harness/checks/history/index.ts';
