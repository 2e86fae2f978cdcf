import type { CheckDefinition } from '../../harness/checks/check.ts';
import { anyFollowerAnomaly } from './checks/any-follower-anomaly.ts';
import { bestEffortFresh } from './checks/best-effort-fresh.ts';
import { asyncNonblocking } from './checks/async-nonblocking.ts';
import { consistentPrefix } from './checks/consistent-prefix.ts';
import { divergence } from './checks/divergence.ts';
import { errors } from './checks/errors.ts';
import { leaderLinearizable } from './checks/leader-linearizable.ts';
import { monotonicReads } from './checks/monotonic-reads.ts';
import { partitionDurability } from './checks/partition-durability.ts';
import { quorum } from './checks/quorum.ts';
import { sessionFallback } from './checks/session-fallback.ts';
import { sessionRyw } from './checks/session-ryw.ts';
import { syncAck } from './checks/sync-ack.ts';
import { unavailable } from './checks/unavailable.ts';

/** The store suite, in report order. IDs are stable: reports, fixtures and CI configs refer to them. */
export const storeChecks: CheckDefinition[] = [
  syncAck,
  asyncNonblocking,
  leaderLinearizable,
  anyFollowerAnomaly,
  sessionRyw,
  sessionFallback,
  bestEffortFresh,
  monotonicReads,
  consistentPrefix,
  partitionDurability,
  divergence,
  errors,
  unavailable,
  quorum,
];
