import type { System } from './kit-cli.ts';
import { MUTATION_TARGETS } from './targets.ts';

export interface FileCoverage {
  readonly file: string;
  readonly lines: number;
  readonly linesHit: number;
  readonly branches: number;
  readonly branchesHit: number;
  /** Line ranges no statement of which ran ("3-7, 12"). */
  readonly uncoveredLines: string;
  /** Lines where a branch was never taken. */
  readonly missedBranchLines: string;
}

export interface SystemCoverage {
  readonly system: System;
  readonly checks: string;
  readonly seed: number;
  readonly gradeExit: number | null;
  readonly gradeSummary: string;
  readonly seconds: number;
  readonly measuredAt: string;
  readonly files: readonly FileCoverage[];
}

/** Collapses sorted line numbers into "3-7, 12" ranges. */
export function lineRanges(lines: readonly number[]): string {
  const sorted = [...new Set(lines)].sort((a, b) => a - b);
  const parts: string[] = [];
  for (let i = 0; i < sorted.length; ) {
    let j = i;
    while (j + 1 < sorted.length && (sorted[j + 1] as number) === (sorted[j] as number) + 1) j++;
    parts.push(i === j ? `${sorted[i]}` : `${sorted[i]}-${sorted[j]}`);
    i = j + 1;
  }
  return parts.join(', ');
}

const pct = (hit: number, total: number): string => (total === 0 ? '—' : `${((hit / total) * 100).toFixed(1)}%`);

/** The coverage section of docs/mutation.md: totals per system, then per file with the unreached lines. */
export function renderCoverage(systems: readonly SystemCoverage[]): string {
  const protocol = new Set(MUTATION_TARGETS.map((t) => t.file));
  const out: string[] = [];
  out.push('Measured by `npm run coverage` (V8 coverage of the reference processes while the kit grades them, via');
  out.push('NODE_V8_COVERAGE and c8; lines and branches of the TypeScript sources). **Protocol** files are the ones');
  out.push('mutation testing mutates; their unreached lines are gaps like surviving mutants. Test files are excluded.');
  out.push('');
  out.push('| system | checks graded | grade | lines | branches | measured |');
  out.push('|---|---|---|---|---|---|');
  for (const s of systems) {
    const lines = s.files.reduce((a, f) => a + f.lines, 0),
      linesHit = s.files.reduce((a, f) => a + f.linesHit, 0);
    const br = s.files.reduce((a, f) => a + f.branches, 0),
      brHit = s.files.reduce((a, f) => a + f.branchesHit, 0);
    out.push(
      `| ${s.system} | ${s.checks} (seed ${s.seed}) | ${s.gradeSummary.replaceAll('|', '/')} | ${pct(linesHit, lines)} (${linesHit}/${lines}) | ${pct(brHit, br)} (${brHit}/${br}) | ${s.measuredAt.slice(0, 16)}Z, ${s.seconds} s |`,
    );
  }
  for (const s of systems) {
    out.push('');
    out.push(`### ${s.system}`);
    out.push('');
    out.push('| file | lines | branches | lines no check reaches | branches never taken (lines) |');
    out.push('|---|---|---|---|---|');
    for (const f of s.files) {
      const name = protocol.has(f.file) ? `**\`${f.file}\`**` : `\`${f.file}\``;
      out.push(
        `| ${name} | ${pct(f.linesHit, f.lines)} | ${pct(f.branchesHit, f.branches)} | ${f.uncoveredLines || '—'} | ${f.missedBranchLines || '—'} |`,
      );
    }
  }
  return `${out.join('\n')}\n`;
}
