import type { CheckDefinition } from '../../harness/checks/check.ts';
import { convergence } from './checks/convergence.ts';
import { bookOnly, counters } from './checks/counters.ts';
import { edgeCases } from './checks/edge-cases.ts';
import { indirectProbe } from './checks/indirect-probe.ts';
import { lossy } from './checks/lossy.ts';
import { partitionRecovery } from './checks/partition-recovery.ts';
import { reconciliation } from './checks/reconciliation.ts';
import { scale1000, scale250 } from './checks/scale.ts';
import { suspicion } from './checks/suspicion.ts';

/** The gossip suite, in report order. IDs are stable: reports, fixtures and CI configs refer to them. */
export const gossipChecks: CheckDefinition[] = [
  convergence,
  reconciliation,
  indirectProbe,
  suspicion,
  partitionRecovery,
  edgeCases,
  counters,
  bookOnly,
  lossy,
  scale250,
  scale1000,
];
