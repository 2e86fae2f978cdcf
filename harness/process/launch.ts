import type { Candidate } from '../candidate/candidate.ts';
import { fillPlaceholders } from '../candidate/placeholders.ts';
import { KitError } from '../common/errors.ts';
import { Supervised } from './supervisor.ts';

/**
 * Resolves a candidate's argv and environment for one process: placeholders filled, knob values applied
 * through the bindings the manifest declares. Knobs the manifest does not declare are an error here:
 * checks that need them must be gated as NOT_TESTABLE before they launch.
 */
export function resolveLaunch(candidate: Candidate, values: Record<string, string>, knobs: Record<string, string | number> = {}, extraEnv: Record<string, string> = {}): { argv: string[]; env: Record<string, string> } {
  const { manifest } = candidate;
  const argv = manifest.command.map((part, i) => fillPlaceholders(part, values, `command[${i}]`));
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(process.env)) if (value !== undefined) env[key] = value;
  // The kit's own test runner variables must not leak into a candidate (a Node candidate would think it runs under vitest).
  for (const key of Object.keys(env)) if (key.startsWith('VITEST') || key === 'NODE_OPTIONS' || key === 'TEST') delete env[key];
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

/** Spawns one candidate process in its manifest's folder. */
export function spawnCandidate(candidate: Candidate, name: string, values: Record<string, string>, knobs: Record<string, string | number> = {}, extraEnv: Record<string, string> = {}): Supervised {
  const { argv, env } = resolveLaunch(candidate, values, knobs, extraEnv);
  return new Supervised(argv, { name, cwd: candidate.dir, env });
}
