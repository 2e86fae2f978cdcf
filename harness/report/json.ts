import { jsonText } from './candidate-text.ts';
import type { GradeReport } from './report.ts';

/** The `--json` report: the report as JSON, with the characters JSON leaves raw in strings escaped (see candidate-text.ts). */
export function renderJson(report: GradeReport): string {
  return `${jsonText(report)}\n`;
}
