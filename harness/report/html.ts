import type { CheckResult } from '../checks/check.ts';
import type { Verdict } from '../checks/verdict.ts';
import type { TimelineRow } from '../common/plot.ts';
import { renderSvgPlot } from './plot.ts';
import { html, htmlLines } from './candidate-text.ts';
import { anchorId, candidateKey } from './batch.ts';
import type { GradeReport } from './report.ts';

const esc = html;
const COLOR: Record<Verdict, string> = {
  PASS: '#1a7f37',
  FAIL: '#cf222e',
  NOT_TESTABLE: '#9a6700',
  ADVISORY: '#0969da',
  FLAKY: '#8250df',
  UNKNOWN: '#9a6700',
  ERROR: '#cf222e',
};

function badge(v: Verdict): string {
  return `<span class="badge" style="background:${COLOR[v]}">${v.replace('_', ' ')}</span>`;
}

function list(title: string, items: readonly string[] | undefined): string {
  if (!items || items.length === 0) return '';
  return `<h4>${title}</h4><pre>${htmlLines(items)}</pre>`;
}

function timeline(rows: readonly TimelineRow[]): string {
  if (rows.length === 0) return '';
  const end = Math.max(...rows.map((r) => r.atMs), 1);
  const marks = rows
    .map(
      (r) =>
        `<div class="mark" style="left:${((r.atMs / end) * 100).toFixed(2)}%" title="${esc(`+${(r.atMs / 1000).toFixed(2)} s ${r.kind} ${JSON.stringify(r.details ?? {})}`)}"></div>`,
    )
    .join('');
  const table = rows
    .map(
      (r) =>
        `<tr><td>+${(r.atMs / 1000).toFixed(3)} s</td><td>${esc(r.kind)}</td><td><code>${esc(JSON.stringify(r.details ?? {}))}</code></td></tr>`,
    )
    .join('');
  return `<h4>Fault timeline</h4><div class="timeline">${marks}</div><table class="small">${table}</table>`;
}

function detail(c: CheckResult, anchor: string): string {
  const data = c.evidence.data ?? {};
  const plots = (Array.isArray(data.plots) ? data.plots : []).map((p) => renderSvgPlot(p)).join('');
  const rows: readonly TimelineRow[] = Array.isArray(data.timeline) ? data.timeline : [];
  const metrics = c.evidence.metrics
    ? `<h4>Metrics</h4><table class="small">${Object.entries(c.evidence.metrics)
        .map(([k, v]) => `<tr><td>${esc(k)}</td><td>${esc(String(v))}</td></tr>`)
        .join('')}</table>`
    : '';
  const open = c.verdict === 'FAIL' || c.verdict === 'FLAKY' || c.verdict === 'ERROR' ? ' open' : '';
  return `<details id="${esc(anchor)}"${open}><summary>${badge(c.verdict)} <b>${esc(c.id)}</b> — ${esc(c.evidence.summary)}</summary>
<p class="criterion"><b>Criterion.</b> ${esc(c.criterion)}</p>
${list('Sent', c.evidence.sent)}${list('Observed', c.evidence.observed)}${metrics}${plots}${timeline(rows)}${list('Notes', c.evidence.notes)}${list("Candidate's last log lines", c.evidence.logs)}
<h4>Replay</h4><pre>${esc(c.replay)}</pre></details>`;
}

/** One self-contained HTML page per grade: no scripts, no external assets. */
export function renderHtml(report: GradeReport): string {
  const sections = report.candidates.map((cand, index) => {
    const head = `<section id="c${index + 1}"><h2>${esc(candidateKey(cand))} <small>(${esc(cand.system)}, ${esc(cand.manifest)})</small> ${cand.ok ? badge('PASS') : badge('FAIL')}</h2>`;
    if (cand.failure)
      return `${head}\n<p><b>Could not be graded:</b> ${esc(`${cand.failure.code}: ${cand.failure.message}`)}</p>${list('Last lines of the output', cand.failure.logTail)}</section>`;
    const rows = cand.checks
      .map(
        (c) =>
          `<tr><td><a href="#${esc(anchorId(index, c.id))}">${esc(c.id)}</a></td><td>${c.level}</td><td>${badge(c.verdict)}</td><td>${esc(c.evidence.summary)}</td><td class="num">${(c.durationMs / 1000).toFixed(1)} s</td></tr>`,
      )
      .join('\n');
    return `${head}
<table><thead><tr><th>Check</th><th>Level</th><th>Verdict</th><th>Evidence</th><th>Time</th></tr></thead><tbody>${rows}</tbody></table>
${cand.checks.map((c) => detail(c, anchorId(index, c.id))).join('\n')}</section>`;
  });
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>meridian-kit report</title>
<style>
body{font:14px/1.45 system-ui,sans-serif;margin:2rem auto;max-width:1100px;padding:0 1rem;color:#1f2328}
table{border-collapse:collapse;width:100%;margin:.5rem 0 1rem}td,th{border-bottom:1px solid #d0d7de;padding:4px 8px;text-align:left;vertical-align:top}
.num{text-align:right;white-space:nowrap}.small td{font-size:12px}
.badge{color:#fff;border-radius:4px;padding:1px 6px;font-size:12px;font-weight:600;white-space:nowrap}
pre{background:#f6f8fa;padding:8px;overflow-x:auto;font-size:12px}details{border:1px solid #d0d7de;border-radius:6px;padding:6px 10px;margin:6px 0}
summary{cursor:pointer}.criterion{color:#57606a}.timeline{position:relative;height:18px;background:#f6f8fa;border-radius:3px;margin:4px 0}
.mark{position:absolute;top:0;width:3px;height:18px;background:#cf222e}
</style></head><body>
<h1>meridian-kit report</h1>
<p>meridian-kit ${esc(report.kitVersion ?? '')} · seed <code>${report.seed}</code> · started ${esc(report.startedAt)} · ${report.strict ? 'strict' : 'required checks gate'} · overall ${report.ok ? badge('PASS') : badge('FAIL')}</p>
${sections.join('\n')}
</body></html>
`;
}
