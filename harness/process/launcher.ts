/**
 * The one way the kit starts a process for a candidate: its server (broker, cluster host), its build and
 * its manifest checks. Resolves argv and environment (placeholders, knobs, the scrubbed allowlist), puts
 * the process in the sandbox when it is in force (see sandbox.ts, sandbox-mode.ts), spawns it, waits for
 * readiness and ties its teardown to the caller's scope.
 *
 * The environment a candidate sees is an allowlist: `PATH`, `LANG`, `HOME` (a private one in the
 * sandbox), `TMPDIR`, the manifest's `env` with placeholders filled, knob bindings, and the variables
 * named in `MERIDIAN_PASS_ENV` (comma-separated, e.g. `NODE_V8_COVERAGE`). Nothing else of the kit's
 * environment (tokens, CI secrets, the test runner's variables) reaches it.
 *
 * @module
 */
import type { Candidate } from '../candidate/candidate.ts';
import { DEFAULT_LIMITS, type Limits } from '../candidate/limits.ts';
import { fillPlaceholders } from '../candidate/placeholders.ts';
import type { Scope } from '../common/scope.ts';
import { KitError } from '../common/errors.ts';
import { Sandbox, type SandboxPurpose } from './sandbox.ts';
import { sandboxStatus } from './sandbox-mode.ts';
import { Supervised } from './supervisor.ts';

/** Variables of the kit's environment a candidate always gets (when set). */
const ALLOWED_ENV = ['PATH', 'LANG'];

/** The kit's environment reduced to the allowlist plus `MERIDIAN_PASS_ENV`. */
export function baseEnv(): Record<string, string> {
  const names = new Set(ALLOWED_ENV);
  for (const name of (process.env.MERIDIAN_PASS_ENV ?? '').split(',')) if (name.trim()) names.add(name.trim());
  const env: Record<string, string> = {};
  for (const name of names) {
    const value = process.env[name];
    if (value !== undefined) env[name] = value;
  }
  if (!sandboxStatus().active && process.env.HOME !== undefined) env.HOME = process.env.HOME;
  return env;
}

/**
 * Resolves a candidate's argv and environment for one process: placeholders filled, knob values applied
 * through the bindings the manifest declares. Knobs the manifest does not declare are an error here:
 * checks that need them must be gated as NOT_TESTABLE before they launch.
 */
export function resolveLaunch(
  candidate: Candidate,
  values: Record<string, string>,
  knobs: Record<string, string | number> = {},
  extraEnv: Record<string, string> = {},
): { argv: string[]; env: Record<string, string> } {
  const { manifest } = candidate;
  const argv = manifest.command.map((part, i) => fillPlaceholders(part, values, `command[${i}]`));
  const env = baseEnv();
  for (const [key, value] of Object.entries(manifest.env)) env[key] = fillPlaceholders(value, values, `env.${key}`);
  for (const [knob, value] of Object.entries(knobs)) {
    const binding = manifest.knobs[knob];
    if (!binding) throw new KitError('KNOB_MISSING', `manifest declares no knob "${knob}"`, { knob });
    if ('env' in binding) env[binding.env] = String(value);
    else argv.push(binding.arg, String(value));
  }
  Object.assign(env, extraEnv);
  return { argv, env };
}

/** Options of {@link startProcess}. */
export interface StartOptions {
  name: string;
  cwd: string;
  env: Record<string, string>;
  /** Default: the defaults of limits.ts. */
  limits?: Limits;
  /** Default `run`. */
  purpose?: SandboxPurpose;
  logCapacity?: number;
}

/** Starts any process for a candidate, in the sandbox when it is in force. */
export function startProcess(argv: string[], options: StartOptions): Supervised {
  const status = sandboxStatus();
  const sandbox = status.active ? new Sandbox(options.limits ?? DEFAULT_LIMITS, status.cgroups) : undefined;
  const spawnOptions: ConstructorParameters<typeof Supervised>[1] = {
    name: options.name,
    cwd: options.cwd,
    env: options.env,
    purpose: options.purpose ?? 'run',
  };
  if (sandbox) spawnOptions.sandbox = sandbox;
  if (options.logCapacity !== undefined) spawnOptions.logCapacity = options.logCapacity;
  try {
    return new Supervised(argv, spawnOptions);
  } catch (error) {
    void sandbox?.release();
    throw error;
  }
}

/** Options of {@link launchCandidate}. */
export interface LaunchCandidateOptions {
  /** Shown in errors and reports. */
  name: string;
  /** Placeholder values (`{bind}`, `{port}`, `{listen}`, `{peers}`…). */
  values: Record<string, string>;
  /** Knob values; every one must be declared by the manifest (filter first, see {@link declaredKnobs}). */
  knobs?: Record<string, string | number>;
  extraEnv?: Record<string, string>;
  /** The process is killed when this scope closes (it is also killed on kit exit). */
  scope?: Scope;
  /** Wait until this address accepts TCP connections (the manifest's `startupTimeoutMs`); killed if it never does. */
  ready?: { host: string; port: number };
  /** Called with the process before readiness is awaited (to attach log parsers). */
  onSpawn?: (proc: Supervised) => void;
}

/** Splits asked-for knob values into those the manifest declares (applied) and the rest (missing). */
export function declaredKnobs<T extends string | number>(
  candidate: Candidate,
  knobs: Record<string, T> = {},
): { applied: Record<string, T>; missing: string[] } {
  const applied: Record<string, T> = {};
  const missing: string[] = [];
  for (const [knob, value] of Object.entries(knobs)) {
    if (candidate.manifest.knobs[knob]) applied[knob] = value;
    else missing.push(knob);
  }
  return { applied, missing };
}

/** Starts a candidate's server process without waiting for it (a cluster starts every host, then waits). */
export function startCandidate(candidate: Candidate, options: Omit<LaunchCandidateOptions, 'ready'>): Supervised {
  const { argv, env } = resolveLaunch(candidate, options.values, options.knobs, options.extraEnv);
  const proc = startProcess(argv, { name: options.name, cwd: candidate.dir, env, limits: candidate.manifest.limits });
  options.scope?.defer(() => proc.kill());
  options.onSpawn?.(proc);
  return proc;
}

/** Starts a candidate's server process and, with `ready`, waits until it listens (killed if it never does). */
export async function launchCandidate(candidate: Candidate, options: LaunchCandidateOptions): Promise<Supervised> {
  const proc = startCandidate(candidate, options);
  if (options.ready) {
    try {
      await proc.waitForPort(options.ready.host, options.ready.port, candidate.manifest.startupTimeoutMs);
    } catch (error) {
      await proc.kill();
      throw error;
    }
  }
  return proc;
}
