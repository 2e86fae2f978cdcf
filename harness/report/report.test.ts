import { describe, expect, it } from 'vitest';
import type { CheckResult } from '../checks/check.ts';
import { renderHtml } from './html.ts';
import { renderJunit } from './junit.ts';
import { renderBatch, renderMarkdown } from './markdown.ts';
import { REPORT_SCHEMA_VERSION, gatePasses, summarize, type GradeReport } from './report.ts';

const check = (id: string, verdict: CheckResult['verdict'], level: CheckResult['level'] = 'required'): CheckResult => ({
  id,
  system: 'broker',
  level,
  title: id,
  criterion: 'frames <arrive> & "stay" in order',
  verdict,
  evidence: {
    summary: `${verdict} <b>`,
    sent: ['a: 5 bytes'],
    observed: ['x'],
    logs: ['l'],
    data: {
      plots: [
        {
          title: 'p',
          xLabel: 's',
          yLabel: 'ms',
          series: [
            {
              name: 'p99',
              points: [
                [0, 1],
                [1, 3],
              ],
            },
          ],
        },
      ],
      timeline: [{ atMs: 1200, kind: 'net.partition', details: { a: ['n0'] } }],
    },
  },
  durationMs: 1234,
  seed: 7,
  replay: `npx meridian-kit grade --candidate m.json --only ${id} --seed 7`,
});

const report = (checks: CheckResult[], name = 'cand'): GradeReport => ({
  schemaVersion: REPORT_SCHEMA_VERSION,
  tool: 'meridian-kit',
  seed: 7,
  startedAt: '2026-11-22T00:00:00Z',
  strict: false,
  ok: false,
  candidates: [
    { name, system: 'broker', manifest: 'm.json', checks, summary: summarize(checks), ok: gatePasses(checks, false), durationMs: 5 },
  ],
});

describe('gate', () => {
  it('passes only when every required check passes; advisory never gates; zero gated checks never pass', () => {
    expect(gatePasses([check('a', 'PASS'), check('b', 'ADVISORY', 'advisory')], false)).toBe(true);
    expect(gatePasses([check('a', 'PASS'), check('r', 'FAIL', 'recommended')], false)).toBe(true);
    expect(gatePasses([check('a', 'PASS'), check('r', 'FAIL', 'recommended')], true)).toBe(false);
    expect(gatePasses([check('a', 'NOT_TESTABLE')], false)).toBe(false);
    expect(gatePasses([check('a', 'FLAKY')], false)).toBe(false);
    expect(gatePasses([check('b', 'ADVISORY', 'advisory')], false)).toBe(false);
  });
});

describe('renderers', () => {
  const r = report([check('broker.framing', 'FAIL'), check('broker.2-fanout', 'PASS')]);
  it('html is self-contained, escaped, with evidence, plots, timeline and replay', () => {
    const html = renderHtml(r);
    expect(html).not.toMatch(/<script|https?:\/\//);
    expect(html).toContain('&lt;arrive&gt;');
    expect(html).toContain('<svg');
    expect(html).toContain('net.partition');
    expect(html).toContain('--only broker.framing --seed 7');
  });
  it('markdown lists failures with their replay command', () => {
    const md = renderMarkdown(r);
    expect(md).toContain('| `broker.framing` | required | ❌ FAIL |');
    expect(md).toContain('npx meridian-kit grade --candidate m.json --only broker.framing --seed 7');
  });
  it('junit counts failures and escapes text', () => {
    const xml = renderJunit(r);
    expect(xml).toContain('failures="1"');
    expect(xml).toContain('&lt;b&gt;');
    expect(xml.match(/<testcase /g)).toHaveLength(2);
  });
  it('batch tables have a row per candidate and a column per check', () => {
    const both: GradeReport = { ...r, candidates: [...r.candidates, ...report([check('broker.framing', 'PASS')], 'other').candidates] };
    const { csv, markdown } = renderBatch(both);
    expect(csv.trim().split('\n')).toEqual([
      'candidate,manifest,system,ok,score,reason,log_tail,broker.framing,broker.2-fanout',
      'cand,m.json,broker,false,1/2,broker.framing FAIL,,FAIL,PASS',
      'other,m.json,broker,true,1/1,,,PASS,',
    ]);
    expect(markdown).toContain('| other | m.json | 1/1 | ✅ | ✅ | · |');
  });
});
