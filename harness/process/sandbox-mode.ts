/**
 * Whether the kit sandboxes candidate processes: `--sandbox auto|required|off` (default `auto`, or the
 * `MERIDIAN_SANDBOX` environment variable). `auto` uses the sandbox where the OS allows it and says so
 * with a warning where it does not; `required` refuses to grade without it (exit 2, with the reason);
 * `off` runs candidates as plain child processes of the kit (its user, network and file system).
 *
 * What the sandbox needs: Linux, root (or a CI runner with sudo), util-linux `unshare`, `setpriv` and
 * `prlimit`, and writable memory+pids cgroups (v1, or v2 with those controllers delegable) for limits.
 *
 * @module
 */
import { spawnSync } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';
import { KitError } from '../common/errors.ts';
import { detectCgroups, type CgroupSupport } from './cgroups.ts';

export const SANDBOX_MODES = ['auto', 'required', 'off'] as const;
export type SandboxMode = (typeof SANDBOX_MODES)[number];

/** `--sandbox required` where the OS cannot sandbox: the grade stops with exit 2. */
export class SandboxUnavailableError extends KitError {}

/** What is in force for this kit process. */
export interface SandboxStatus {
  mode: SandboxMode;
  /** Candidates run in the sandbox. */
  active: boolean;
  /** cgroup limits (memory, processes) in force: which hierarchy, or undefined. */
  cgroups: CgroupSupport | undefined;
  /** Why the sandbox (or part of it) is missing; empty when everything is in force. */
  missing: string[];
  /** One line for every report: the isolation in force. */
  summary: string;
  /** `auto` fell back (fully or partly): shown as a warning. */
  warning: string | undefined;
}

let mode: SandboxMode = parseMode(process.env.MERIDIAN_SANDBOX) ?? 'auto';
let cached: SandboxStatus | undefined;

function parseMode(value: string | undefined): SandboxMode | undefined {
  return (SANDBOX_MODES as readonly string[]).includes(value ?? '') ? (value as SandboxMode) : undefined;
}

/** Sets the mode (the CLI's `--sandbox`). Throws KitError SANDBOX_MODE for an unknown value. */
export function setSandboxMode(value: string): void {
  const parsed = parseMode(value);
  if (!parsed) throw new KitError('SANDBOX_MODE', `--sandbox must be one of ${SANDBOX_MODES.join(', ')}, got "${value}"`);
  mode = parsed;
  cached = undefined;
}

function onPath(tool: string): boolean {
  for (const dir of (process.env.PATH ?? '/usr/bin:/bin').split(delimiter)) {
    try {
      accessSync(join(dir, tool), constants.X_OK);
      return true;
    } catch {
      /* next */
    }
  }
  return false;
}

/** Probes once what the OS allows (namespaces, tools, cgroups); cheap after the first call. */
export function sandboxStatus(): SandboxStatus {
  if (cached) return cached;
  const missing: string[] = [];
  let cgroups: CgroupSupport | undefined;
  if (mode !== 'off') {
    if (process.platform !== 'linux') missing.push(`not Linux (${process.platform})`);
    else if (process.getuid?.() !== 0)
      missing.push('the kit does not run as root (namespaces, setpriv and cgroups need it; on CI use sudo)');
    else {
      const tools = ['unshare', 'setpriv', 'prlimit', 'perl'].filter((t) => !onPath(t));
      if (tools.length > 0) missing.push(`missing ${tools.join(', ')} (util-linux, perl-base)`);
      else {
        const probe = spawnSync(
          'unshare',
          [
            '--pid',
            '--fork',
            '--kill-child',
            '--mount',
            '--mount-proc',
            '--',
            'setpriv',
            '--reuid=65534',
            '--regid=65534',
            '--clear-groups',
            '--',
            'true',
          ],
          { timeout: 5000, stdio: ['ignore', 'ignore', 'pipe'] },
        );
        if (probe.status !== 0)
          missing.push(
            `unshare --pid --mount failed: ${probe.stderr?.toString().trim().slice(0, 200) || probe.error?.message || `status ${probe.status}`}`,
          );
      }
      const namespacesOk = missing.length === 0;
      if (namespacesOk) {
        cgroups = detectCgroups();
        if (!cgroups) missing.push('no writable memory+pids cgroup (v1 or v2): memory and process limits not enforced');
      }
    }
  }
  const cgroupsOnlyMissing = missing.length === 1 && cgroups === undefined && (missing[0] ?? '').startsWith('no writable');
  const active = mode !== 'off' && (missing.length === 0 || cgroupsOnlyMissing);
  const parts: string[] = [];
  if (active) {
    parts.push(
      'pid+mount namespaces (tree killed as a whole)',
      'uid 65534',
      'scrubbed environment',
      'private /tmp and HOME',
      'read-only file system',
      'RLIMIT_FSIZE',
    );
    parts.push(cgroups ? `cgroup ${cgroups.version} memory+pids limits` : 'NO memory/process limits');
    parts.push('network shared with the host (no network namespace)');
  }
  const summary = active
    ? `sandbox ${mode === 'required' ? 'required' : 'on'}: ${parts.join(', ')}`
    : mode === 'off'
      ? "sandbox off (--sandbox off): candidates run as the kit's user with its network and file system; environment scrubbed"
      : `sandbox unavailable: ${missing.join('; ')}`;
  const warning =
    mode === 'auto' && missing.length > 0
      ? `warning: --sandbox auto: ${active ? 'partial isolation' : 'candidates run WITHOUT a sandbox'}: ${missing.join('; ')}`
      : undefined;
  const status: SandboxStatus = { mode, active, cgroups, missing, summary, warning };
  cached = status;
  return status;
}

/** For `--sandbox required`: throws SandboxUnavailableError (exit 2) naming what is missing. */
export function assertSandboxAllowed(): SandboxStatus {
  const status = sandboxStatus();
  if (status.mode === 'required' && status.missing.length > 0) {
    throw new SandboxUnavailableError('SANDBOX_UNAVAILABLE', `--sandbox required, but ${status.missing.join('; ')}`, {
      missing: status.missing,
    });
  }
  return status;
}
