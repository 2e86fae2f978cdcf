import type { SystemName } from '../candidate/manifest.ts';
import type { CheckDefinition } from '../checks/check.ts';
import { join } from 'node:path';
import { brokerChecks } from '../../conformance/broker/index.ts';
import { loadBrokerFixtures } from '../../conformance/broker/fixture.ts';
import { storeChecks } from '../../conformance/store/index.ts';
import { gossipChecks } from '../../conformance/gossip/index.ts';
import { loadGossipFixtures } from '../../conformance/gossip/fixture.ts';
import { ROOT } from '../../conformance/kill-matrix.ts';

/** The conformance suite for each system. A system whose suite is not written yet has none. */
export const SUITES: Record<SystemName, CheckDefinition[]> = {
  // Every fixture under fixtures/<system>/ is replayed as a regression check in every grade.
  broker: [...brokerChecks, ...loadBrokerFixtures(join(ROOT, 'fixtures', 'broker'))],
  store: storeChecks,
  gossip: [...gossipChecks, ...loadGossipFixtures(join(ROOT, 'fixtures', 'gossip'))],
};
