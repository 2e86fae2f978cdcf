import { describe, expect, it } from 'vitest';
import { lineRanges } from './coverage-report.ts';
import { outcomeOf, outcomeOfExit } from './grade-checks.ts';
import { formatScore, mutantKey, scoreOf, type RecordedMutant } from './score.ts';

function mutant(status: string, line: number, system: RecordedMutant['system'] = 'store'): RecordedMutant {
  return {
    file: `reference/${system}/x.ts`,
    system,
    line,
    column: 1,
    mutator: 'EqualityOperator',
    replacement: 'a <= b',
    original: 'a < b',
    status,
  };
}

describe('mutation score', () => {
  const mutants = [
    mutant('Killed', 1),
    mutant('Killed', 2),
    mutant('Killed', 3),
    mutant('Survived', 4),
    mutant('Survived', 5),
    mutant('NoCoverage', 6),
    mutant('Timeout', 7),
    mutant('RuntimeError', 8),
    mutant('Ignored', 9),
    mutant('Killed', 10, 'broker'),
  ];
  const equivalentLines = new Set([5]);
  const s = scoreOf('store', mutants, (m) => equivalentLines.has(m.line));

  it('counts each category once and leaves ignored mutants and other systems out', () => {
    expect(s).toMatchObject({ total: 8, killed: 3, survived: 2, equivalent: 1, timeout: 1, error: 1 });
  });

  it('divides kills by the graded mutants minus the equivalent ones; timeouts and errors are not kills', () => {
    expect(s.score).toBeCloseTo(3 / 7);
    expect(formatScore(s)).toBe('42.9% (3/7)');
  });

  it('has no score when nothing was graded', () => {
    expect(scoreOf('gossip', mutants, () => false).score).toBeUndefined();
    expect(formatScore(scoreOf('gossip', [], () => false))).toBe('n/a');
  });

  it('keys a mutant by place and change', () => {
    expect(mutantKey(mutant('Survived', 4))).toBe('reference/store/x.ts:4:1 EqualityOperator → a <= b');
  });

  it("maps the CLI's exit codes: 0 survived, 1 killed, anything else an error", () => {
    expect(outcomeOfExit(0)).toBe('survived');
    expect(outcomeOfExit(1)).toBe('killed');
    expect(outcomeOfExit(2)).toBe('error');
    expect(outcomeOfExit(null)).toBe('error');
  });

  it('kills only on a FAIL verdict: exit 1 from UNKNOWN or NOT TESTABLE alone is an error', () => {
    expect(outcomeOf(1, ['PASS', 'FAIL'])).toBe('killed');
    expect(outcomeOf(1, ['PASS', 'UNKNOWN'])).toBe('error');
    expect(outcomeOf(1, ['NOT_TESTABLE'])).toBe('error');
    expect(outcomeOf(1, undefined)).toBe('killed');
    expect(outcomeOf(0, ['PASS'])).toBe('survived');
  });

  it('collapses uncovered lines into ranges', () => {
    expect(lineRanges([7, 3, 4, 5, 12, 4])).toBe('3-5, 7, 12');
    expect(lineRanges([])).toBe('');
  });
});
