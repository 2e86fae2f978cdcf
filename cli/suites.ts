import { SUITES as CONFORMANCE_SUITES } from '../conformance/systems.ts';
import type { SuiteRegistry } from '../harness/grading/suites.ts';

/** The systems this command line grades: the conformance suites, handed to the harness's grading engine. */
export const SUITES: SuiteRegistry = CONFORMANCE_SUITES;
