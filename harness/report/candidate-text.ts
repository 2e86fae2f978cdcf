/**
 * Candidate text is data, never markup (issue 12). Everything a candidate printed or chose (its log lines,
 * reasons, names, build output) reaches reports inside evidence strings, and every renderer passes those
 * strings through here:
 * - control characters (C0, DEL, C1), escape sequences, bare CRs and newlines inside a line, Unicode line
 *   and paragraph separators and bidirectional overrides are shown as visible escapes (`\x1b`, `\r`,
 *   `\u202e`), so nothing moves the cursor, paints, or starts a line of its own;
 * - each format then escapes its own markup: Markdown punctuation and HTML in table cells, fences longer than
 *   any backtick run in fenced content, XML entities, CSV quoting and formula prefixes, and JSON's escapes
 *   for the characters JSON.stringify leaves raw;
 * - candidate log lines are quoted (`│ `) in the terminal, so one can never look like a line of the kit's.
 *
 * @module
 */

// eslint-disable-next-line no-control-regex
const UNSAFE = /[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069\u200e\u200f\u061c]/g;
const NAMED: Record<string, string> = { '\n': '\\n', '\r': '\\r', '\t': '\\t', '\x1b': '\\x1b' };

function visible(c: string): string {
  const named = NAMED[c];
  if (named) return named;
  const code = c.charCodeAt(0);
  return code < 0x100 ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
}

/** One line of plain text with every control or layout-changing character shown as an escape. */
export function plain(text: string): string {
  return text.replace(UNSAFE, visible);
}

/** A candidate log line for the terminal: escaped and quoted, so it cannot pass for one of the kit's. */
export function quotedLine(text: string): string {
  return `│ ${plain(text)}`;
}

/** Text inside a Markdown table cell or heading: one line, no inline markup, no HTML. */
export function markdownInline(text: string): string {
  return plain(text)
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/[\\`*_{}[\]()#+!|~]/g, (c) => `\\${c}`);
}

/** A Markdown fenced block around `lines`, its fence longer than any backtick run inside. */
export function markdownFence(lines: readonly string[], info = 'text'): string[] {
  const body = lines.map(plain);
  const longest = Math.max(0, ...body.map((l) => Math.max(0, ...(l.match(/`+/g) ?? []).map((run) => run.length))));
  const fence = '`'.repeat(Math.max(3, longest + 1));
  return [`${fence}${info}`, ...body, fence];
}

/** Text for HTML element content or attribute values. */
export function html(text: string): string {
  return plain(text).replace(/[<>&"']/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;', "'": '&#39;' })[c] as string);
}

/** Multi-line text for `<pre>`: each line escaped, joined by real newlines. */
export function htmlLines(lines: readonly string[]): string {
  return lines.map(html).join('\n');
}

/** Text for XML 1.0 content or attributes (JUnit): entities, and control characters as visible escapes. */
export function xml(text: string): string {
  return plain(text).replace(/[<>&"']/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;', "'": '&apos;' })[c] as string);
}

/** Multi-line XML text: lines escaped one by one, joined with real newlines. */
export function xmlLines(lines: readonly string[]): string {
  return lines.map(xml).join('\n');
}

/** A CSV cell (RFC 4180): escaped, quoted when needed, and never read as a spreadsheet formula. */
export function csvCell(text: string): string {
  let s = plain(text);
  if (/^[=+\-@]/.test(s)) s = `'${s}`;
  return /[",]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/**
 * JSON text with the characters JSON.stringify leaves raw inside strings (DEL, C1 controls, separators,
 * bidi overrides) written as `\uXXXX` escapes: the same data, but `cat report.json` cannot paint a terminal.
 */
export function jsonText(value: unknown, indent = 2): string {
  // eslint-disable-next-line no-control-regex
  return JSON.stringify(value, null, indent).replace(
    /[\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069\u200e\u200f\u061c]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
}
