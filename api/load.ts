/**
 * Load generation and latency measurement: paced load over sockets, payload factories, the latency recorder
 * (HDR histogram) and /proc sampling. See harness/load/README.md.
 *
 * @module
 */
export * from '../harness/load/index.ts';
