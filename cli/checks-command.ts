import type { SystemName } from '../harness/candidate/manifest.ts';
import type { SuiteRegistry } from '../harness/grading/suites.ts';

/** Words of `text` in lines of at most `width` characters (a longer word stays whole on its own line). */
export function wrap(text: string, width: number): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.replace(/\s+/g, ' ').trim().split(' ')) {
    if (line && line.length + 1 + word.length > width) {
      lines.push(line);
      line = word;
    } else line = line ? `${line} ${word}` : word;
  }
  if (line) lines.push(line);
  return lines;
}

/**
 * The check catalogue: per check one line (id, level, title; the id column as wide as the longest id, so
 * long ids never break it), then its criterion wrapped to the terminal and indented.
 */
export function renderCatalogue(suites: SuiteRegistry, system: SystemName | undefined, width: number): string {
  const out: string[] = [];
  for (const [name, checks] of Object.entries(suites)) {
    if (system && system !== name) continue;
    const idWidth = Math.max(5, ...checks.map((c) => c.id.length));
    out.push(`${name} (${checks.length} checks)`, `  ${'CHECK'.padEnd(idWidth)}  ${'LEVEL'.padEnd(11)}  TITLE`);
    for (const c of checks) {
      out.push(`  ${c.id.padEnd(idWidth)}  ${c.level.padEnd(11)}  ${c.title}`);
      for (const line of wrap(c.optIn ? `${c.criterion} Opt-in: ${c.optIn}.` : c.criterion, Math.max(40, width - 6)))
        out.push(`      ${line}`);
    }
    out.push('');
  }
  return out.join('\n');
}
