import { join } from 'node:path';
import { ROOT } from '../harness/common/root.ts';
import type { SuiteRegistry } from '../harness/grading/suites.ts';
import { brokerChecks } from './broker/index.ts';
import { loadBrokerFixtures } from './broker/fixture.ts';
import { gossipChecks } from './gossip/index.ts';
import { loadGossipFixtures } from './gossip/fixture.ts';
import { storeChecks } from './store/index.ts';

/** The conformance suite of each system. Every fixture under fixtures/<system>/ is replayed as a regression check. */
export const SUITES: SuiteRegistry = {
  broker: [...brokerChecks, ...loadBrokerFixtures(join(ROOT, 'fixtures', 'broker'))],
  store: storeChecks,
  gossip: [...gossipChecks, ...loadGossipFixtures(join(ROOT, 'fixtures', 'gossip'))],
};
