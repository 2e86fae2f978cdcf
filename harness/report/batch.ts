import { csvCell as csvCellOf, markdownInline } from './candidate-text.ts';
import type { CandidateReport, GradeReport } from './report.ts';

/**
 * Batch reports (many candidates in one grade). Every row is keyed by the candidate's manifest path, never
 * by its `name`: two submissions may share a name, and each must keep its own verdicts.
 */

/** Sets `key` on every candidate: its name, or `name (manifest)` when the name is shared (`#2`… if the path is too). */
export function keyCandidates(candidates: CandidateReport[]): void {
  const byName = new Map<string, number>();
  for (const c of candidates) byName.set(c.name, (byName.get(c.name) ?? 0) + 1);
  const used = new Set<string>();
  for (const c of candidates) {
    let key = (byName.get(c.name) ?? 0) > 1 ? `${c.name} (${c.manifest})` : c.name;
    for (let n = 2; used.has(key); n++) key = `${c.name} (${c.manifest}) #${n}`;
    used.add(key);
    c.key = key;
  }
}

/** The name a candidate goes by in reports. */
export const candidateKey = (c: CandidateReport): string => c.key ?? c.name;

/** An HTML id unique within one report: candidate position plus check id. */
export const anchorId = (candidateIndex: number, checkId: string): string =>
  `c${candidateIndex + 1}-${checkId.replace(/[^A-Za-z0-9._-]/g, '_')}`;

/** Required (gated) checks passed out of those run; a candidate that could not be graded scores 0 of 0. */
export function score(c: CandidateReport): { passed: number; total: number; text: string } {
  const gated = c.checks.filter((x) => x.level === 'required');
  const passed = gated.filter((x) => x.verdict === 'PASS').length;
  return { passed, total: gated.length, text: c.failure ? `0/0` : `${passed}/${gated.length}` };
}

/** One line saying why a candidate is not OK: the load/build failure, else the gated checks that did not pass. */
export function reason(c: CandidateReport): string {
  if (c.failure) return `${c.failure.code}: ${c.failure.message}`;
  const bad = c.checks.filter((x) => x.level !== 'advisory' && x.verdict !== 'PASS').map((x) => `${x.id} ${x.verdict}`);
  return bad.join('; ');
}

// Candidate text is data: control characters become visible escapes (plain), cells never start a formula.
const oneLine = (s: string): string => s.replace(/\s+/g, ' ').trim();
const csvCell = (s: string): string => csvCellOf(oneLine(s));
const mdCell = (s: string): string => markdownInline(oneLine(s).slice(0, 300));

/** Check ids in first-seen order, for one system or all. */
function checkIds(candidates: readonly CandidateReport[]): string[] {
  const ids: string[] = [];
  for (const cand of candidates) for (const c of cand.checks) if (!ids.includes(c.id)) ids.push(c.id);
  return ids;
}

const SHORT: Record<string, string> = { PASS: '✅', FAIL: '❌', NOT_TESTABLE: '⚠️', ADVISORY: 'ℹ️', FLAKY: '🔀', UNKNOWN: '❔', ERROR: '💥' };
/** What each mark in the batch tables means. */
export const BATCH_LEGEND =
  'Legend: ✅ PASS · ❌ FAIL · 🔀 FLAKY · ❔ UNKNOWN · ⚠️ NOT TESTABLE · ℹ️ ADVISORY · 💥 kit ERROR · · not run. Score = required checks passed / required checks run.';

/**
 * Batch tables: CSV with one row per candidate (its manifest path, score, reason and every check's verdict)
 * and Markdown with one table per system (only that system's checks), a score column and a legend.
 */
export function renderBatch(report: GradeReport): { csv: string; markdown: string } {
  const ids = checkIds(report.candidates);
  const header = ['candidate', 'manifest', 'system', 'ok', 'score', 'reason', 'log_tail', ...ids];
  const rows = report.candidates.map((c) => {
    const verdicts = new Map(c.checks.map((x) => [x.id, x.verdict]));
    return [
      candidateKey(c),
      c.manifest,
      c.system,
      String(c.ok),
      score(c).text,
      c.ok ? '' : reason(c),
      (c.failure?.logTail ?? []).slice(-5).join(' ⏎ '),
      ...ids.map((id) => verdicts.get(id) ?? ''),
    ];
  });
  const csv = [header, ...rows].map((r) => r.map(csvCell).join(',')).join('\n');
  const md: string[] = [`meridian-kit ${report.kitVersion ?? ''} · seed \`${report.seed}\` · ${report.candidates.length} candidates`, ''];
  for (const system of [...new Set(report.candidates.map((c) => c.system))]) {
    const cands = report.candidates.filter((c) => c.system === system);
    const sysIds = checkIds(cands);
    md.push(
      `### ${mdCell(system)}`,
      '',
      `| candidate | manifest | score | ok | ${sysIds.map((id) => `\`${id}\``).join(' | ')} |`,
      `| --- | --- | ---: | :---: | ${sysIds.map(() => ':---:').join(' | ')} |`,
    );
    for (const c of cands) {
      const verdicts = new Map(c.checks.map((x) => [x.id, x.verdict]));
      const marks = c.failure ? sysIds.map(() => '·') : sysIds.map((id) => SHORT[verdicts.get(id) ?? ''] ?? '·');
      md.push(`| ${mdCell(candidateKey(c))} | ${mdCell(c.manifest)} | ${score(c).text} | ${c.ok ? '✅' : '❌'} | ${marks.join(' | ')} |`);
    }
    const failed = cands.filter((c) => c.failure);
    for (const c of failed) md.push('', `**${mdCell(candidateKey(c))}** could not be graded: ${mdCell(reason(c))}`);
    md.push('');
  }
  md.push(BATCH_LEGEND);
  return { csv: `${csv}\n`, markdown: `${md.join('\n')}\n` };
}

/**
 * The terminal summary of a batch: per system, one line per candidate with its score, verdict and the
 * gated checks that did not pass (or why it could not be graded), then the legend.
 */
export function renderBatchSummary(report: GradeReport, width = 100): string {
  const lines: string[] = [];
  for (const system of [...new Set(report.candidates.map((c) => c.system))]) {
    const cands = report.candidates.filter((c) => c.system === system);
    const nameWidth = Math.min(40, Math.max(9, ...cands.map((c) => candidateKey(c).length)));
    lines.push(
      `${system}: ${cands.filter((c) => c.ok).length} of ${cands.length} OK`,
      `  ${'CANDIDATE'.padEnd(nameWidth)}  ${'SCORE'.padStart(7)}  ${'RESULT'.padEnd(6)}  NOT PASSING`,
    );
    for (const c of cands) {
      const name = candidateKey(c);
      const shown = name.length > nameWidth ? `${name.slice(0, nameWidth - 1)}…` : name.padEnd(nameWidth);
      const why = oneLine(reason(c));
      const room = Math.max(20, width - nameWidth - 22);
      lines.push(
        `  ${shown}  ${score(c).text.padStart(7)}  ${(c.ok ? 'OK' : 'NOT OK').padEnd(6)}  ${why.length > room ? `${why.slice(0, room - 1)}…` : why}`.trimEnd(),
      );
    }
    lines.push('');
  }
  lines.push(
    'SCORE = required checks passed / required checks run; NOT OK rows list the gated checks that did not pass, or why the candidate could not be graded.',
  );
  return lines.join('\n');
}
