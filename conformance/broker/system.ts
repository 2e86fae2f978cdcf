import { join } from 'node:path';
import { ROOT } from '../../harness/common/root.ts';
import type { SystemModule } from '../../harness/grading/system-module.ts';
import { loadBrokerFixtures } from './fixture.ts';
import { brokerChecks } from './index.ts';

/** The ingestion broker: its suite, its saved framing fixtures, and the paced frame load for `stress`. */
export const brokerSystem: SystemModule = {
  name: 'broker',
  checks: [...brokerChecks, ...loadBrokerFixtures(join(ROOT, 'fixtures', 'broker'))],
  stress: 'broker-frames',
};
