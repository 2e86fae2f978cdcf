import type { Verdict } from '../checks/verdict.ts';
import { csvCell, markdownFence, markdownInline } from './candidate-text.ts';
import type { GradeReport } from './report.ts';

const ICON: Record<Verdict, string> = { PASS: '✅ PASS', FAIL: '❌ FAIL', NOT_TESTABLE: '⚠️ NOT TESTABLE', ADVISORY: 'ℹ️ ADVISORY', FLAKY: '🔀 FLAKY', UNKNOWN: '❔ UNKNOWN', ERROR: '💥 ERROR' };
const cell = (s: string): string => markdownInline(s.replace(/[ \t\n]+/g, ' ').slice(0, 200));

/** A summary fit for `$GITHUB_STEP_SUMMARY` or a pull-request comment: table, then how to replay each failure. */
export function renderMarkdown(report: GradeReport): string {
  const out: string[] = [`## meridian-kit: ${report.ok ? '✅ all required checks pass' : '❌ required checks failing'}`, '', `Seed \`${report.seed}\``, ''];
  for (const cand of report.candidates) {
    out.push(`### ${markdownInline(cand.name)} (${markdownInline(cand.system)})`, '', '| check | level | verdict | evidence |', '| --- | --- | --- | --- |');
    for (const c of cand.checks) out.push(`| \`${c.id}\` | ${c.level} | ${ICON[c.verdict]} | ${cell(c.evidence.summary)} |`);
    const bad = cand.checks.filter((c) => c.verdict === 'FAIL' || c.verdict === 'FLAKY' || c.verdict === 'ERROR' || c.verdict === 'UNKNOWN');
    for (const c of bad) {
      out.push('', `<details><summary><b>${markdownInline(c.id)}</b>: ${cell(c.evidence.summary)}</summary>`, '', `**Criterion.** ${markdownInline(c.criterion)}`, '');
      const lines = [...(c.evidence.sent ?? []).slice(-6).map((l) => `sent: ${l}`), ...(c.evidence.observed ?? []).slice(-6).map((l) => `observed: ${l}`), ...(c.evidence.logs ?? []).slice(-6).map((l) => `log: ${l}`)];
      if (lines.length) out.push(...markdownFence(lines.map((l) => l.slice(0, 200))));
      out.push('Replay:', ...markdownFence([c.replay], 'sh'), '</details>');
    }
    out.push('');
  }
  return `${out.join('\n')}\n`;
}

/** Batch grading: one row per candidate, one column per check. */
export function renderBatch(report: GradeReport): { csv: string; markdown: string } {
  const ids: string[] = [];
  for (const cand of report.candidates) for (const c of cand.checks) if (!ids.includes(c.id)) ids.push(c.id);
  const verdictOf = (name: string, id: string): string => report.candidates.find((c) => c.name === name)?.checks.find((c) => c.id === id)?.verdict ?? '';
  const csv = [['candidate', 'system', 'ok', ...ids].map(csvCell).join(','), ...report.candidates.map((c) => [c.name, c.system, String(c.ok), ...ids.map((id) => verdictOf(c.name, id))].map(csvCell).join(','))].join('\n');
  const short = (v: string): string => ({ PASS: '✅', FAIL: '❌', NOT_TESTABLE: '⚠️', ADVISORY: 'ℹ️', FLAKY: '🔀', UNKNOWN: '❔', ERROR: '💥' })[v] ?? '·';
  const markdown = [`| candidate | ok | ${ids.map((id) => `\`${id}\``).join(' | ')} |`, `| --- | --- | ${ids.map(() => ':---:').join(' | ')} |`, ...report.candidates.map((c) => `| ${markdownInline(c.name)} | ${c.ok ? '✅' : '❌'} | ${ids.map((id) => short(verdictOf(c.name, id))).join(' | ')} |`)].join('\n');
  return { csv: `${csv}\n`, markdown: `${markdown}\n` };
}
