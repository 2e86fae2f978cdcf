import { join } from 'node:path';
import { ROOT } from '../../harness/common/root.ts';
import type { SystemModule } from '../../harness/grading/system-module.ts';
import { loadGossipFixtures } from './fixture.ts';
import { gossipChecks } from './index.ts';

/** SWIM gossip membership: its suite and its saved scenario fixtures (no stress driver). */
export const gossipSystem: SystemModule = {
  name: 'gossip',
  checks: [...gossipChecks, ...loadGossipFixtures(join(ROOT, 'fixtures', 'gossip'))],
};
