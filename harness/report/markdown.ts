import type { Verdict } from '../checks/verdict.ts';
import { markdownFence, markdownInline } from './candidate-text.ts';
import { candidateKey } from './batch.ts';
import type { GradeReport } from './report.ts';

const ICON: Record<Verdict, string> = {
  PASS: '✅ PASS',
  FAIL: '❌ FAIL',
  NOT_TESTABLE: '⚠️ NOT TESTABLE',
  ADVISORY: 'ℹ️ ADVISORY',
  FLAKY: '🔀 FLAKY',
  UNKNOWN: '❔ UNKNOWN',
  ERROR: '💥 ERROR',
};
const cell = (s: string): string => markdownInline(s.replace(/[ \t\n]+/g, ' ').slice(0, 200));

/** A summary fit for `$GITHUB_STEP_SUMMARY` or a pull-request comment: table, then how to replay each failure. */
export function renderMarkdown(report: GradeReport): string {
  const out: string[] = [
    `## meridian-kit: ${report.ok ? '✅ all required checks pass' : '❌ required checks failing'}`,
    '',
    `meridian-kit ${report.kitVersion ?? ''} · seed \`${report.seed}\``,
    '',
  ];
  for (const cand of report.candidates) {
    out.push(`### ${cell(candidateKey(cand))} (${cand.system})`, '', `Manifest \`${cell(cand.manifest)}\``, '');
    if (cand.failure) {
      out.push(`❌ **could not be graded**: ${cell(`${cand.failure.code}: ${cand.failure.message}`)}`, '');
      if (cand.failure.logTail.length) out.push(...markdownFence(cand.failure.logTail), '');
      continue;
    }
    out.push('| check | level | verdict | evidence |', '| --- | --- | --- | --- |');
    for (const c of cand.checks) out.push(`| \`${c.id}\` | ${c.level} | ${ICON[c.verdict]} | ${cell(c.evidence.summary)} |`);
    const bad = cand.checks.filter(
      (c) => c.verdict === 'FAIL' || c.verdict === 'FLAKY' || c.verdict === 'ERROR' || c.verdict === 'UNKNOWN',
    );
    for (const c of bad) {
      out.push(
        '',
        `<details><summary><b>${markdownInline(c.id)}</b>: ${cell(c.evidence.summary)}</summary>`,
        '',
        `**Criterion.** ${markdownInline(c.criterion)}`,
        '',
      );
      const lines = [
        ...(c.evidence.sent ?? []).slice(-6).map((l) => `sent: ${l}`),
        ...(c.evidence.observed ?? []).slice(-6).map((l) => `observed: ${l}`),
        ...(c.evidence.logs ?? []).slice(-6).map((l) => `log: ${l}`),
      ];
      if (lines.length) out.push(...markdownFence(lines.map((l) => l.slice(0, 200))));
      out.push('Replay:', ...markdownFence([c.replay], 'sh'), '</details>');
    }
    out.push('');
  }
  return `${out.join('\n')}\n`;
}

export { renderBatch } from './batch.ts';
