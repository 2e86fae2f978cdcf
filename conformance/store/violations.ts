import type { Violation } from '../../harness/checks/history/session-guarantees.ts';

/** What the evidence helpers need from a StoreUnderTest: its exchange lines. */
export interface Recorded {
  readonly lines: readonly string[];
}

/** The exchange line the kit recorded for an operation id (`w12 +340ms W k=v → 200 …`). */
export function lineOf(sut: Recorded, id: string | undefined): string | undefined {
  if (id === undefined) return undefined;
  return sut.lines.find((l) => l.startsWith(`${id} `));
}

/**
 * Evidence lines for session-guarantee violations: for each, the checker's sentence and the minimal
 * violating pair as the kit recorded it (the earlier operation that set the requirement, the later one
 * that broke it).
 */
export function violationLines(sut: Recorded, violations: readonly Violation[], max = 5): string[] {
  const out: string[] = [];
  for (const v of violations.slice(0, max)) {
    out.push(`${v.guarantee}: ${v.explanation}`);
    const earlier = lineOf(sut, v.earlier?.id);
    if (earlier) out.push(`  earlier: ${earlier}`);
    const later = lineOf(sut, v.later.id);
    if (later) out.push(`  later:   ${later}`);
  }
  if (violations.length > max) out.push(`… and ${violations.length - max} more violation(s)`);
  return out;
}

/**
 * The lines that prove the violation a summary names (its sentence and its minimal pair), for the END
 * of a verdict's `observed`: every report format shows the tail of that list (the text report its last
 * 12 lines, Markdown 6, JUnit 8), so the pair the summary names is always in the excerpt.
 */
export function proofLines(sut: Recorded, first: Violation | undefined): string[] {
  return first === undefined ? [] : ['the violation the summary names:', ...violationLines(sut, [first], 1)];
}
