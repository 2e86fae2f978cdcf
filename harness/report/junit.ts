import { xml as escapeXml, xmlLines } from './candidate-text.ts';
import { candidateKey } from './batch.ts';
import type { GradeReport } from './report.ts';

/** JUnit XML: one testsuite per candidate, one testcase per check; NOT TESTABLE and ADVISORY are skipped. */
export function renderJunit(report: GradeReport): string {
  const suites = report.candidates.map((c) => {
    const key = candidateKey(c);
    const props = `    <properties><property name="manifest" value="${escapeXml(c.manifest)}"/><property name="seed" value="${report.seed}"/><property name="kitVersion" value="${escapeXml(report.kitVersion ?? '')}"/></properties>`;
    if (c.failure) {
      const body = [`${c.failure.code}: ${c.failure.message}`, ...c.failure.logTail].join('\n');
      return `  <testsuite name="${escapeXml(key)}" tests="1" failures="1" errors="0" skipped="0" time="${(c.durationMs / 1000).toFixed(3)}">\n${props}\n    <testcase classname="${escapeXml(`${c.system}.${key}`)}" name="load and build" time="${(c.durationMs / 1000).toFixed(3)}"><failure message="${escapeXml(`${c.failure.code}: ${c.failure.message}`)}">${escapeXml(body)}</failure></testcase>\n  </testsuite>`;
    }
    const failures = c.checks.filter((x) => x.verdict === 'FAIL' || x.verdict === 'FLAKY' || x.verdict === 'UNKNOWN').length;
    const errors = c.checks.filter((x) => x.verdict === 'ERROR').length;
    const skipped = c.checks.filter((x) => x.verdict === 'NOT_TESTABLE' || x.verdict === 'ADVISORY').length;
    const cases = c.checks.map((x) => {
      const body = [
        x.evidence.summary,
        ...(x.evidence.observed ?? []).slice(-8),
        ...(x.evidence.logs ?? []).slice(-8),
        `replay: ${x.replay}`,
      ];
      let inner = '';
      if (x.verdict === 'FAIL' || x.verdict === 'FLAKY' || x.verdict === 'UNKNOWN')
        inner = `<failure message="${escapeXml(`${x.verdict}: ${x.evidence.summary}`)}">${xmlLines(body)}</failure>`;
      else if (x.verdict === 'ERROR') inner = `<error message="${escapeXml(x.evidence.summary)}">${xmlLines(body)}</error>`;
      else if (x.verdict === 'NOT_TESTABLE' || x.verdict === 'ADVISORY')
        inner = `<skipped message="${escapeXml(`${x.verdict}: ${x.evidence.summary}`)}"/>`;
      return `    <testcase classname="${escapeXml(`${c.system}.${key}`)}" name="${escapeXml(`${x.id} (${x.level})`)}" time="${(x.durationMs / 1000).toFixed(3)}">${inner}</testcase>`;
    });
    return `  <testsuite name="${escapeXml(key)}" tests="${c.checks.length}" failures="${failures}" errors="${errors}" skipped="${skipped}" time="${(c.durationMs / 1000).toFixed(3)}">\n${props}\n${cases.join('\n')}\n  </testsuite>`;
  });
  return `<?xml version="1.0" encoding="UTF-8"?>\n<testsuites name="meridian-kit ${escapeXml(report.kitVersion ?? '')}" seed="${report.seed}">\n${suites.join('\n')}\n</testsuites>\n`;
}
