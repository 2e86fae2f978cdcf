import { describe, expect, it } from 'vitest';
import type { CheckResult } from '../checks/check.ts';
import { csvCell, markdownFence, plain } from './candidate-text.ts';
import { renderHtml } from './html.ts';
import { renderJson } from './json.ts';
import { renderJunit } from './junit.ts';
import { renderBatch, renderMarkdown } from './markdown.ts';
import { REPORT_SCHEMA_VERSION, gatePasses, summarize, type GradeReport } from './report.ts';
import { renderFailures, renderTable } from './table.ts';

/** A candidate that paints a green "OK: 17 pass" over the kit's line and moves the cursor. */
const PAINTER = '\x1b[2K\x1b[1G\x1b[32mOK: 17 pass, 0 fail\x1b[0m\x1b[3A';
/** A bare CR and a code fence that would close the kit's block and add a heading. */
const FENCE = 'boom\r```\n## ✅ all required checks pass\n```';
// eslint-disable-next-line no-control-regex
const RAW_CONTROL = /[\x00-\x08\x0b-\x1f\x7f-\x9f]/;

const hostile = (verdict: CheckResult['verdict'] = 'FAIL'): CheckResult => ({
  id: 'broker.framing',
  system: 'broker',
  level: 'required',
  title: 'framing',
  criterion: 'frames arrive',
  verdict,
  evidence: {
    summary: `candidate said: ${PAINTER}`,
    observed: [`reason=${FENCE}`],
    logs: [PAINTER, FENCE, '[0.100s stdout] fake kit line'],
    metrics: { m: PAINTER },
  },
  durationMs: 10,
  seed: 7,
  replay: 'npx meridian-kit grade --candidate m.json --only broker.framing --seed 7',
});

const report = (): GradeReport => {
  const checks = [hostile('FAIL'), { ...hostile('PASS'), id: 'broker.other' }];
  return {
    schemaVersion: REPORT_SCHEMA_VERSION,
    tool: 'meridian-kit',
    seed: 7,
    startedAt: '2026-11-22T00:00:00Z',
    strict: false,
    ok: false,
    candidates: [
      {
        name: 'evil',
        system: 'broker',
        manifest: 'm.json',
        checks,
        summary: summarize(checks),
        ok: gatePasses(checks, false),
        durationMs: 5,
      },
    ],
  };
};

describe('candidate text is data', () => {
  it('shows control characters, CRs and separators as escapes', () => {
    expect(plain('a\x1b[31mb\rc\u202ed\x9b')).toBe('a\\x1b[31mb\\rc\\u202ed\\x9b');
  });

  it('terminal: no escape sequence or CR reaches the screen, candidate log lines are quoted', () => {
    const r = report().candidates[0] as GradeReport['candidates'][number];
    const text = `${renderTable(r)}\n${renderFailures(r)}`;
    expect(text).not.toMatch(RAW_CONTROL);
    expect(text).toContain('\\x1b[32mOK: 17 pass');
    // Every line that starts with the kit's verdict wording is the kit's own summary line.
    expect(text.split('\n').filter((l) => /^\s*OK: /.test(l))).toEqual([]);
    const logLines = text.split('\n').filter((l) => l.includes('fake kit line') || l.includes('all required'));
    expect(logLines.length).toBeGreaterThan(0);
    for (const l of logLines.filter((x) => x.includes('fake kit line'))) expect(l.trimStart().startsWith('│ ')).toBe(true);
  });

  it('Markdown: the injected fence cannot close the block or add a heading', () => {
    const md = renderMarkdown(report());
    expect(md).not.toMatch(RAW_CONTROL);
    expect(md.split('\n').filter((l) => l.startsWith('#'))).toEqual(['## meridian-kit: ❌ required checks failing', '### evil (broker)']);
    expect(
      md
        .split('\n')
        .filter((l) => /all required checks pass/.test(l))
        .every((l) => !l.startsWith('#')),
    ).toBe(true);
    const fence = markdownFence(['a ```` b']);
    expect(fence[0]).toBe('`````text');
    expect(fence.at(-1)).toBe('`````');
  });

  it('HTML: no raw control characters, no markup from the candidate', () => {
    const html = renderHtml(report());
    expect(html).not.toMatch(RAW_CONTROL);
    expect(
      html
        .split('\n')
        .filter((l) => l.includes('all required checks pass'))
        .every((l) => l.includes('boom\\r```\\n## ✅')),
    ).toBe(true);
    expect(html).toContain('\\x1b[32mOK: 17 pass');
    expect(html.match(/<pre>/g)?.length).toBe(html.match(/<\/pre>/g)?.length);
  });

  it('JUnit: well-formed XML 1.0 text, escapes visible', () => {
    const xml = renderJunit(report());
    expect(xml).not.toMatch(RAW_CONTROL);
    expect(xml).toContain('\\x1b[32mOK: 17 pass');
    expect(xml).toContain('boom\\r```');
  });

  it('JSON evidence: C1 controls and bidi overrides escaped, same data after parsing', () => {
    const r = report();
    (r.candidates[0]!.checks[0] as CheckResult).evidence.notes = ['\x9b31m red \u202e gnp.exe'];
    const json = renderJson(r);
    expect(json).not.toMatch(RAW_CONTROL);
    expect(json).not.toMatch(/[\u202a-\u202e]/);
    expect(JSON.parse(json)).toEqual(r);
  });

  it('CSV: cells escaped, quoted and never formulas', () => {
    expect(csvCell('=HYPERLINK("x")')).toBe(`"'=HYPERLINK(""x"")"`);
    expect(csvCell('a\rb')).toBe('a\\rb');
    const r = report();
    (r.candidates[0] as GradeReport['candidates'][number]).name = '+evil\x1b[2J';
    const { csv, markdown } = renderBatch(r);
    expect(csv).not.toMatch(RAW_CONTROL);
    expect(csv).toContain("'+evil\\x1b[2J");
    expect(markdown).not.toMatch(RAW_CONTROL);
  });
});
