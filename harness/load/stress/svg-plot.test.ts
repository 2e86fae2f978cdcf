import { describe, expect, it } from 'vitest';
import { niceTicks, ninesOf, renderStressPlot } from './svg-plot.ts';

describe('stress plots', () => {
  it('puts ticks on round values covering the data', () => {
    expect(niceTicks(37)).toEqual([0, 5, 10, 15, 20, 25, 30, 35, 40]);
    expect(niceTicks(1)).toEqual([0, 0.2, 0.4, 0.6, 0.8, 1]);
    expect(niceTicks(14_000)).toEqual([0, 2_000, 4_000, 6_000, 8_000, 10_000, 12_000, 14_000]);
    expect(niceTicks(29, 3)).toEqual([0, 5, 10, 15, 20, 25, 30]);
  });

  it('spaces percentiles by nines', () => {
    expect([ninesOf(0), ninesOf(90), ninesOf(99), ninesOf(99.9), ninesOf(100)].map((v) => +v.toFixed(9))).toEqual([0, 1, 2, 3, 6]);
  });

  it('keeps the legend below the title and out of the plot, wraps it, and labels both axes', () => {
    const names = Array.from({ length: 9 }, (_, i) => `handler ${i} with a long name`);
    const svg = renderStressPlot({
      title: 'Rate',
      xLabel: 'second',
      yLabel: 'frames/s',
      series: names.map((name, i) => ({
        name,
        points: [
          [0, i],
          [10, 10_000 + i],
        ],
      })),
    });
    const legendYs = [...svg.matchAll(/<g transform="translate\(([\d.]+),(\d+)\)">/g)].map((m) => Number(m[2]));
    expect(legendYs.length).toBe(9);
    expect(Math.min(...legendYs)).toBeGreaterThan(18); // below the title's baseline
    expect(new Set(legendYs).size).toBeGreaterThan(1); // wrapped
    const plotTop = Number(/<line x1="64" x2="64" y1="(\d+)"/.exec(svg)?.[1]);
    expect(plotTop).toBeGreaterThan(Math.max(...legendYs) + 10);
    for (const tick of ['0', '2k', '4k', '10k', '12k']) expect(svg).toContain(`>${tick}</text>`);
    for (const tick of ['0', '2', '4', '10']) expect(svg).toContain(`text-anchor="middle">${tick}</text>`);
    const spectrum = renderStressPlot({
      title: 'Spectrum',
      xLabel: 'percentile',
      yLabel: 'ms',
      xAxis: 'nines',
      series: [
        {
          name: 'c',
          points: [
            [50, 1],
            [99, 3],
            [100, 9],
          ],
        },
      ],
    });
    for (const tick of ['50%', '90%', '99%', '99.9%', '99.99%', 'max']) expect(spectrum).toContain(`>${tick}</text>`);
  });
});
