import type { LogFormat } from '../candidate/manifest.ts';
import { forEachField } from './tracing-fields.ts';

/** The events the kit understands from a broker's logs (see conformance/broker/README.md). */
export const BROKER_EVENTS = [
  'listening',
  'connection',
  'frame',
  'lagged',
  'rejected',
  'closed',
  'shutdown',
  'drained',
  'stats',
  'payload-error',
] as const;
export type BrokerEventName = (typeof BROKER_EVENTS)[number];

export interface BrokerEvent {
  event: BrokerEventName;
  handler?: number;
  station?: string;
  bytes?: number;
  crc32?: number;
  missed?: number;
  frames?: number;
  reason?: string;
  clean?: boolean;
  /** The raw line, ANSI stripped, for evidence. */
  line: string;
  /** ms since the candidate started (monotonic, kit clock). */
  atMs: number;
}

/** Default message patterns for the tracing layout: they match the seed reference's wording. */
export const DEFAULT_TRACING_PATTERNS: Record<BrokerEventName, string> = {
  listening: 'listening',
  connection: 'connection established',
  frame: 'frame received',
  lagged: 'fell behind|lagged',
  rejected: 'exceeds maximum|oversize|rejected',
  closed: 'connection closed|handler exiting',
  shutdown: 'initiating graceful shutdown|shutdown signal',
  drained: 'drained|drain deadline exceeded',
  stats: 'handler stats',
  'payload-error': 'payload error|malformed payload',
};

// Checked in this order: specific messages before generic ones ("connection closed: frame length … exceeds maximum").
const TRACING_ORDER: BrokerEventName[] = [
  'frame',
  'rejected',
  'lagged',
  'stats',
  'payload-error',
  'shutdown',
  'drained',
  'connection',
  'closed',
  'listening',
];

/**
 * Removes CSI escape sequences (`ESC [ params letter`), as `text.replace(/\x1b\[[0-9;?]*[A-Za-z]/g, '')`
 * does, by hand: the log intake runs it on every line (a few times faster than the regex, linear time).
 */
export function stripAnsi(text: string): string {
  let esc = text.indexOf('\x1b');
  if (esc < 0) return text;
  const n = text.length;
  // Pieces joined once: a flat string, where `+=` would build a rope every later regex has to flatten.
  const parts: string[] = [];
  let from = 0;
  while (esc >= 0) {
    let j = esc + 1;
    if (j < n && text.charCodeAt(j) === 91) {
      j++;
      let c = j < n ? text.charCodeAt(j) : -1;
      while ((c >= 48 && c <= 57) || c === 59 || c === 63) c = ++j < n ? text.charCodeAt(j) : -1;
      if ((c >= 65 && c <= 90) || (c >= 97 && c <= 122)) {
        if (esc > from) parts.push(text.slice(from, esc));
        from = j + 1;
        esc = text.indexOf('\x1b', from);
        continue;
      }
    }
    esc = text.indexOf('\x1b', esc + 1);
  }
  parts.push(text.slice(from));
  return parts.join('');
}

/** The only fields `fromFields` reads: the tracing parser keeps these and skips the rest. */
const WANTED = new Set(['handler', 'station', 'bytes', 'len', 'length', 'crc32', 'missed', 'frames', 'reason', 'clean']);

/**
 * Event patterns see at most this many characters of a line's message. The default patterns are plain
 * alternations (linear), and manifest patterns are refused at load when their backtracking can be
 * exponential (`harness/candidate/log-patterns.ts`); this cap bounds what is left, a polynomial pattern
 * such as `a*a*b`, to a few milliseconds per line whatever the candidate prints. Event messages are short
 * ("frame received"); the fields after them are read in full.
 */
export const PATTERN_INPUT_CHARS = 512;

/** `/^-?\d+(\.\d+)?$/`, by hand: it runs on every field of every line. */
function isDecimal(text: string): boolean {
  const n = text.length;
  let i = text.charCodeAt(0) === 45 ? 1 : 0;
  const start = i;
  while (i < n && text.charCodeAt(i) >= 48 && text.charCodeAt(i) <= 57) i++;
  if (i === start) return false;
  if (i === n) return true;
  if (text.charCodeAt(i) !== 46) return false;
  const frac = ++i;
  while (i < n && text.charCodeAt(i) >= 48 && text.charCodeAt(i) <= 57) i++;
  return i === n && i > frac;
}

function numberOrUndefined(value: unknown): number | undefined {
  if (typeof value === 'number' && Number.isFinite(value)) return value;
  if (typeof value === 'string' && isDecimal(value)) return Number(value);
  return undefined;
}

function fromFields(event: BrokerEventName, fields: Record<string, unknown>, line: string, atMs: number): BrokerEvent {
  const out: BrokerEvent = { event, line, atMs };
  const handler = numberOrUndefined(fields.handler);
  if (handler !== undefined) out.handler = handler;
  if (typeof fields.station === 'string') out.station = fields.station;
  const bytes = numberOrUndefined(fields.bytes ?? fields.len ?? fields.length);
  if (bytes !== undefined) out.bytes = bytes;
  const crc = numberOrUndefined(fields.crc32);
  if (crc !== undefined) out.crc32 = crc;
  const missed = numberOrUndefined(fields.missed);
  if (missed !== undefined) out.missed = missed;
  const frames = numberOrUndefined(fields.frames);
  if (frames !== undefined) out.frames = frames;
  if (typeof fields.reason === 'string') out.reason = fields.reason;
  if (typeof fields.clean === 'boolean') out.clean = fields.clean;
  else if (fields.clean === 'true' || fields.clean === 'false') out.clean = fields.clean === 'true';
  return out;
}

/** Parses one log line into an event, or undefined for lines that are not events. */
export type EventParser = (line: string, atMs: number) => BrokerEvent | undefined;

export function createEventParser(format: LogFormat, overrides: Record<string, string> = {}): EventParser {
  if (format === 'json') {
    const known = new Set<string>(BROKER_EVENTS);
    return (line, atMs) => {
      const start = line.indexOf('{');
      if (start < 0) return undefined;
      let parsed: unknown;
      try {
        parsed = JSON.parse(start === 0 ? line : line.slice(start));
      } catch {
        return undefined;
      }
      if (typeof parsed !== 'object' || parsed === null) return undefined;
      const fields = parsed as Record<string, unknown>;
      const name = fields.event;
      if (typeof name !== 'string' || !known.has(name)) return undefined;
      return fromFields(name as BrokerEventName, fields, line, atMs);
    };
  }
  const patterns = TRACING_ORDER.map((name) => ({ name, re: new RegExp(overrides[name] ?? DEFAULT_TRACING_PATTERNS[name], 'i') }));
  return (raw, atMs) => {
    const line = stripAnsi(raw);
    // `TIMESTAMP LEVEL target: message k=v …` — the message starts after the target's colon.
    const head = /^\S+\s+(TRACE|DEBUG|INFO|WARN|ERROR)\s+(?:[\w:{}\s=@.-]*?:\s)?/.exec(line);
    const body = head ? line.slice(head[0].length) : line;
    const firstField = body.search(/\s[A-Za-z_][\w.]*=/);
    const message = firstField < 0 ? body : body.slice(0, firstField);
    const fields: Record<string, unknown> = {};
    forEachField(body, (key, value) => {
      if (!WANTED.has(key)) return;
      let text = value;
      if (text.charCodeAt(0) === 34) {
        try {
          text = JSON.parse(text) as string;
        } catch {
          text = text.slice(1, -1);
        }
      }
      fields[key] = text;
    });
    if (fields.reason === undefined && message.includes(':')) fields.reason = message.slice(message.indexOf(':') + 1).trim();
    const matched = message.length > PATTERN_INPUT_CHARS ? message.slice(0, PATTERN_INPUT_CHARS) : message;
    for (const { name, re } of patterns) {
      if (re.test(matched)) {
        if (name === 'frame' && numberOrUndefined(fields.bytes) === undefined) continue;
        return fromFields(name, fields, line, atMs);
      }
    }
    return undefined;
  };
}

/** The peer port inside a station id such as `gs-3@127.0.0.1:40236` or `[::1]:40236`. */
export function stationPort(station: string | undefined): number | undefined {
  if (station === undefined) return undefined;
  const match = /:(\d{1,5})\]?$/.exec(station);
  return match ? Number(match[1]) : undefined;
}
