import type { CheckResult } from '../checks/check.ts';
import type { Verdict } from '../checks/verdict.ts';
import { plain, quotedLine } from './candidate-text.ts';
import type { CandidateReport } from './report.ts';

const useColor = (): boolean => process.stdout.isTTY === true && !process.env.NO_COLOR;
const COLORS: Record<Verdict, string> = {
  PASS: '32',
  FAIL: '31',
  NOT_TESTABLE: '33',
  ADVISORY: '36',
  FLAKY: '35',
  UNKNOWN: '33',
  ERROR: '31;1',
};

export function paintVerdict(verdict: Verdict, width = 0): string {
  const text = verdict.replace('_', ' ').padEnd(width);
  return useColor() ? `\x1b[${COLORS[verdict]}m${text}\x1b[0m` : text;
}

function cut(text: string, width: number): string {
  const one = plain(text.replace(/[ \t\n]+/g, ' '));
  return one.length > width ? `${one.slice(0, width - 1)}…` : one;
}

/** The terminal table: id, level, verdict, one line of evidence, duration. */
export function renderTable(report: CandidateReport): string {
  const idWidth = Math.max(8, ...report.checks.map((c) => c.id.length));
  const lines = [
    `${plain(report.name)} (${plain(report.system)}) — ${plain(report.manifest)}`,
    `${'CHECK'.padEnd(idWidth)}  ${'LEVEL'.padEnd(11)}  ${'VERDICT'.padEnd(12)}  ${'TIME'.padStart(7)}  EVIDENCE`,
  ];
  for (const c of report.checks) {
    lines.push(
      `${c.id.padEnd(idWidth)}  ${c.level.padEnd(11)}  ${paintVerdict(c.verdict, 12)}  ${formatMs(c.durationMs).padStart(7)}  ${cut(c.evidence.summary, 110)}`,
    );
  }
  const s = report.summary;
  lines.push(
    `${report.ok ? 'OK' : 'NOT OK'}: ${s.PASS} pass, ${s.FAIL} fail, ${s.NOT_TESTABLE} not testable, ${s.ADVISORY} advisory${s.FLAKY ? `, ${s.FLAKY} flaky` : ''}${s.UNKNOWN ? `, ${s.UNKNOWN} unknown` : ''}${s.ERROR ? `, ${s.ERROR} kit error` : ''} in ${formatMs(report.durationMs)}`,
  );
  return lines.join('\n');
}

/** Full evidence for the checks that did not pass: what was sent, observed, logged, and the replay command. */
export function renderFailures(report: CandidateReport): string {
  const out: string[] = [];
  for (const c of report.checks.filter(
    (x) => x.verdict === 'FAIL' || x.verdict === 'ERROR' || x.verdict === 'FLAKY' || x.verdict === 'UNKNOWN',
  ))
    out.push(renderDetail(c));
  return out.join('\n\n');
}

export function renderDetail(c: CheckResult): string {
  const lines = [
    `── ${c.id} ${paintVerdict(c.verdict)} — ${plain(c.title)}`,
    `   criterion: ${plain(c.criterion)}`,
    `   ${plain(c.evidence.summary)}`,
  ];
  const section = (name: string, items: readonly string[] | undefined, max = 12, quote = false): void => {
    if (!items || items.length === 0) return;
    lines.push(`   ${name}:`);
    for (const item of items.slice(-max)) lines.push(`     ${quote ? quotedLine(item.slice(0, 240)) : plain(item.slice(0, 240))}`);
  };
  section('sent', c.evidence.sent);
  section('observed', c.evidence.observed);
  if (c.evidence.metrics)
    lines.push(
      `   metrics: ${plain(
        Object.entries(c.evidence.metrics)
          .map(([k, v]) => `${k}=${v}`)
          .join(' '),
      )}`,
    );
  section('notes', c.evidence.notes, 6);
  section('candidate log (last lines)', c.evidence.logs, 10, true);
  lines.push(`   replay: ${plain(c.replay)}`);
  return lines.join('\n');
}

export function formatMs(ms: number): string {
  return ms < 1000 ? `${Math.round(ms)}ms` : `${(ms / 1000).toFixed(1)}s`;
}
