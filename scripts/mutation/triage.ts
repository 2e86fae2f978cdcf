/**
 * Triage of surviving mutants, keyed by `mutantKey` (file:line:column mutator → replacement). Every
 * survivor is either an equivalent mutant (no observable behaviour changes; excluded from the score, with
 * the reason) or a gap (a clause or scenario no check exercises; the missing check is named so it can be
 * added to the suite). A survivor with no entry is reported as UNTRIAGED.
 */
export interface Triage {
  readonly verdict: 'equivalent' | 'gap';
  readonly note: string;
}

export const TRIAGE: Readonly<Record<string, Triage>> = {};
