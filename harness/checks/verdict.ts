/**
 * PASS / FAIL: the check ran and judged. NOT_TESTABLE: it could not run (missing knob, no source) and says why.
 * ADVISORY: findings for people, never a pass or a fail (code review criteria, build warnings).
 * FLAKY: both passed and failed across runs. UNKNOWN: the check could not decide (checker over budget,
 * load generator fell short). ERROR: the kit itself failed (a bug or a resource problem here, not the candidate).
 */
export type Verdict = 'PASS' | 'FAIL' | 'NOT_TESTABLE' | 'ADVISORY' | 'FLAKY' | 'UNKNOWN' | 'ERROR';

/** required: seed acceptance criteria and spec; recommended: later seeds' hardening; advisory: review only. */
export type Level = 'required' | 'recommended' | 'advisory';
