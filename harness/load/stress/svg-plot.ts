/**
 * The stress page's charts: inline SVG, no scripts, no external assets. Unlike the report's compact
 * plot, every chart here has its title on a line of its own, the legend on the lines below it (wrapped,
 * never over the title or the data), labelled ticks on both axes at round values, and an optional
 * "nines" x axis for percentile spectra (50%, 90%, 99%, 99.9% … evenly spaced, so the tail gets the room).
 *
 * @module
 */
import type { Plot } from '../../common/plot.ts';

/** A chart: the report's {@link Plot}, plus an x axis kind. */
export interface StressPlot extends Plot {
  /** `linear` (default) or `nines`: x is a percentile 0–100 drawn at −log10(1 − p/100). */
  readonly xAxis?: 'linear' | 'nines';
}

const esc = (s: string): string => s.replace(/[<>&"]/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;' })[c] as string);
const PALETTE = ['#1f77b4', '#d62728', '#2ca02c', '#9467bd', '#ff7f0e', '#17becf', '#8c564b', '#e377c2'];
/** Approximate width of one character at the legend's 11 px font. */
const CHAR_PX = 6.6;
/** The largest nines shown (99.999%); the max is drawn one step further. */
const MAX_NINES = 5;

/** Round tick values covering [0, max]: 4–8 steps of 1, 2 or 5 × 10^k. */
export function niceTicks(max: number, min = 0): number[] {
  const span = Math.max(max - min, 1e-9);
  const raw = span / 5;
  const p = 10 ** Math.floor(Math.log10(raw));
  const step = ([1, 2, 5, 10].map((m) => m * p).find((s) => span / s <= 8) ?? 10 * p) as number;
  const first = Math.floor(min / step) * step;
  const ticks: number[] = [];
  for (let v = first; v < max + step * 0.999; v += step) ticks.push(+v.toPrecision(12));
  return ticks;
}

/** x position (in nines) of a percentile: 0 → 0, 90 → 1, 99 → 2, 100 → MAX_NINES + 1. */
export function ninesOf(percentile: number): number {
  if (percentile >= 100) return MAX_NINES + 1;
  return Math.min(MAX_NINES, -Math.log10(1 - percentile / 100));
}

const label = (v: number): string => {
  const a = Math.abs(v);
  if (a >= 1e6) return `${+(v / 1e6).toPrecision(3)}M`;
  if (a >= 1e3) return `${+(v / 1e3).toPrecision(3)}k`;
  return `${+v.toPrecision(3)}`;
};

/** Legend rows: items laid left to right, wrapped to `width`. */
function legendRows(names: readonly string[], width: number): { name: string; index: number; x: number; row: number }[] {
  const out: { name: string; index: number; x: number; row: number }[] = [];
  let x = 0;
  let row = 0;
  names.forEach((name, index) => {
    const w = (name.length + 2) * CHAR_PX + 14;
    if (x > 0 && x + w > width) {
      row++;
      x = 0;
    }
    out.push({ name, index, x, row });
    x += w;
  });
  return out;
}

/** Render `plot` as an inline SVG; see the module doc. */
export function renderStressPlot(plot: StressPlot, width = 720, plotHeight = 220): string {
  const nines = plot.xAxis === 'nines';
  const all = plot.series.flatMap((s) => s.points);
  if (all.length === 0) return `<p><em>${esc(plot.title)}: no data</em></p>`;
  const legend = legendRows(
    plot.series.map((s) => s.name),
    width - 80,
  );
  const legendLines = (legend[legend.length - 1]?.row ?? 0) + 1;
  const pad = { l: 64, r: 20, t: 26 + legendLines * 16 + 8, b: 46 };
  const height = pad.t + plotHeight + pad.b;
  const xs = all.map((p) => (nines ? ninesOf(p[0]) : p[0]));
  const xMin = nines ? 0 : Math.min(...xs);
  const xMax = nines ? MAX_NINES + 1 : Math.max(...xs, xMin + 1e-9);
  const yTicks = niceTicks(Math.max(...all.map((p) => p[1]), 1e-9));
  const yMax = yTicks[yTicks.length - 1] as number;
  const x = (v: number): number => pad.l + (((nines ? ninesOf(v) : v) - xMin) / (xMax - xMin)) * (width - pad.l - pad.r);
  const xr = (n: number): number => pad.l + ((n - xMin) / (xMax - xMin)) * (width - pad.l - pad.r);
  const y = (v: number): number => pad.t + plotHeight - (v / yMax) * plotHeight;
  const xTicks: { at: number; text: string }[] = nines
    ? [
        { at: 0, text: '0%' },
        { at: ninesOf(50), text: '50%' },
        ...Array.from({ length: MAX_NINES }, (_, i) => ({ at: i + 1, text: `${+(100 - 100 / 10 ** (i + 1)).toFixed(i + 1)}%` })),
        { at: MAX_NINES + 1, text: 'max' },
      ]
    : niceTicks(xMax, xMin)
        .filter((t) => t >= xMin - 1e-9 && t <= xMax + 1e-9)
        .map((t) => ({ at: t, text: label(t) }));
  const paths = plot.series.map((s, i) => {
    const d = s.points.map((p, k) => `${k === 0 ? 'M' : 'L'}${x(p[0]).toFixed(1)},${y(p[1]).toFixed(1)}`).join(' ');
    const dots =
      s.points.length <= 40
        ? s.points
            .map((p) => `<circle cx="${x(p[0]).toFixed(1)}" cy="${y(p[1]).toFixed(1)}" r="2" fill="${PALETTE[i % PALETTE.length]}"/>`)
            .join('')
        : '';
    return `<path d="${d}" fill="none" stroke="${PALETTE[i % PALETTE.length]}" stroke-width="1.6"/>${dots}`;
  });
  const base = pad.t + plotHeight;
  return `<svg width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" role="img" aria-label="${esc(plot.title)}" font-family="sans-serif">
<text x="${pad.l}" y="18" font-size="13" font-weight="bold">${esc(plot.title)}</text>
${legend.map((item) => `<g transform="translate(${pad.l + item.x},${26 + item.row * 16})"><rect y="2" width="10" height="10" fill="${PALETTE[item.index % PALETTE.length]}"/><text x="14" y="11" font-size="11">${esc(item.name)}</text></g>`).join('')}
${yTicks.map((t) => `<line x1="${pad.l}" x2="${width - pad.r}" y1="${y(t).toFixed(1)}" y2="${y(t).toFixed(1)}" stroke="#e4e4e4"/><text x="${pad.l - 6}" y="${(y(t) + 4).toFixed(1)}" font-size="10" text-anchor="end">${label(t)}</text>`).join('\n')}
${xTicks.map((t) => `<line x1="${xr(t.at).toFixed(1)}" x2="${xr(t.at).toFixed(1)}" y1="${base}" y2="${base + 4}" stroke="#888"/><text x="${xr(t.at).toFixed(1)}" y="${base + 16}" font-size="10" text-anchor="middle">${esc(t.text)}</text>`).join('\n')}
<line x1="${pad.l}" x2="${width - pad.r}" y1="${base}" y2="${base}" stroke="#888"/><line x1="${pad.l}" x2="${pad.l}" y1="${pad.t}" y2="${base}" stroke="#888"/>
<text x="${(pad.l + width - pad.r) / 2}" y="${height - 8}" font-size="11" text-anchor="middle">${esc(plot.xLabel)}</text>
<text x="16" y="${pad.t + plotHeight / 2}" font-size="11" text-anchor="middle" transform="rotate(-90 16 ${pad.t + plotHeight / 2})">${esc(plot.yLabel)}</text>
${paths.join('\n')}
</svg>`;
}
