import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createEventParser, stationPort, stripAnsi } from './broker-events.ts';

// Shapes as tracing_subscriber's default fmt layer prints them, colours included.
const ansiFrame =
  '\x1b[2m2026-11-22T03:55:51.397341Z\x1b[0m \x1b[32m INFO\x1b[0m \x1b[2mmeridian_broker\x1b[0m\x1b[2m:\x1b[0m frame received \x1b[3mhandler\x1b[0m\x1b[2m=\x1b[0m0 \x1b[3mstation\x1b[0m\x1b[2m=\x1b[0mgs-1@127.0.0.1:40236 \x1b[3mbytes\x1b[0m\x1b[2m=\x1b[0m5';

describe('tracing layout', () => {
  const parse = createEventParser('tracing');
  it('reads a coloured frame line', () => {
    expect(parse(ansiFrame, 1)).toMatchObject({ event: 'frame', handler: 0, station: 'gs-1@127.0.0.1:40236', bytes: 5 });
  });
  it('reads lag, rejection, shutdown and drain lines in the seed wording', () => {
    expect(parse('2026-11-22T03:55:51Z  WARN meridian_broker: handler fell behind — lagged handler=0 missed=215', 0)).toMatchObject({
      event: 'lagged',
      handler: 0,
      missed: 215,
    });
    expect(
      parse(
        '2026-11-22T03:55:51Z  INFO meridian_broker: connection closed: frame length 65537 exceeds maximum 65536 bytes station=gs-2@127.0.0.1:5',
        0,
      ),
    ).toMatchObject({ event: 'rejected' });
    expect(parse('2026-11-22T03:55:51Z  INFO meridian_broker: ctrl-c received — initiating graceful shutdown', 0)).toMatchObject({
      event: 'shutdown',
    });
    expect(parse('2026-11-22T03:55:51Z  WARN meridian_broker: drain deadline exceeded — forcing exit', 0)).toMatchObject({
      event: 'drained',
    });
    expect(parse('2026-11-22T03:55:51Z  INFO meridian_broker: connection established station=gs-3@127.0.0.1:7', 0)).toMatchObject({
      event: 'connection',
    });
  });
  it('honours pattern overrides', () => {
    const custom = createEventParser('tracing', { frame: 'got telemetry' });
    expect(custom('2026-11-22T03:55:51Z  INFO b: got telemetry handler=2 bytes=9', 0)).toMatchObject({
      event: 'frame',
      handler: 2,
      bytes: 9,
    });
    expect(custom('2026-11-22T03:55:51Z  INFO b: frame received handler=2 bytes=9', 0)).toBeUndefined();
  });
  it('never throws on arbitrary input', () => {
    fc.assert(fc.property(fc.string(), (line) => void parse(line, 0)));
  });
});

describe('json layout', () => {
  const parse = createEventParser('json');
  it('reads the kit schema and ignores other lines', () => {
    expect(parse('{"event":"frame","handler":1,"station":"gs-1@127.0.0.1:9","bytes":3,"crc32":7}', 0)).toMatchObject({
      event: 'frame',
      handler: 1,
      bytes: 3,
      crc32: 7,
    });
    expect(parse('{"event":"nope"}', 0)).toBeUndefined();
    expect(parse('plain text', 0)).toBeUndefined();
    expect(parse('{broken', 0)).toBeUndefined();
  });
});

describe('station ports', () => {
  it('finds the peer port in station ids', () => {
    expect(stationPort('gs-1@127.0.0.1:40236')).toBe(40236);
    expect(stationPort('[::1]:5')).toBe(5);
    expect(stationPort('no port')).toBeUndefined();
    expect(stripAnsi('\x1b[31mred\x1b[0m')).toBe('red');
  });
});
