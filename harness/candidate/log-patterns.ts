import safeRegex from 'safe-regex2';

/**
 * Manifest `log.patterns` are refused at load when their backtracking can be exponential, rather than
 * matched off the main loop with a time budget. Why: the kit reads up to 300,000 lines/s; handing each line
 * to a worker with a deadline would cost a message round trip per line and still make the verdict depend on
 * how fast the machine was. A pattern is checked once, deterministically, and a refused one names itself
 * (exit 2) so the author fixes it before any check runs. safe-regex2 flags nested quantifiers (star height
 * above 1, e.g. `(a+)+$`) and patterns with more than 25 repetitions; the polynomial cases it lets through
 * (`a*a*b`) are bounded by the parser feeding patterns at most `PATTERN_INPUT_CHARS` of each message.
 */
export function patternProblem(source: string): string | undefined {
  try {
    new RegExp(source, 'i');
  } catch (error) {
    return `not a valid regular expression (${(error as Error).message})`;
  }
  if (!safeRegex(source))
    return 'can backtrack catastrophically (nested or too many quantifiers, e.g. "(a+)+"); write it without a quantifier inside a quantified group';
  return undefined;
}
