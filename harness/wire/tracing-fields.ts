/**
 * The `key=value` fields of a tracing line, read in one left-to-right pass.
 *
 * It returns exactly what `body.matchAll(/([A-Za-z_][\w.]*)=("(?:[^"\\]|\\.)*"|\S+)/g)` returned (the
 * parser's former field regex), but in linear time: that regex restarts at every letter of a long word that
 * has no `=` after it, and rescans to the end of the line for every unclosed `key="`, so 300 lines of 16,000
 * letters cost the kit's main loop tens of seconds. Here every character is visited a bounded number of times:
 * - a run of `[\w.]` not followed by `=` (or followed by `=` and no value) fails for every start inside it,
 *   so the scan jumps past the run;
 * - an unclosed quote fails up to a point `f` that no later quoted value can start before (a value's `"`
 *   follows `=`, and any `"` the failed scan passed was escaped by `\`), so quoted scans never overlap.
 *
 * @module
 */

/** One `key=value` pair as written: the value keeps its quotes. */
export interface RawField {
  key: string;
  value: string;
}

const isWord = (c: number): boolean => (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95;
const isKeyStart = (c: number): boolean => (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95;
const isKeyChar = (c: number): boolean => isWord(c) || c === 46;
/** JavaScript's `\s`. */
export function isJsSpace(c: number): boolean {
  if (c <= 32) return c === 32 || (c >= 9 && c <= 13);
  if (c < 0xa0) return false;
  return (
    c === 0xa0 ||
    c === 0x1680 ||
    (c >= 0x2000 && c <= 0x200a) ||
    c === 0x2028 ||
    c === 0x2029 ||
    c === 0x202f ||
    c === 0x205f ||
    c === 0x3000 ||
    c === 0xfeff
  );
}
/** What `.` refuses without the `s` flag. */
const isLineTerminator = (c: number): boolean => c === 10 || c === 13 || c === 0x2028 || c === 0x2029;

/** End (exclusive) of the quoted string opening at `open`, or -1 when it never closes. */
function quotedEnd(text: string, open: number): number {
  for (let i = open + 1; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 34) return i + 1;
    if (c === 92) {
      if (i + 1 >= text.length || isLineTerminator(text.charCodeAt(i + 1))) return -1;
      i++;
    }
  }
  return -1;
}

/** Every `key=value` field of `text`, in order (a repeated key appears twice). Linear time. */
export function scanFields(text: string): RawField[] {
  const out: RawField[] = [];
  forEachField(text, (key, value) => out.push({ key, value }));
  return out;
}

/** Calls `visit` for every `key=value` field of `text`, in order, without building a list. Linear time. */
export function forEachField(text: string, visit: (key: string, value: string) => void): void {
  const n = text.length;
  let i = 0;
  while (i < n) {
    if (!isKeyStart(text.charCodeAt(i))) {
      i++;
      continue;
    }
    let k = i + 1;
    while (k < n && isKeyChar(text.charCodeAt(k))) k++;
    if (k >= n || text.charCodeAt(k) !== 61) {
      i = k; // no '=' after the run: every start inside it fails the same way
      continue;
    }
    const v = k + 1;
    let end = -1;
    if (v < n && text.charCodeAt(v) === 34) end = quotedEnd(text, v);
    if (end < 0) {
      end = v;
      while (end < n && !isJsSpace(text.charCodeAt(end))) end++;
      if (end === v) {
        i = v; // `key=` with no value: every start inside the run fails too
        continue;
      }
    }
    visit(text.slice(i, k), text.slice(v, end));
    i = end;
  }
}
