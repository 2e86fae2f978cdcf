import { describeKillMatrix } from '../kill-matrix-suite.ts';

describeKillMatrix('store', {
  timeoutMs: 240_000,
  // Scenarios that must fit a number of rounds in a time budget (UNKNOWN when writes are slowed): their killers are graded alone.
  loadSensitive: [
    'store.any-follower-anomaly',
    'store.best-effort-fresh',
    'store.divergence',
    'store.leader-linearizable',
    'store.monotonic-reads',
    'store.partition-durability',
    'store.session-fallback',
    'store.session-ryw',
  ],
});
