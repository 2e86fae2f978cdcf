/**
 * Broker configuration, read from the environment.
 *
 * Every knob is optional; an empty string counts as unset. A value that is present but invalid
 * makes {@link loadConfig} throw a {@link ConfigError} (`code: 'CONFIG_INVALID'`); `main.ts` turns
 * that into a one-line message on stderr and exit code 2.
 */

/** Error raised for an invalid environment value. `code` is stable; `variable` names the culprit. */
export class ConfigError extends Error {
  readonly code = 'CONFIG_INVALID';
  constructor(
    readonly variable: string,
    message: string,
  ) {
    super(`${variable}: ${message}`);
    this.name = 'ConfigError';
  }
}

export type DecodeMode = 'none' | 'cbor';

export interface BrokerConfig {
  /** `MERIDIAN_BIND`, default `0.0.0.0:7777`. `host:port` or `[v6]:port`; port 0 picks a free port. */
  host: string;
  port: number;
  /** `MERIDIAN_HANDLERS`, default 3 (1..64). Number of downstream handlers. */
  handlers: number;
  /** `MERIDIAN_SLOW_HANDLER_MS`, default 0. When > 0, handler 0 waits this long per frame. */
  slowHandlerMs: number;
  /** `MERIDIAN_CAPACITY`, default 1024 (>= 1). Per-handler ring capacity in frames. */
  capacity: number;
  /** `MERIDIAN_MAX_FRAME`, default 65536 (0..64 MiB). Largest legal payload length. */
  maxFrame: number;
  /** `MERIDIAN_DRAIN_MS`, default 10000. Drain deadline after the shutdown signal. */
  drainMs: number;
  /** `MERIDIAN_LOG_FRAMES`, default 1. 1: a `frame` event per handler per frame; 0: none. */
  logFrames: boolean;
  /**
   * `MERIDIAN_LOG_PROBES`, default 0. 1: with `logFrames` off, still log the `frame` event of every frame
   * whose payload starts with the kit's sampled-probe magic `a8 61 71 54` (a seeded ~1% of frames under
   * load), so the kit measures exact latency at rates where a line per frame would swamp the log pipe.
   */
  logProbes: boolean;
  /** `MERIDIAN_STATS_MS`, default 1000. Period of the per-handler `stats` events; 0 disables. */
  statsMs: number;
  /** `MERIDIAN_DECODE`, default `none`. `cbor`: decode every payload with cbor-x in worker threads. */
  decode: DecodeMode;
  /** `MERIDIAN_WORKERS`, default 1 (1..32). Decode worker threads (only used with `cbor`). */
  workers: number;
}

export const DEFAULTS = {
  bind: '0.0.0.0:7777',
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
} as const;

const MAX_FRAME_LIMIT = 64 * 1024 * 1024;
const INT_RE = /^[0-9]+$/;

function readInt(env: NodeJS.ProcessEnv, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name]?.trim();
  if (raw === undefined || raw === '') return fallback;
  if (!INT_RE.test(raw)) throw new ConfigError(name, `expected a non-negative integer, got ${JSON.stringify(raw)}`);
  const value = Number(raw);
  if (!Number.isSafeInteger(value) || value < min || value > max) {
    throw new ConfigError(name, `must be between ${min} and ${max}, got ${raw}`);
  }
  return value;
}

/** Parses `host:port`, `[v6host]:port`. Exported for tests. */
export function parseBind(raw: string): { host: string; port: number } {
  const name = 'MERIDIAN_BIND';
  let host: string;
  let portText: string;
  const v6 = /^\[([^\]]+)\]:([^:]*)$/.exec(raw);
  if (v6) {
    host = v6[1] ?? '';
    portText = v6[2] ?? '';
  } else {
    const colon = raw.lastIndexOf(':');
    if (colon <= 0 || raw.indexOf(':') !== colon) {
      throw new ConfigError(name, `expected host:port or [ipv6]:port, got ${JSON.stringify(raw)}`);
    }
    host = raw.slice(0, colon);
    portText = raw.slice(colon + 1);
  }
  if (!INT_RE.test(portText) || Number(portText) > 65_535) {
    throw new ConfigError(name, `port must be an integer 0..65535, got ${JSON.stringify(portText)}`);
  }
  if (host === '') throw new ConfigError(name, 'host is empty');
  return { host, port: Number(portText) };
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): BrokerConfig {
  const bindRaw = env.MERIDIAN_BIND?.trim();
  const { host, port } = parseBind(bindRaw === undefined || bindRaw === '' ? DEFAULTS.bind : bindRaw);

  const logFramesRaw = env.MERIDIAN_LOG_FRAMES?.trim();
  let logFrames: boolean = DEFAULTS.logFrames;
  if (logFramesRaw !== undefined && logFramesRaw !== '') {
    if (logFramesRaw !== '0' && logFramesRaw !== '1') {
      throw new ConfigError('MERIDIAN_LOG_FRAMES', `expected 0 or 1, got ${JSON.stringify(logFramesRaw)}`);
    }
    logFrames = logFramesRaw === '1';
  }

  const logProbesRaw = env.MERIDIAN_LOG_PROBES?.trim();
  let logProbes: boolean = DEFAULTS.logProbes;
  if (logProbesRaw !== undefined && logProbesRaw !== '') {
    if (logProbesRaw !== '0' && logProbesRaw !== '1') {
      throw new ConfigError('MERIDIAN_LOG_PROBES', `expected 0 or 1, got ${JSON.stringify(logProbesRaw)}`);
    }
    logProbes = logProbesRaw === '1';
  }

  const decodeRaw = env.MERIDIAN_DECODE?.trim();
  let decode: DecodeMode = DEFAULTS.decode;
  if (decodeRaw !== undefined && decodeRaw !== '') {
    if (decodeRaw !== 'none' && decodeRaw !== 'cbor') {
      throw new ConfigError('MERIDIAN_DECODE', `expected "none" or "cbor", got ${JSON.stringify(decodeRaw)}`);
    }
    decode = decodeRaw;
  }

  return {
    host,
    port,
    handlers: readInt(env, 'MERIDIAN_HANDLERS', DEFAULTS.handlers, 1, 64),
    slowHandlerMs: readInt(env, 'MERIDIAN_SLOW_HANDLER_MS', DEFAULTS.slowHandlerMs, 0, 600_000),
    capacity: readInt(env, 'MERIDIAN_CAPACITY', DEFAULTS.capacity, 1, 1 << 24),
    maxFrame: readInt(env, 'MERIDIAN_MAX_FRAME', DEFAULTS.maxFrame, 0, MAX_FRAME_LIMIT),
    drainMs: readInt(env, 'MERIDIAN_DRAIN_MS', DEFAULTS.drainMs, 0, 3_600_000),
    logFrames,
    logProbes,
    statsMs: readInt(env, 'MERIDIAN_STATS_MS', DEFAULTS.statsMs, 0, 3_600_000),
    decode,
    workers: readInt(env, 'MERIDIAN_WORKERS', DEFAULTS.workers, 1, 32),
  };
}
