import { KitError } from '../common/errors.ts';
import { isLimitsProblem, parseLimits, type Limits } from './limits.ts';

/** The systems the kit can grade. */
export const SYSTEMS = ['broker', 'store', 'gossip'] as const;
export type SystemName = (typeof SYSTEMS)[number];

/** The event layouts the kit can read from a candidate's logs. */
export const LOG_FORMATS = ['json', 'tracing'] as const;
export type LogFormat = (typeof LOG_FORMATS)[number];

/** How the kit sets a knob: through an environment variable, or as `[arg, value]` appended to the command. */
export type KnobBinding = { env: string } | { arg: string };

/** What a candidate was built to fail: used by the kill matrix, ignored when grading. */
export interface Expectation {
  fail: string[];
  flaky: string[];
  advisory: string[];
}

/**
 * A candidate manifest, validated. Paths are as written; `CandidateSpec` resolves them.
 * See README.md ("Candidate manifest") for the file format.
 */
export interface Manifest {
  system: SystemName;
  name: string;
  description?: string;
  /** Shell command run once in the manifest's folder before any check. */
  build?: string;
  /** argv; relative paths are relative to the manifest's folder, which is also the working directory. */
  command: string[];
  /** Extra environment; `{bind}`, `{host}`, `{port}` and cluster placeholders are filled in. */
  env: Record<string, string>;
  log: { format: LogFormat; patterns: Record<string, string> };
  knobs: Record<string, KnobBinding>;
  /** Source folder for advisory static checks. */
  source?: string;
  /** Named shell commands run once after the build; each becomes check `build.NAME`. */
  checks: Record<string, string>;
  /** How long the kit waits for the port to accept connections. Default 20000 ms. */
  startupTimeoutMs: number;
  /** Cluster systems: how many nodes one process hosts (gossip). Default 1. */
  nodesPerProcess: number;
  /** Resource limits of every process started for it (see limits.ts). Defaults: 1 GiB, 256 processes, 256 MiB files, 15 min build. */
  limits: Limits;
  expect: Expectation;
}

/** Thrown for any problem with a manifest file: `details.field` names the bad field. */
export class ManifestError extends KitError {
  constructor(message: string, details: Record<string, unknown> = {}) {
    super('MANIFEST_INVALID', message, details);
  }
}

type Json = unknown;

function fail(field: string, expected: string, got: Json): never {
  const shown = got === undefined ? 'nothing' : JSON.stringify(got)?.slice(0, 80);
  throw new ManifestError(`manifest field "${field}": expected ${expected}, got ${shown}`, { field, expected });
}

const isRecord = (v: Json): v is Record<string, Json> => typeof v === 'object' && v !== null && !Array.isArray(v);

function stringMap(v: Json, field: string): Record<string, string> {
  if (v === undefined) return {};
  if (!isRecord(v)) fail(field, 'an object of strings', v);
  const out: Record<string, string> = {};
  for (const [k, val] of Object.entries(v)) {
    if (typeof val === 'number' || typeof val === 'boolean') out[k] = String(val);
    else if (typeof val === 'string') out[k] = val;
    else fail(`${field}.${k}`, 'a string', val);
  }
  return out;
}

function stringList(v: Json, field: string): string[] {
  if (v === undefined) return [];
  if (!Array.isArray(v) || !v.every((x) => typeof x === 'string')) fail(field, 'an array of strings', v);
  return v as string[];
}

const KNOWN_FIELDS = new Set([
  '$schema', 'system', 'name', 'description', 'build', 'command', 'env', 'log', 'knobs', 'source', 'checks',
  'startupTimeoutMs', 'nodesPerProcess', 'expect', 'hosting', 'limits',
]);

/** Validates parsed JSON into a Manifest, naming the first bad field and what was expected. */
export function parseManifest(raw: Json): Manifest {
  if (!isRecord(raw)) fail('(root)', 'a JSON object', raw);
  for (const key of Object.keys(raw)) {
    if (!KNOWN_FIELDS.has(key)) fail(key, `one of the known fields (${[...KNOWN_FIELDS].slice(1).join(', ')})`, raw[key]);
  }
  const system = raw.system;
  if (typeof system !== 'string' || !(SYSTEMS as readonly string[]).includes(system)) fail('system', `one of ${SYSTEMS.join(', ')}`, system);
  const name = raw.name;
  if (typeof name !== 'string' || !/^[\w.@+-]{1,80}$/.test(name)) fail('name', 'a short name (letters, digits, . _ - @ +)', name);
  if (raw.description !== undefined && typeof raw.description !== 'string') fail('description', 'a string', raw.description);
  if (raw.build !== undefined && (typeof raw.build !== 'string' || raw.build.trim() === '')) fail('build', 'a non-empty shell command string', raw.build);
  const command = raw.command;
  if (!Array.isArray(command) || command.length === 0 || !command.every((c) => typeof c === 'string' && c.length > 0)) {
    fail('command', 'a non-empty array of non-empty strings (argv)', command);
  }
  const env = stringMap(raw.env, 'env');

  let log: Manifest['log'] = { format: 'json', patterns: {} };
  if (raw.log !== undefined) {
    if (!isRecord(raw.log)) fail('log', 'an object', raw.log);
    const format = raw.log.format ?? 'json';
    if (typeof format !== 'string' || !(LOG_FORMATS as readonly string[]).includes(format)) fail('log.format', `one of ${LOG_FORMATS.join(', ')}`, format);
    const patterns = stringMap(raw.log.patterns, 'log.patterns');
    for (const [event, source] of Object.entries(patterns)) {
      try {
        new RegExp(source, 'i');
      } catch {
        fail(`log.patterns.${event}`, 'a valid regular expression', source);
      }
    }
    log = { format: format as LogFormat, patterns };
  }

  const knobs: Record<string, KnobBinding> = {};
  if (raw.knobs !== undefined) {
    if (!isRecord(raw.knobs)) fail('knobs', 'an object', raw.knobs);
    for (const [knob, binding] of Object.entries(raw.knobs)) {
      if (isRecord(binding) && typeof binding.env === 'string' && /^[A-Za-z_][A-Za-z0-9_]*$/.test(binding.env)) knobs[knob] = { env: binding.env };
      else if (isRecord(binding) && typeof binding.arg === 'string' && binding.arg.length > 0) knobs[knob] = { arg: binding.arg };
      else fail(`knobs.${knob}`, '{"env": "VAR_NAME"} or {"arg": "--flag"}', binding);
    }
  }
  if (raw.source !== undefined && (typeof raw.source !== 'string' || raw.source === '')) fail('source', 'a folder path', raw.source);
  const checks = stringMap(raw.checks, 'checks');
  for (const key of Object.keys(checks)) if (!/^[\w-]+$/.test(key)) fail(`checks.${key}`, 'a name of letters, digits, _ and -', key);

  const startupTimeoutMs = raw.startupTimeoutMs ?? 20_000;
  if (typeof startupTimeoutMs !== 'number' || !(startupTimeoutMs >= 100 && startupTimeoutMs <= 600_000)) fail('startupTimeoutMs', 'a number of ms between 100 and 600000', startupTimeoutMs);
  const hosting = raw.hosting;
  if (hosting !== undefined && !isRecord(hosting)) fail('hosting', 'an object like {"nodesPerProcess": 50}', hosting);
  const nodesPerProcess = raw.nodesPerProcess ?? (isRecord(hosting) ? hosting.nodesPerProcess : undefined) ?? 1;
  if (typeof nodesPerProcess !== 'number' || !Number.isInteger(nodesPerProcess) || nodesPerProcess < 1) fail('nodesPerProcess', 'a positive integer', nodesPerProcess);

  const limits = parseLimits(raw.limits);
  if (isLimitsProblem(limits)) fail(limits.field, limits.expected, limits.got);

  let expect: Expectation = { fail: [], flaky: [], advisory: [] };
  if (raw.expect !== undefined) {
    if (!isRecord(raw.expect)) fail('expect', 'an object', raw.expect);
    expect = {
      fail: stringList(raw.expect.fail, 'expect.fail'),
      flaky: stringList(raw.expect.flaky, 'expect.flaky'),
      advisory: stringList(raw.expect.advisory, 'expect.advisory'),
    };
  }
  const manifest: Manifest = {
    system: system as SystemName,
    name,
    command: command as string[],
    env,
    log,
    knobs,
    checks,
    startupTimeoutMs,
    nodesPerProcess,
    limits,
    expect,
  };
  if (typeof raw.description === 'string') manifest.description = raw.description;
  if (typeof raw.build === 'string') manifest.build = raw.build;
  if (typeof raw.source === 'string') manifest.source = raw.source;
  return manifest;
}
