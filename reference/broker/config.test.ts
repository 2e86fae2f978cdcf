import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig, parseBind } from './config.ts';

describe('config', () => {
  it('has the documented defaults', () => {
    expect(loadConfig({})).toEqual({
      host: '0.0.0.0',
      port: 7777,
      handlers: 3,
      slowHandlerMs: 0,
      capacity: 1024,
      maxFrame: 65_536,
      drainMs: 10_000,
      logFrames: true,
      logProbes: false,
      statsMs: 1000,
      decode: 'none',
      workers: 1,
    });
  });

  it('reads every knob', () => {
    const config = loadConfig({
      MERIDIAN_BIND: '127.0.0.1:0',
      MERIDIAN_HANDLERS: '5',
      MERIDIAN_SLOW_HANDLER_MS: '20',
      MERIDIAN_CAPACITY: '16',
      MERIDIAN_MAX_FRAME: '1000',
      MERIDIAN_DRAIN_MS: '500',
      MERIDIAN_LOG_FRAMES: '0',
      MERIDIAN_STATS_MS: '0',
      MERIDIAN_DECODE: 'cbor',
      MERIDIAN_WORKERS: '2',
    });
    expect(config).toMatchObject({ host: '127.0.0.1', port: 0, handlers: 5, slowHandlerMs: 20, capacity: 16 });
    expect(config).toMatchObject({ maxFrame: 1000, drainMs: 500, logFrames: false, statsMs: 0, decode: 'cbor', workers: 2 });
  });

  it('parses IPv6 binds', () => {
    expect(parseBind('[::1]:8080')).toEqual({ host: '::1', port: 8080 });
  });

  it.each([
    ['MERIDIAN_BIND', 'localhost'],
    ['MERIDIAN_BIND', '::1:80'],
    ['MERIDIAN_BIND', '1.2.3.4:70000'],
    ['MERIDIAN_HANDLERS', '0'],
    ['MERIDIAN_HANDLERS', 'three'],
    ['MERIDIAN_CAPACITY', '-1'],
    ['MERIDIAN_CAPACITY', '1.5'],
    ['MERIDIAN_LOG_FRAMES', 'yes'],
    ['MERIDIAN_DECODE', 'json'],
    ['MERIDIAN_WORKERS', '0'],
  ])('rejects %s=%s with a ConfigError', (name, value) => {
    try {
      loadConfig({ [name]: value });
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(ConfigError);
      expect((err as ConfigError).code).toBe('CONFIG_INVALID');
      expect((err as ConfigError).variable).toBe(name);
    }
  });
});
