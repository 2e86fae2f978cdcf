export { gradeCandidate, type GradeCandidateOptions, type GradeProgress } from './grade-candidate.ts';
export { manifestLabel, replayCommand } from './replay.ts';
export { UsageError, closest, editDistance, parseOnly, selectChecks } from './select-checks.ts';
export type { SuiteRegistry } from './suites.ts';
