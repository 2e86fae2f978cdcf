/**
 * The sandbox around one candidate process (a broker, a cluster host, the build, a manifest check).
 *
 * Layers, outermost first (all util-linux):
 * 1. `/bin/sh` joins the process's own cgroup(s) (memory, pids) before anything forks;
 * 2. `setpriv --pdeathsig KILL`: if the kit dies (even SIGKILL), the sandbox dies with it;
 * 3. `unshare --pid --fork --kill-child --mount --mount-proc`: a PID namespace whose init is killed with
 *    the sandbox, so every descendant dies with it (double fork, `setsid` and re-parenting included);
 * 4. a setup script (root, inside the new mount namespace): every mount read-only, a private tmpfs on
 *    /tmp (holding HOME) and /dev/shm; for the build, an overlay on the candidate's folder whose writes go
 *    to a kit-owned layer that later runs see read-only (the submission itself is never modified);
 * 5. `unshare --fork` as the namespace's init (so the candidate is not PID 1 and keeps default signal
 *    behaviour), `prlimit --fsize`, `setpriv` to uid/gid 65534 with no groups, no capabilities and
 *    no_new_privs, and `env -i` with the scrubbed environment.
 *
 * The candidate stays in the kit's process group, so signals the checks send to the group (SIGTERM,
 * SIGSTOP, SIGCONT) reach it as before.
 *
 * @module
 */
import { chmodSync, chownSync, existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { formatBytes, type Limits } from '../candidate/limits.ts';
import { CandidateCgroup, type CgroupSupport } from './cgroups.ts';
import { sweepDeadOwners } from '../common/pid.ts';
import { ROOT } from '../common/root.ts';
import { sandboxStatus } from './sandbox-mode.ts';

/** The unprivileged user (and group) candidates run as: `nobody` on Debian/Ubuntu. */
export const SANDBOX_UID = 65534;

/**
 * What the process is for: `build` writes its folder into the kit's build layer (kept for the grade);
 * `check` writes into a scratch layer discarded when it ends; `run` sees its folder read-only.
 */
export type SandboxPurpose = 'build' | 'check' | 'run';

const SETUP = `set -e
mount --make-rprivate /
# The build layer first: its upper folder is in the host's /tmp, hidden once the private /tmp is mounted.
if [ -n "$SBX_UPPER" ]; then
  mount -t overlay meridian-build -o "lowerdir=\${SBX_LAYER:+$SBX_LAYER:}$SBX_CWD,upperdir=$SBX_UPPER,workdir=$SBX_WORK" "$SBX_CWD"
elif [ -n "$SBX_LAYER" ]; then
  mount -t overlay meridian-built -o "ro,lowerdir=$SBX_LAYER:$SBX_CWD" "$SBX_CWD"
fi
# A folder under /tmp or /dev/shm (a mkdtemp submission) would vanish under the private tmpfs: park it
# on the kit's staging folder and move it back once the tmpfs is mounted (before anything is read-only).
# The same for the kit's own tree (the references run with its node_modules): CI may clone it under /tmp.
k1=
k2=
case "$SBX_KIT" in /tmp/*|/dev/shm/*) mkdir -p "$SBX_STAGE/1"; mount --rbind "$SBX_KIT" "$SBX_STAGE/1"; k1=1;; esac
case "$SBX_CWD" in /tmp/*|/dev/shm/*)
  case "$SBX_CWD/" in "$SBX_KIT"/*) ;; *) mkdir -p "$SBX_STAGE/2"; mount --rbind "$SBX_CWD" "$SBX_STAGE/2"; k2=1;; esac;;
esac
mount -t tmpfs -o "size=$SBX_TMP_BYTES,mode=1777,nosuid,nodev" meridian-tmp /tmp
if [ -d /dev/shm ]; then mount -t tmpfs -o "size=$SBX_TMP_BYTES,mode=1777,nosuid,nodev" meridian-shm /dev/shm; fi
if [ -n "$k1" ]; then mkdir -p "$SBX_KIT"; mount --move "$SBX_STAGE/1" "$SBX_KIT"; fi
if [ -n "$k2" ]; then mkdir -p "$SBX_CWD"; mount --move "$SBX_STAGE/2" "$SBX_CWD"; fi
for m in $(awk '{print $2}' /proc/self/mounts | sort -u); do
  case "$m" in /proc|/proc/*|/sys|/sys/*|/dev|/dev/*|/tmp) continue;; esac
  if [ -n "$SBX_UPPER" ] && [ "$m" = "$SBX_CWD" ]; then continue; fi
  mount -o remount,bind,ro "$m" 2>/dev/null || true
done
mkdir -m 700 /tmp/home
chown "$SBX_UID:$SBX_UID" /tmp/home
cd "$SBX_CWD"
exec perl -e "$SBX_INIT" -- prlimit "--fsize=$SBX_FSIZE" -- setpriv "--reuid=$SBX_UID" "--regid=$SBX_UID" --clear-groups --no-new-privs --inh-caps=-all --bounding-set=-all -- env -i "$@"
`;

/**
 * PID 1 of the namespace (Perl, Essential on Debian/Ubuntu): forks the candidate in the kit's process
 * group (so group signals reach it, while PID 1 itself ignores them), reaps orphans, and reports the
 * candidate's exact end ("exit N" / "signal N") on fd 3, since PID 1 cannot die by a signal to pass it on.
 * When it exits, the kernel kills whatever is left in the namespace.
 */
const INIT = `use POSIX ();
my $pid = fork();
die "meridian-sandbox: fork: $!" unless defined $pid;
if ($pid == 0) { POSIX::close(3); exec { $ARGV[0] } @ARGV; print STDERR "[meridian-kit] could not start $ARGV[0]: $!\\n"; POSIX::_exit(127); }
my $s = 0;
while (1) { my $r = waitpid(-1, 0); if ($r == $pid) { $s = $?; last; } last if $r == -1 && !$!{EINTR}; }
if (open(my $out, '>&=', 3)) { print $out (($s & 127) ? 'signal ' . ($s & 127) : 'exit ' . ($s >> 8)), "\\n"; close $out; }
POSIX::_exit(($s & 127) ? 128 + ($s & 127) : ($s >> 8));
`;

const OUTER = `for f in $SBX_CGROUPS; do echo $$ > "$f"; done
exec setpriv --pdeathsig KILL -- unshare --pid --fork --kill-child --mount --mount-proc -- /bin/sh -c "$SBX_SETUP" meridian-sandbox "$@"`;

/** The kit-owned layer a candidate's build wrote (per candidate folder, for this kit process). */
const buildLayers = new Map<string, Layer>();
let exitHook = false;

interface Layer {
  root: string;
  upper: string;
  work: string;
}

let swept = false;

/** Removes layers left by kit processes that died without cleaning up (SIGKILL). */
function sweepStaleLayers(): void {
  swept = true;
  sweepDeadOwners(tmpdir(), /^meridian-(?:build|check)-(\d+)-/);
}

function newLayer(prefix: string): Layer {
  if (!swept) sweepStaleLayers();
  const root = mkdtempSync(join(tmpdir(), `${prefix}-${process.pid}-`));
  const layer = { root, upper: join(root, 'upper'), work: join(root, 'work') };
  mkdirSync(layer.upper);
  mkdirSync(layer.work);
  // The overlay's top folder takes the upper layer's owner: the build may create files at the top of its
  // folder and anywhere below what it creates; files shipped in the submission stay root's.
  chownSync(layer.upper, SANDBOX_UID, SANDBOX_UID);
  return layer;
}

function scratchLayer(): Layer {
  return newLayer('meridian-check');
}

function buildLayer(cwd: string): Layer {
  let layer = buildLayers.get(cwd);
  if (!layer) {
    layer = newLayer('meridian-build');
    buildLayers.set(cwd, layer);
    if (!exitHook) {
      exitHook = true;
      process.on('exit', releaseBuildLayers);
    }
  }
  return layer;
}

/** The folder holding what the build wrote over `cwd` in the sandbox (overlay upper), if a build ran there. */
export function builtOver(cwd: string): string | undefined {
  return buildLayers.get(cwd)?.upper;
}

/** Deletes the build layer of one candidate folder (its grade is over). */
export function releaseBuildLayer(cwd: string): void {
  const layer = buildLayers.get(cwd);
  if (!layer) return;
  rmSync(layer.root, { recursive: true, force: true });
  buildLayers.delete(cwd);
}

/** Deletes every build layer (the candidates' build outputs) of this kit process. */
export function releaseBuildLayers(): void {
  for (const layer of buildLayers.values()) rmSync(layer.root, { recursive: true, force: true });
  buildLayers.clear();
}

/**
 * A new folder for files the kit hands to candidates (a cluster's nodes file): readable inside the
 * sandbox, whose own /tmp is private, so under /var/tmp there; the caller removes it.
 */
export function mkdtempForCandidates(prefix: string): string {
  const root = sandboxStatus().active && existsSync('/var/tmp') ? '/var/tmp' : tmpdir();
  const dir = mkdtempSync(join(root, prefix));
  chmodSync(dir, 0o755);
  return dir;
}

let stage: string | undefined;

/**
 * An empty folder outside /tmp where the sandbox parks a candidate folder that lives under /tmp while it
 * mounts the private /tmp (mounts are per namespace: one folder serves every sandbox of this kit process).
 */
function stagingFolder(): string {
  if (stage && existsSync(stage)) return stage;
  const parent = existsSync('/var/tmp') ? '/var/tmp' : '/run';
  // A kit process killed before its exit hook ran (a test worker, SIGKILL) leaves its empty folder behind.
  sweepDeadOwners(parent, /^meridian-stage-(\d+)-/);
  stage = mkdtempSync(join(parent, `meridian-stage-${process.pid}-`));
  const made = stage;
  process.once('exit', () => rmSync(made, { recursive: true, force: true }));
  return made;
}

/** A spawnable command: what the kit passes to `spawn`. */
export interface WrappedCommand {
  file: string;
  args: string[];
  env: Record<string, string>;
}

/** One sandboxed process: its cgroup and how to start it. */
export class Sandbox {
  readonly cgroup: CandidateCgroup | undefined;
  private scratch: Layer | undefined;

  constructor(
    readonly limits: Limits,
    cgroups: CgroupSupport | undefined,
  ) {
    this.cgroup = cgroups ? new CandidateCgroup(cgroups, limits) : undefined;
  }

  /** The wrapper command running `argv` with exactly `env` in folder `cwd`. */
  wrap(argv: string[], env: Record<string, string>, cwd: string, purpose: SandboxPurpose): WrappedCommand {
    const layer = purpose === 'build' ? buildLayer(cwd) : buildLayers.get(cwd);
    // A manifest check may write its folder (caches, .pyc, lint output) into a scratch layer of its own,
    // over the build's layer, discarded when it ends: checks running side by side never see each other.
    if (purpose === 'check') this.scratch = scratchLayer();
    const writable = purpose === 'build' ? layer : this.scratch;
    const outerEnv: Record<string, string> = {
      PATH: process.env.PATH ?? '/usr/local/bin:/usr/bin:/bin',
      SBX_CGROUPS: (this.cgroup?.procsFiles ?? []).join(' '),
      SBX_SETUP: SETUP,
      SBX_INIT: INIT,
      SBX_UID: String(SANDBOX_UID),
      SBX_CWD: cwd,
      SBX_STAGE: stagingFolder(),
      SBX_KIT: ROOT,
      SBX_FSIZE: String(this.limits.fileSizeBytes),
      SBX_TMP_BYTES: String(this.limits.memoryBytes),
      SBX_UPPER: writable ? writable.upper : '',
      SBX_WORK: writable ? writable.work : '',
      SBX_LAYER: purpose !== 'build' && layer ? layer.upper : '',
    };
    const assignments = Object.entries({ ...env, HOME: '/tmp/home', TMPDIR: '/tmp' }).map(([k, v]) => `${k}=${v}`);
    return { file: '/bin/sh', args: ['-c', OUTER, 'meridian-sandbox-outer', ...assignments, ...argv], env: outerEnv };
  }

  /** The limit that stopped the process, in words ("memory limit 1 GiB"), or undefined. */
  limitHit(exit: { signal: NodeJS.Signals | null; code: number | null }): string | undefined {
    if (this.cgroup && this.cgroup.oomKills() > 0) return `memory limit ${formatBytes(this.limits.memoryBytes)} reached (OOM kill)`;
    if (exit.signal === 'SIGXFSZ' || exit.code === 128 + 25) return `file-size limit ${formatBytes(this.limits.fileSizeBytes)} reached`;
    if (this.cgroup && this.cgroup.pidsRefused() > 0) return `process limit ${this.limits.processes} reached (forks refused)`;
    return undefined;
  }

  /** SIGKILLs every process of the sandbox. */
  killAll(): void {
    this.cgroup?.killAll();
  }

  /** Removes the cgroup once its processes are gone. */
  async release(): Promise<void> {
    await this.cgroup?.release();
    if (this.scratch) rmSync(this.scratch.root, { recursive: true, force: true });
    this.scratch = undefined;
  }
}
