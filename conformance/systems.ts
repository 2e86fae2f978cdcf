import { SYSTEMS } from '../harness/candidate/vocabulary.ts';
import type { SuiteRegistry } from '../harness/grading/suites.ts';
import { suitesOf, type SystemModule } from '../harness/grading/system-module.ts';
import { brokerSystem } from './broker/system.ts';
import { gossipSystem } from './gossip/system.ts';
import { storeSystem } from './store/system.ts';

/** Every system the kit grades, one line each (see harness/grading/system-module.ts). */
export const SYSTEM_MODULES: readonly SystemModule[] = [brokerSystem, storeSystem, gossipSystem];

/** The conformance suite of each system, fixture replays included. */
export const SUITES: SuiteRegistry = suitesOf(SYSTEM_MODULES, SYSTEMS);
