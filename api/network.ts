/**
 * The kit's fault-injecting network: put it between your own processes (TCP or UDP) and delay, drop,
 * duplicate, reorder, throttle, cut or partition any directed link; read per-link counters and the timeline
 * of every control. See harness/network/README.md and docs/library.md.
 *
 * @module
 */
export * from '../harness/network/index.ts';
