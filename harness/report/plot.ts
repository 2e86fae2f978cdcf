import type { Plot } from '../common/plot.ts';
import { html } from './candidate-text.ts';

const esc = html;
const PALETTE = ['#1f77b4', '#d62728', '#2ca02c', '#9467bd', '#ff7f0e', '#17becf'];

function niceMax(v: number): number {
  if (v <= 0) return 1;
  const p = 10 ** Math.floor(Math.log10(v));
  return Math.ceil(v / p) * p;
}

/** An inline SVG line chart: no scripts, no external assets, readable when printed. */
export function renderSvgPlot(plot: Plot, width = 640, height = 260): string {
  const pad = { l: 56, r: 16, t: 28, b: 40 };
  const all = plot.series.flatMap((s) => s.points);
  if (all.length === 0) return `<p><em>${esc(plot.title)}: no data</em></p>`;
  const xMin = Math.min(...all.map((p) => p[0]));
  const xMax = Math.max(...all.map((p) => p[0]), xMin + 1e-9);
  const yMax = niceMax(Math.max(...all.map((p) => p[1])));
  const x = (v: number): number => pad.l + ((v - xMin) / (xMax - xMin)) * (width - pad.l - pad.r);
  const y = (v: number): number => height - pad.b - (v / yMax) * (height - pad.t - pad.b);
  const ticks = [0, 0.25, 0.5, 0.75, 1].map((f) => f * yMax);
  const lines = plot.series.map((s, i) => {
    const d = s.points.map((p, k) => `${k === 0 ? 'M' : 'L'}${x(p[0]).toFixed(1)},${y(p[1]).toFixed(1)}`).join(' ');
    return `<path d="${d}" fill="none" stroke="${PALETTE[i % PALETTE.length]}" stroke-width="1.6"/>`;
  });
  const legend = plot.series.map((s, i) => `<tspan fill="${PALETTE[i % PALETTE.length]}">■ ${esc(s.name)}</tspan>`).join(' ');
  return `<svg width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" role="img" aria-label="${esc(plot.title)}">
<text x="${pad.l}" y="16" font-size="13" font-weight="bold">${esc(plot.title)}</text>
<text x="${width - pad.r}" y="16" font-size="11" text-anchor="end">${legend}</text>
${ticks.map((t) => `<line x1="${pad.l}" x2="${width - pad.r}" y1="${y(t)}" y2="${y(t)}" stroke="#ddd"/><text x="${pad.l - 6}" y="${y(t) + 4}" font-size="10" text-anchor="end">${+t.toPrecision(3)}</text>`).join('\n')}
<text x="${pad.l}" y="${height - 22}" font-size="10">${+xMin.toPrecision(3)}</text><text x="${width - pad.r}" y="${height - 22}" font-size="10" text-anchor="end">${+xMax.toPrecision(3)}</text>
<text x="${(pad.l + width - pad.r) / 2}" y="${height - 6}" font-size="11" text-anchor="middle">${esc(plot.xLabel)}</text>
<text x="14" y="${(pad.t + height - pad.b) / 2}" font-size="11" text-anchor="middle" transform="rotate(-90 14 ${(pad.t + height - pad.b) / 2})">${esc(plot.yLabel)}</text>
${lines.join('\n')}
</svg>`;
}
