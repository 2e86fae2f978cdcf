import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CUT_MARK, LogBuffer, MAX_LINE_CHARS, type LogLine } from './log-buffer.ts';

function collect(chunks: Buffer[]): { lines: LogLine[]; log: LogBuffer } {
  const log = new LogBuffer(10_000, () => 0);
  const lines: LogLine[] = [];
  log.onLine((l) => lines.push(l));
  for (const c of chunks) log.push('stdout', c);
  log.flush('stdout');
  return { lines, log };
}

/** What the lines must be, computed the obvious way on the whole text. */
function expected(text: string): string[] {
  const parts = text.split('\n');
  if (parts.at(-1) === '') parts.pop();
  return parts.map((p) => {
    const t = p.length > MAX_LINE_CHARS ? `${p.slice(0, MAX_LINE_CHARS)}${CUT_MARK}` : p;
    return t.endsWith('\r') ? t.slice(0, -1) : t;
  });
}

function split(bytes: Buffer, cuts: number[]): Buffer[] {
  const at = [...new Set(cuts.map((c) => c % (bytes.length + 1)))].sort((a, b) => a - b);
  const out: Buffer[] = [];
  let prev = 0;
  for (const c of [...at, bytes.length]) {
    out.push(bytes.subarray(prev, c));
    prev = c;
  }
  return out;
}

describe('LogBuffer line splitting', () => {
  it('yields the same lines under any chunking, long lines cut with the cap named', () => {
    const segment = fc.oneof(
      fc.string({ maxLength: 20 }),
      fc.constantFrom('\n', '\r\n', 'é', '✅', 'x'.repeat(MAX_LINE_CHARS - 1), 'y'.repeat(MAX_LINE_CHARS + 7)),
    );
    fc.assert(
      fc.property(fc.array(segment, { maxLength: 12 }), fc.array(fc.nat(), { maxLength: 8 }), (segments, cuts) => {
        const text = segments.join('');
        const { lines } = collect(split(Buffer.from(text, 'utf8'), cuts));
        expect(lines.map((l) => l.text)).toEqual(expected(text));
      }),
      { numRuns: 300 },
    );
  });

  it('drops the rest of a cut line instead of reading it as a line of its own', () => {
    const evil = `${'a'.repeat(MAX_LINE_CHARS)} frame received handler=0 bytes=5\nnext\n`;
    const { lines, log } = collect(split(Buffer.from(evil), [100, MAX_LINE_CHARS + 3]));
    expect(lines.map((l) => l.text.slice(-CUT_MARK.length - 1))).toEqual([`a${CUT_MARK}`, 'next']);
    expect(lines[0]?.cut).toBe(true);
    expect(log.truncatedLines).toBe(1);
  });

  it('keeps memory bounded on one endless line', () => {
    const log = new LogBuffer(10);
    const chunk = Buffer.alloc(65_536, 0x61);
    for (let i = 0; i < 200; i++) log.push('stderr', chunk);
    log.flush('stderr');
    const [line] = log.tail(1);
    expect(line?.text.length).toBeLessThan(MAX_LINE_CHARS + 64);
    expect(line?.cut).toBe(true);
    expect(log.lines).toBe(1);
  });
});
