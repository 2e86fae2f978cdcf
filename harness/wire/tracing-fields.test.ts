import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { scanFields } from './tracing-fields.ts';
import { createEventParser } from './broker-events.ts';

/** The field regex the tracing parser used before: the oracle for ordinary lines. */
const LEGACY = /([A-Za-z_][\w.]*)=("(?:[^"\\]|\\.)*"|\S+)/g;
const legacy = (text: string): { key: string; value: string }[] =>
  [...text.matchAll(LEGACY)].map((m) => ({ key: m[1] as string, value: m[2] as string }));

/** Characters that make up tracing lines, weighted towards the ones the scanner branches on. */
const piece = fc.oneof(
  fc.constantFrom(
    'handler',
    'bytes',
    'station',
    'a.b',
    '_x',
    '9',
    '=',
    '"',
    '\\',
    ' ',
    '\t',
    'gs-1@127.0.0.1:40236',
    '\r',
    '\u00a0',
    '\u2028',
    'é',
    ':',
    '.',
  ),
  fc.string({ maxLength: 3 }),
);
const line = fc.array(piece, { maxLength: 40 }).map((parts) => parts.join(''));

describe('tracing field scanner', () => {
  it('finds exactly what the former regex found', () => {
    fc.assert(
      fc.property(line, (text) => {
        expect(scanFields(text)).toEqual(legacy(text));
      }),
      { numRuns: 3000 },
    );
  });

  it('reads a seed frame line', () => {
    expect(scanFields('frame received handler=0 station=gs-1@127.0.0.1:40236 bytes=5 reason="a \\"b\\" c"')).toEqual([
      { key: 'handler', value: '0' },
      { key: 'station', value: 'gs-1@127.0.0.1:40236' },
      { key: 'bytes', value: '5' },
      { key: 'reason', value: '"a \\"b\\" c"' },
    ]);
  });

  /** CPU ms of this process spent in `work` (CPU time, not wall time: the machine is shared and loaded). */
  function cpuMs(work: () => void): number {
    const before = process.cpuUsage();
    work();
    const used = process.cpuUsage(before);
    return (used.user + used.system) / 1000;
  }

  /** CPU ns per character of the parser over ~`budget` characters of lines like `text`, best of 3. */
  function nsPerChar(parse: (l: string, at: number) => unknown, text: string, budget = 1_000_000): number {
    const reps = Math.max(1, Math.round(budget / text.length));
    let best = Infinity;
    for (let r = 0; r < 3; r++)
      best = Math.min(
        best,
        cpuMs(() => {
          for (let i = 0; i < reps; i++) parse(text, 0);
        }),
      );
    return (best * 1e6) / (reps * text.length);
  }

  it('stays linear on adversarial lines (cost per character does not grow with the line)', () => {
    const parse = createEventParser('tracing');
    const shapes: ((n: number) => string)[] = [
      (n) => 'a'.repeat(n),
      (n) => 'a="'.repeat(n / 3),
      (n) => 'a.b'.repeat(n / 3),
      (n) => `2026-01-01T00:00:00Z INFO x: ${'k= '.repeat(n / 3)}`,
      (n) => 'a="\\"'.repeat(n / 5),
    ];
    fc.assert(
      fc.property(fc.constantFrom(...shapes), (shape) => {
        const small = nsPerChar(parse, shape(2_000));
        const large = nsPerChar(parse, shape(64_000));
        // Quadratic would make the 32× longer line ~32× dearer per character; allow noise on a loaded machine.
        expect(large).toBeLessThan(Math.max(small * 8, 50));
      }),
      { numRuns: 10 },
    );
  });

  it('parses 300 lines of 16,000 letters in well under a second of CPU', () => {
    const parse = createEventParser('tracing');
    const text = `2026-01-01T00:00:00Z INFO x: frame received ${'q'.repeat(16_000)}`;
    // The former quadratic field regex burned 27–48 s of CPU on these 300 lines.
    expect(
      cpuMs(() => {
        for (let i = 0; i < 300; i++) parse(text, 0);
      }),
    ).toBeLessThan(1_000);
  });
});

describe('ANSI stripping', () => {
  it('removes exactly what the former regex removed', async () => {
    const { stripAnsi } = await import('./broker-events.ts');
    // eslint-disable-next-line no-control-regex
    const legacyStrip = (t: string): string => t.replace(/\x1b\[[0-9;?]*[A-Za-z]/g, '');
    const piece = fc.oneof(fc.constantFrom('\x1b', '[', '0', '3', ';', '?', 'm', 'K', 'x', ' ', '\x1b['), fc.string({ maxLength: 3 }));
    fc.assert(
      fc.property(
        fc.array(piece, { maxLength: 40 }).map((p) => p.join('')),
        (text) => {
          expect(stripAnsi(text)).toBe(legacyStrip(text));
        },
      ),
      { numRuns: 3000 },
    );
  });
});

describe('the whole tracing parser', () => {
  /** The parser as it was before the linear scanner (regex fields, regex ANSI strip), for ordinary lines. */
  function legacyParse(raw: string): Record<string, unknown> | undefined {
    // eslint-disable-next-line no-control-regex
    const line = raw.replace(/\x1b\[[0-9;?]*[A-Za-z]/g, '');
    const head = /^\S+\s+(TRACE|DEBUG|INFO|WARN|ERROR)\s+(?:[\w:{}\s=@.-]*?:\s)?/.exec(line);
    const body = head ? line.slice(head[0].length) : line;
    const firstField = body.search(/\s[A-Za-z_][\w.]*=/);
    const message = firstField < 0 ? body : body.slice(0, firstField);
    const fields: Record<string, unknown> = {};
    for (const m of body.matchAll(LEGACY)) {
      let value = m[2] as string;
      if (value.startsWith('"')) {
        try {
          value = JSON.parse(value) as string;
        } catch {
          value = value.slice(1, -1);
        }
      }
      fields[m[1] as string] = value;
    }
    const num = (v: unknown): number | undefined => (typeof v === 'string' && /^-?\d+(\.\d+)?$/.test(v) ? Number(v) : undefined);
    if (fields.reason === undefined && message.includes(':')) fields.reason = message.slice(message.indexOf(':') + 1).trim();
    const order: [string, RegExp][] = [
      ['frame', /frame received/i],
      ['rejected', /exceeds maximum|oversize|rejected/i],
      ['lagged', /fell behind|lagged/i],
      ['stats', /handler stats/i],
      ['payload-error', /payload error|malformed payload/i],
      ['shutdown', /initiating graceful shutdown|shutdown signal/i],
      ['drained', /drained|drain deadline exceeded/i],
      ['connection', /connection established/i],
      ['closed', /connection closed|handler exiting/i],
      ['listening', /listening/i],
    ];
    for (const [name, re] of order) {
      if (!re.test(message)) continue;
      if (name === 'frame' && num(fields.bytes) === undefined) continue;
      const out: Record<string, unknown> = { event: name };
      for (const key of ['handler', 'missed', 'frames', 'crc32']) if (num(fields[key]) !== undefined) out[key] = num(fields[key]);
      const bytes = num(fields.bytes ?? fields.len ?? fields.length);
      if (bytes !== undefined) out.bytes = bytes;
      if (typeof fields.station === 'string') out.station = fields.station;
      if (typeof fields.reason === 'string') out.reason = fields.reason;
      if (fields.clean === 'true' || fields.clean === 'false') out.clean = fields.clean === 'true';
      return out;
    }
    return undefined;
  }

  it('gives the same events as before on ordinary lines', () => {
    const parse = createEventParser('tracing');
    const level = fc.constantFrom('INFO', 'WARN', 'ERROR', 'DEBUG');
    const message = fc.constantFrom(
      'frame received',
      'handler fell behind — lagged',
      'connection closed: frame length 70000 exceeds maximum',
      'connection established',
      'handler stats',
      'drained',
      'listening on 127.0.0.1:5',
      'something else',
      'shutdown signal',
    );
    const value = fc.oneof(
      fc.nat({ max: 100_000 }).map(String),
      fc.constantFrom('gs-1@127.0.0.1:40236', '"quoted \\"x\\" y"', '-3', '1.5', 'true', 'false', 'x.y'),
    );
    const field = fc
      .tuple(fc.constantFrom('handler', 'bytes', 'station', 'missed', 'frames', 'crc32', 'reason', 'clean', 'len', 'other.key'), value)
      .map(([k, v]) => `${k}=${v}`);
    const ansi = fc.boolean();
    const line = fc
      .tuple(level, fc.constantFrom('meridian_broker', 'broker::net', 'app{conn=3}'), message, fc.array(field, { maxLength: 6 }), ansi)
      .map(([lv, target, msg, fields, colour]) => {
        const text = `2026-11-22T03:55:51.397341Z ${lv.padStart(5)} ${target}: ${msg}${fields.map((f) => ` ${f}`).join('')}`;
        return colour ? text.replace(/(\w+)=/g, '\x1b[3m$1\x1b[0m\x1b[2m=\x1b[0m') : text;
      });
    fc.assert(
      fc.property(line, (text) => {
        const got = parse(text, 0);
        const want = legacyParse(text);
        if (want === undefined) expect(got).toBeUndefined();
        else expect(got).toMatchObject(want);
      }),
      { numRuns: 2000 },
    );
  });
});
