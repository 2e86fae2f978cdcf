import type { SystemName } from '../candidate/manifest.ts';
import type { CheckDefinition } from '../checks/check.ts';

/**
 * The conformance suite of each system. The harness never imports the suites: the command-line layer
 * (`cli/`) and the kill-matrix tests register them and pass them in.
 */
export type SuiteRegistry = Readonly<Record<SystemName, readonly CheckDefinition[]>>;
