/**
 * A system the kit grades, as one object: its conformance checks (fixture replays included) and the load
 * driver `meridian-kit stress` runs against it. Each system's folder exports one
 * (`conformance/<system>/system.ts`) and `conformance/systems.ts` lists them: adding a system is a new
 * folder and one line there, plus the system's manifest vocabulary (its knobs and placeholders, checked
 * when any manifest loads) as one row of `harness/candidate/vocabulary.ts`. See docs/architecture.md.
 *
 * @module
 */
import type { SystemName } from '../candidate/vocabulary.ts';
import type { CheckDefinition } from '../checks/check.ts';
import { KitError } from '../common/errors.ts';
import type { SuiteRegistry } from './suites.ts';

/** The harness's load drivers: the paced frame load of a broker, the store's read/write load table. */
export type StressDriver = 'broker-frames' | 'store-table';

export interface SystemModule {
  /** The manifest's `system` value. */
  readonly name: SystemName;
  /** The suite in report order, then every fixture under `fixtures/<name>/` replayed as a regression check. */
  readonly checks: readonly CheckDefinition[];
  /** The driver `stress` runs for this system; absent: `stress` refuses the system. */
  readonly stress?: StressDriver;
}

/** The suites of `modules` by system; throws KitError SYSTEM_REGISTRY when a system is missing or listed twice. */
export function suitesOf(modules: readonly SystemModule[], systems: readonly SystemName[]): SuiteRegistry {
  const bySystem = new Map<SystemName, readonly CheckDefinition[]>();
  for (const module of modules) {
    if (bySystem.has(module.name)) throw new KitError('SYSTEM_REGISTRY', `system ${module.name} is registered twice`);
    bySystem.set(module.name, module.checks);
  }
  const missing = systems.filter((s) => !bySystem.has(s));
  if (missing.length > 0) throw new KitError('SYSTEM_REGISTRY', `no suite registered for ${missing.join(', ')}`);
  return Object.fromEntries(bySystem) as SuiteRegistry;
}
