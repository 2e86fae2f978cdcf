import type { SystemName } from '../candidate/manifest.ts';
import type { CheckDefinition } from '../checks/check.ts';
import { brokerChecks } from '../../conformance/broker/index.ts';

/** The conformance suite for each system. A system whose suite is not written yet has none. */
export const SUITES: Record<SystemName, CheckDefinition[]> = {
  broker: brokerChecks,
  store: [],
  gossip: [],
};
