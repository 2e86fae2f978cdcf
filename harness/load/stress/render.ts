/**
 * How a stress run is shown: the live progress line, the terminal summary and the self-contained HTML
 * page (inline SVG plots from `harness/report/plot.ts`, no scripts, no external assets).
 *
 * @module
 */
import { renderStressPlot } from './svg-plot.ts';
import type { StressPlot } from './svg-plot.ts';
import type { StressProgress, StressResult } from './stress.ts';

const int = (n: number): string => Math.round(n).toLocaleString('en');
const MiB = 1024 * 1024;

/** µs as a short human figure: `850 µs`, `1.24 ms`, `12.3 ms`, `4.20 s`. */
export function formatUs(us: number): string {
  if (us < 1000) return `${Math.round(us)} µs`;
  if (us < 10_000) return `${(us / 1000).toFixed(2)} ms`;
  if (us < 1_000_000) return `${(us / 1000).toFixed(1)} ms`;
  return `${(us / 1e6).toFixed(2)} s`;
}

/** Compact count: 950, 12.3k, 1.20M. */
function compact(n: number): string {
  if (n < 1000) return String(Math.round(n));
  if (n < 1e6) return `${(n / 1000).toFixed(n < 10_000 ? 1 : 0)}k`;
  return `${(n / 1e6).toFixed(2)}M`;
}

/** One line of live progress (no newline). */
export function formatProgress(p: StressProgress): string {
  const t = p.phase === 'drain' ? 'drain' : `${(p.elapsedMs / 1000).toFixed(1)}/${(p.durationMs / 1000).toFixed(0)} s`;
  const seen = p.handlers.map((h) => `h${h.handler} ${compact(h.seen)}`).join(' ');
  const p99 = p.handlers.length === 0 ? '' : `  p99 ${p.handlers.map((h) => formatUs(h.p99Us)).join('/')}`;
  const proc = p.proc === undefined ? '' : `  cpu ${Math.round(p.proc.cpuPercent)}%  rss ${Math.round(p.proc.rssBytes / MiB)} MiB`;
  return `[stress] ${t}  sent ${compact(p.sent)} @ ${int(p.sendRate)}/s (target ${int(p.targetRate)})  seen ${seen || '-'}${p99}${proc}`;
}

function verdictLine(r: StressResult): string {
  const l = r.load;
  const pct = `${(l.ratio * 100).toFixed(1)}% of target`;
  if (l.valid) return `VALID (${pct}, limited by: none)`;
  const why: Record<string, string> = {
    generator: "the kit/machine could not send the target rate: these figures are NOT the candidate's",
    backpressure: 'the candidate stopped reading (TCP backpressure): it cannot take the target rate',
    stopped: 'stopped before the end (Ctrl-C)',
    'sink-error': 'a station connection failed (the candidate closed or reset it)',
    none: 'under 98% of the target',
  };
  return `INVALID (${pct}, limited by: ${l.limitedBy}: ${why[l.limitedBy] ?? ''})`;
}

function pad(cells: readonly string[], widths: readonly number[]): string {
  return cells.map((c, i) => (i === 0 ? c.padEnd(widths[i] ?? 0) : c.padStart(widths[i] ?? 0))).join('  ');
}

function table(header: readonly string[], rows: readonly (readonly string[])[]): string[] {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  return [pad(header, widths), ...rows.map((r) => pad(r, widths))];
}

/** The terminal summary of a broker stress run. */
export function renderStressSummary(r: StressResult): string {
  const l = r.load;
  const lat = l.latency;
  const out: string[] = [];
  out.push(`meridian-kit stress: ${r.candidate.name} (${r.candidate.logFormat} log), seed ${r.seed}`);
  out.push(
    `load       ${l.connections} connections, ${int(l.targetRate)} frames/s target, ${l.payload} ${l.sizes} (mean ${int(l.meanPayloadBytes)} B), ` +
      `${(l.durationMs / 1000).toFixed(1)} s, ${r.handlersRequested} handlers${r.slowHandlerMs > 0 ? `, slow handler ${r.slowHandlerMs} ms` : ''}, events: ${r.events.mode}`,
  );
  out.push(`sent       ${int(l.sent)} frames (${(l.bytesSent / 1e6).toFixed(1)} MB) at ${int(l.achievedRate)}/s → ${verdictLine(r)}`);
  const keptUp = l.achievedRate > 0 && l.deliveredRate >= 0.98 * l.achievedRate;
  if (l.latencySource === 'acceptance') out.push('delivered  not observable: the target reports nothing to the kit');
  else
    out.push(
      `delivered  ${int(l.deliveredRate)} frames/s to the slowest fast handler (${((l.deliveredRate / l.targetRate) * 100).toFixed(1)}% of target) → ` +
        (keptUp ? 'the candidate kept up' : 'the candidate FELL BEHIND what was sent'),
    );
  out.push(
    `latency    ${l.latencySource === 'none' ? 'no events' : `fast handlers (${l.latencySource}): p50 ${formatUs(lat.p50Us)}  p90 ${formatUs(lat.p90Us)}  p99 ${formatUs(lat.p99Us)}  p99.9 ${formatUs(lat.p999Us)}  max ${formatUs(lat.maxUs)}  (n=${int(lat.count)})`}`,
  );
  if (l.latencyMethod !== undefined) out.push(`method     ${l.latencyMethod}`);
  if (r.floor !== undefined) {
    const f = r.floor;
    out.push(
      `floor      the kit's own, same load on the null broker (${int(f.durationMs / 1000)} s, ${f.events}${f.valid ? '' : ', INVALID run'}): p50 ${formatUs(f.latency.p50Us)}  p99 ${formatUs(f.latency.p99Us)}  p99.9 ${formatUs(f.latency.p999Us)}; ` +
        `kit send lag p99 ${formatUs(f.sendLag.p99Us)} → candidate p99 = ${f.p99Ratio.toFixed(2)}× the floor`,
    );
  }
  const rows = l.handlers.map((h) => [
    `${h.handler}${h.slow ? ' (slow)' : ''}`,
    h.source,
    int(h.seen),
    int(h.loss),
    `${(h.lossRatio * 100).toFixed(h.lossRatio > 0 && h.lossRatio < 0.001 ? 3 : 1)}%`,
    `${int(h.missedReported)} (${h.missedSource})`,
    int(h.deliveredRate),
    formatUs(h.latency.p50Us),
    formatUs(h.latency.p99Us),
    formatUs(h.latency.maxUs),
  ]);
  if (rows.length > 0) {
    out.push(
      ...table(['handler', 'source', 'seen', 'loss', 'loss %', 'reported missed', 'delivered/s', 'p50', 'p99', 'max'], rows).map(
        (s) => `  ${s}`,
      ),
    );
    out.push('           loss = frames sent − frames the handler was seen processing by the end of the drain window');
  }
  if (r.proc !== undefined) {
    out.push(
      `memory     max RSS ${(r.memory.maxRssBytes / MiB).toFixed(1)} MiB (seed limit ${r.memory.limitBytes / MiB} MiB: ${r.memory.withinLimit ? 'OK' : 'OVER'}); ` +
        `CPU mean ${Math.round(r.proc.meanCpuPercent)}%, max ${Math.round(r.proc.maxCpuPercent)}% of one core`,
    );
  }
  out.push(
    `generator  send lag p50 ${formatUs(l.load.sendLag.p50Us)}, p99 ${formatUs(l.load.sendLag.p99Us)}; backpressure waits ${int(l.load.backpressureWaits)} ` +
      `(longest total per connection ${formatUs(l.load.maxBackpressureUs)}); drain ${l.drain.complete ? 'complete' : 'incomplete'} after ${int(l.drain.waitedMs)} ms`,
  );
  if (l.matching.surplus > 0 || l.matching.unknown > 0)
    out.push(`matching   ${int(l.matching.surplus)} surplus events, ${int(l.matching.unknown)} events for unknown stations`);
  for (const note of [...new Set(r.notes)]) out.push(`note       ${note}`);
  return out.join('\n');
}

const secondsOf = (atUs: number, originUs: number): number => +((atUs - originUs) / 1e6).toFixed(3);

/** The plots of a run: latency over time, rates, memory, CPU. */
export function stressPlots(r: StressResult): StressPlot[] {
  const l = r.load;
  const plots: StressPlot[] = [];
  const ms = (us: number): number => us / 1000;
  const spectrum = l.latencySpectrum ?? [];
  if (spectrum.length > 0) {
    plots.push({
      title: `Latency percentile spectrum, fast handlers (${l.latencySource})`,
      xLabel: 'percentile (each step one more nine)',
      yLabel: 'ms',
      xAxis: 'nines',
      series: [
        { name: r.candidate.name, points: spectrum.map((p) => [p.percentile, ms(p.valueUs)]) },
        ...(r.floor?.spectrum !== undefined && r.floor.spectrum.length > 0
          ? [
              {
                name: 'kit floor (null broker, same load)',
                points: r.floor.spectrum.map((p): [number, number] => [p.percentile, ms(p.valueUs)]),
              },
            ]
          : []),
      ],
    });
  }
  plots.push({
    title: `Latency over time, fast handlers (${l.latencySource})`,
    xLabel: 'second of the run (by scheduled send time)',
    yLabel: 'ms',
    series: [
      { name: 'p50', points: l.latencySeries.map((p) => [p.index, ms(p.p50Us)]) },
      { name: 'p99', points: l.latencySeries.map((p) => [p.index, ms(p.p99Us)]) },
      { name: 'max', points: l.latencySeries.map((p) => [p.index, ms(p.maxUs)]) },
    ],
  });
  const slow = l.handlers.find((h) => h.slow);
  if (slow !== undefined && slow.latencySeries.length > 0) {
    plots.push({
      title: `Latency over time, slow handler ${slow.handler}`,
      xLabel: 'second of the run (by scheduled send time)',
      yLabel: 'ms',
      series: [
        { name: 'p50', points: slow.latencySeries.map((p) => [p.index, ms(p.p50Us)]) },
        { name: 'p99', points: slow.latencySeries.map((p) => [p.index, ms(p.p99Us)]) },
      ],
    });
  }
  plots.push({
    title: 'Rate',
    xLabel: 'second of the run',
    yLabel: 'frames/s',
    series: [
      { name: 'sent', points: l.rateSeries.map((p) => [p.second, p.sent]) },
      ...l.handlers.map((h) => ({
        name: `handler ${h.handler}${h.slow ? ' (slow)' : ''}`,
        points: l.rateSeries.map((p): [number, number] => [p.second, p.delivered[h.handler] ?? 0]),
      })),
    ],
  });
  if (r.proc !== undefined && r.proc.samples.length > 0) {
    plots.push({
      title: 'Candidate resident memory',
      xLabel: 'second of the run',
      yLabel: 'MiB',
      series: [{ name: 'RSS', points: r.proc.samples.map((s) => [secondsOf(s.atUs, l.originUs), s.rssBytes / MiB]) }],
    });
    plots.push({
      title: 'Candidate CPU',
      xLabel: 'second of the run',
      yLabel: '% of one core',
      series: [{ name: 'CPU', points: r.proc.samples.map((s) => [secondsOf(s.atUs, l.originUs), s.cpuPercent]) }],
    });
  }
  return plots;
}

const esc = (s: string): string =>
  s.replace(/[<>&"']/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;', "'": '&#39;' })[c] as string);

/** Shared page chrome (same style as the grade report). */
export function htmlPage(title: string, body: string): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${esc(title)}</title>
<style>
body{font:14px/1.45 system-ui,sans-serif;margin:2rem auto;max-width:1100px;padding:0 1rem;color:#1f2328}
table{border-collapse:collapse;width:100%;margin:.5rem 0 1rem}td,th{border-bottom:1px solid #d0d7de;padding:4px 8px;text-align:left;vertical-align:top}
.num{text-align:right;white-space:nowrap}
.badge{color:#fff;border-radius:4px;padding:1px 6px;font-size:12px;font-weight:600;white-space:nowrap}
pre{background:#f6f8fa;padding:8px;overflow-x:auto;font-size:12px}
</style></head><body>
${body}
</body></html>
`;
}

export function badge(ok: boolean, text: string): string {
  return `<span class="badge" style="background:${ok ? '#1a7f37' : '#cf222e'}">${esc(text)}</span>`;
}

/** The self-contained HTML page of a broker stress run. */
export function renderStressHtml(r: StressResult): string {
  const l = r.load;
  const kv = (rows: readonly [string, string][]): string =>
    `<table>${rows.map(([k, v]) => `<tr><th>${esc(k)}</th><td>${v}</td></tr>`).join('')}</table>`;
  const lat = l.latency;
  const handlerRows = l.handlers
    .map(
      (h) =>
        `<tr><td>${h.handler}${h.slow ? ' (slow)' : ''}</td><td>${h.source}</td><td class="num">${int(h.seen)}</td><td class="num">${int(h.loss)}</td>` +
        `<td class="num">${(h.lossRatio * 100).toFixed(2)}%</td><td class="num">${int(h.missedReported)} (${h.missedSource})</td><td class="num">${int(h.deliveredRate)}</td>` +
        `<td class="num">${formatUs(h.latency.p50Us)}</td><td class="num">${formatUs(h.latency.p90Us)}</td><td class="num">${formatUs(h.latency.p99Us)}</td>` +
        `<td class="num">${formatUs(h.latency.p999Us)}</td><td class="num">${formatUs(h.latency.maxUs)}</td></tr>`,
    )
    .join('');
  const body = `<h1>Stress: ${esc(r.candidate.name)} ${badge(l.valid, l.valid ? 'VALID' : `INVALID: ${l.limitedBy}`)}</h1>
<p>${esc(r.startedAt)} · seed <code>${r.seed}</code> · manifest <code>${esc(r.candidate.manifest)}</code></p>
${kv([
  [
    'Load',
    esc(
      `${l.connections} connections, ${int(l.targetRate)} frames/s, ${l.payload} ${l.sizes} (mean ${int(l.meanPayloadBytes)} B), ${(l.durationMs / 1000).toFixed(1)} s, ${r.handlersRequested} handlers${r.slowHandlerMs > 0 ? `, slow handler ${r.slowHandlerMs} ms` : ''}, events: ${r.events.mode}`,
    ),
  ],
  ['Sent', esc(`${int(l.sent)} frames at ${int(l.achievedRate)}/s (${(l.ratio * 100).toFixed(1)}% of target), limited by: ${l.limitedBy}`)],
  ['Delivered', esc(`${int(l.deliveredRate)} frames/s to the slowest fast handler`)],
  [
    'Latency (fast handlers)',
    esc(
      `p50 ${formatUs(lat.p50Us)} · p90 ${formatUs(lat.p90Us)} · p99 ${formatUs(lat.p99Us)} · p99.9 ${formatUs(lat.p999Us)} · max ${formatUs(lat.maxUs)} (n=${int(lat.count)}, ${l.latencySource})`,
    ),
  ],
  ['Latency method', esc(l.latencyMethod ?? l.latencySource)],
  [
    'Kit floor',
    r.floor === undefined
      ? 'not measured'
      : esc(
          `null broker, same load (${(r.floor.durationMs / 1000).toFixed(0)} s, ${r.floor.events}): p50 ${formatUs(r.floor.latency.p50Us)} · p99 ${formatUs(r.floor.latency.p99Us)} · p99.9 ${formatUs(r.floor.latency.p999Us)}; kit send lag p99 ${formatUs(r.floor.sendLag.p99Us)}; candidate p99 = ${r.floor.p99Ratio.toFixed(2)}× the floor${r.floor.valid ? '' : ' (floor run INVALID: machine too busy)'}`,
        ),
  ],
  [
    'Memory',
    r.proc === undefined
      ? 'not sampled'
      : `${esc(`max RSS ${(r.memory.maxRssBytes / MiB).toFixed(1)} MiB of ${r.memory.limitBytes / MiB} MiB`)} ${badge(r.memory.withinLimit, r.memory.withinLimit ? 'OK' : 'OVER')}`,
  ],
  [
    'CPU',
    r.proc === undefined
      ? 'not sampled'
      : esc(`mean ${Math.round(r.proc.meanCpuPercent)}%, max ${Math.round(r.proc.maxCpuPercent)}% of one core`),
  ],
  [
    'Generator',
    esc(
      `send lag p50 ${formatUs(l.load.sendLag.p50Us)}, p99 ${formatUs(l.load.sendLag.p99Us)}; ${int(l.load.backpressureWaits)} backpressure waits; drain ${l.drain.complete ? 'complete' : 'incomplete'} after ${l.drain.waitedMs} ms`,
    ),
  ],
])}
<h2>Handlers</h2>
<p>Loss = frames sent − frames the handler was seen processing by the end of the drain window. Latency = when the kit read the handler's event − when the frame was scheduled.</p>
<table><thead><tr><th>Handler</th><th>Source</th><th>Seen</th><th>Loss</th><th>Loss %</th><th>Reported missed</th><th>Delivered/s</th><th>p50</th><th>p90</th><th>p99</th><th>p99.9</th><th>max</th></tr></thead><tbody>${handlerRows}</tbody></table>
<h2>Plots</h2>
${stressPlots(r)
  .map((p) => renderStressPlot(p))
  .join('\n')}
${r.notes.length > 0 ? `<h2>Notes</h2><pre>${esc([...new Set(r.notes)].join('\n'))}</pre>` : ''}
<h2>Candidate's last log lines</h2><pre>${esc(r.logs.join('\n'))}</pre>`;
  return htmlPage(`meridian-kit stress: ${r.candidate.name}`, body);
}
