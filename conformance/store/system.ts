import type { SystemModule } from '../../harness/grading/system-module.ts';
import { storeChecks } from './index.ts';

/** The replicated store: its suite (no saved fixtures) and the read/write load table for `stress`. */
export const storeSystem: SystemModule = {
  name: 'store',
  checks: storeChecks,
  stress: 'store-table',
};
