import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { SYSTEMS } from './kit-cli.ts';
import type { ResultsStore } from './results-store.ts';
import { formatScore, mutantKey, scoreOf, type RecordedMutant } from './score.ts';
import { MUTATION_TARGETS } from './targets.ts';
import { TRIAGE } from './triage.ts';

export const REPORT_FILE = 'docs/mutation.md';
/** Written by scripts/coverage.ts; rendered into the same report when present. */
export const COVERAGE_SUMMARY = 'scripts/mutation/coverage.md';
/** Hand-written summary of the gaps the triage found, rendered after the scores. */
export const FINDINGS = 'scripts/mutation/findings.md';

const esc = (s: string): string => s.replaceAll('|', '\\|').replaceAll('`', "'");

function isEquivalent(m: RecordedMutant): boolean {
  return TRIAGE[mutantKey(m)]?.verdict === 'equivalent';
}

export function renderReport(store: ResultsStore): string {
  const all = Object.values(store).flatMap((f) => f.mutants);
  const out: string[] = [];
  out.push('# Mutation testing and coverage of the conformance suites');
  out.push('');
  out.push('How well do the conformance suites detect defects in the code they grade? `npm run mutation` mutates');
  out.push("each reference's protocol code with [StrykerJS](https://stryker-mutator.io/) and grades every mutant");
  out.push('with the conformance checks mapped to the mutated file (`scripts/mutation/targets.ts`, a self-tested');
  out.push("file → checks map), through the kit's CLI (`grade --candidate reference/<system>/manifest.json --only");
  out.push('<ids> --seed 1 --strict --json`; its path is one constant, `KIT_CLI` in `scripts/mutation/kit-cli.ts`).');
  out.push('Stryker instruments the file in a sandbox copy of the project with every mutant behind a switch; the');
  out.push('`meridian-grade` runner (`scripts/mutation/grade-runner.ts`) starts the CLI in the sandbox with');
  out.push('`__STRYKER_ACTIVE_MUTANT__` set (also named in `MERIDIAN_PASS_ENV`), so the reference processes the kit');
  out.push("starts via tsx run that mutant. A check's **FAIL** kills the mutant; all PASS lets it survive; UNKNOWN /");
  out.push('NOT TESTABLE / ERROR alone, or CLI exit 2, is an **error**, and a grade over the per-mutant budget');
  out.push('(`--timeout-s`, default 180) a **timeout**: neither counts as a kill. Score = killed / (mutants − equivalent).');
  out.push("Incremental by default (Stryker's incremental file per target in `.meridian/mutation/incremental/`);");
  out.push('results merge into `scripts/mutation/results.json`, survivors are triaged in `scripts/mutation/triage.ts`.');
  out.push('Not part of `npm test`.');
  out.push('');
  out.push('```sh');
  out.push('npm run mutation -- --system broker --files frame-reader,fanout   # incremental by default');
  out.push('npm run mutation -- --files frame-reader --lines 116-138            # a sample of one file');
  out.push('npm run mutation -- --system store --timeout-s 240 --fresh         # re-grade every mutant');
  out.push('npm run mutation -- --report-only                                   # re-render this file');
  out.push('npm run coverage -- --system gossip                                 # V8 coverage while graded');
  out.push('```');
  out.push('');
  out.push('## Score per system');
  out.push('');
  out.push('| system | files run | mutants | killed | survived | equivalent | timeout | error | score |');
  out.push('|---|---|---|---|---|---|---|---|---|');
  for (const system of SYSTEMS) {
    const s = scoreOf(system, all, isEquivalent);
    const files = Object.values(store).filter(
      (f) => f.mutants[0]?.system === system || MUTATION_TARGETS.find((t) => t.file === f.file)?.system === system,
    ).length;
    const mapped = MUTATION_TARGETS.filter((t) => t.system === system).length;
    out.push(
      `| ${system} | ${files} of ${mapped} | ${s.total} | ${s.killed} | ${s.survived} | ${s.equivalent} | ${s.timeout} | ${s.error} | ${formatScore(s)} |`,
    );
  }
  out.push('');
  if (existsSync(FINDINGS)) {
    out.push(readFileSync(FINDINGS, 'utf8').trim());
    out.push('');
  }
  out.push('## Per file');
  out.push('');
  out.push('| file | checks | mutants | killed | survived | equivalent | timeout | error | run |');
  out.push('|---|---|---|---|---|---|---|---|---|');
  for (const t of MUTATION_TARGETS) {
    const f = store[t.file];
    if (!f) {
      out.push(`| \`${t.file}\` | ${t.checks.join(', ')} | not run yet | | | | | | |`);
      continue;
    }
    const s = scoreOf(t.system, f.mutants, isEquivalent);
    out.push(
      `| \`${t.file}\`${f.lines ? ` (lines ${f.lines} only)` : ''} | ${f.checks.join(', ')} | ${s.total} | ${s.killed} | ${s.survived} | ${s.equivalent} | ${s.timeout} | ${s.error} | ${f.finishedAt.slice(0, 16)}Z |`,
    );
  }
  const survivors = all.filter((m) => m.status === 'Survived' || m.status === 'NoCoverage');
  out.push('');
  out.push(`## Surviving mutants (${survivors.length}), triaged`);
  out.push('');
  out.push('Verdict: **equivalent** (no observable behaviour changes; excluded from the score, reason given) or');
  out.push('**gap** (the missing check or scenario is named; the suite owners close it).');
  out.push('');
  out.push('| where | original → mutant | verdict | why |');
  out.push('|---|---|---|---|');
  for (const m of survivors) {
    const t = TRIAGE[mutantKey(m)];
    out.push(
      `| \`${m.file.replace('reference/', '')}:${m.line}\` ${m.mutator} | \`${esc(m.original)}\` → \`${esc(m.replacement)}\` | ${t ? `**${t.verdict}**` : 'UNTRIAGED'} | ${t ? esc(t.note) : ''} |`,
    );
  }
  const other = all.filter((m) => m.status === 'Timeout' || m.status === 'RuntimeError' || m.status === 'CompileError');
  if (other.length > 0) {
    out.push('');
    out.push(`## Timeouts and errors (${other.length}): not counted as kills`);
    out.push('');
    out.push('| where | original → mutant | status | reason |');
    out.push('|---|---|---|---|');
    for (const m of other)
      out.push(
        `| \`${m.file.replace('reference/', '')}:${m.line}\` ${m.mutator} | \`${esc(m.original)}\` → \`${esc(m.replacement)}\` | ${m.status} | ${esc((m.reason ?? '').slice(0, 160))} |`,
      );
  }
  out.push('');
  out.push('## Coverage of the references while their suites grade them');
  out.push('');
  out.push(existsSync(COVERAGE_SUMMARY) ? readFileSync(COVERAGE_SUMMARY, 'utf8').trim() : '_Not measured yet: run `npm run coverage`._');
  out.push('');
  return out.join('\n');
}

export function writeReport(store: ResultsStore): void {
  writeFileSync(REPORT_FILE, renderReport(store));
}
