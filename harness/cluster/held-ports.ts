import { isProcessAlive } from '../common/pid.ts';
import { createSocket } from 'node:dgram';
import { mkdirSync, readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * Ports for candidates' `{listen}` (UDP) and `{http}` (TCP) addresses in UDP clusters.
 *
 * The kit's UDP network binds its own endpoints on port 0, so the kernel picks them from the ephemeral
 * range; the kit's HTTP requests to candidates take their local ports from it too, and so does any
 * other kit process on the machine using `freePort()`. A port found free by binding port 0 and closing
 * it is in that same range: a kit endpoint, a client connection or another process can take it a moment
 * later, and the candidate fails with EADDRINUSE (about two collisions per 250-node cluster). So these
 * ports are taken *below* the ephemeral range, where the kernel never assigns port-0 binds, and held
 * (bound) until just before the candidate starts. Between that moment and the candidate's own bind the
 * port is free, so several kit processes on one machine (a flake run next to a test run) also mark the
 * ports they hand out with a lock file (`$TMPDIR/meridian-kit-ports/<kind>-<port>`, holding the pid),
 * removed when the cluster closes; a lock whose process is gone is taken over.
 */

const inUse = new Set<string>();
const LOWEST = 10_000;
const LOCK_DIR = join(tmpdir(), 'meridian-kit-ports');
const myLocks = new Set<string>();
let exitHook = false;

/** Claims `key` for this process across kit processes; false when another live kit holds it. */
function lock(key: string): boolean {
  const file = join(LOCK_DIR, key);
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      mkdirSync(LOCK_DIR, { recursive: true });
      writeFileSync(file, String(process.pid), { flag: 'wx' });
      myLocks.add(file);
      if (!exitHook) {
        exitHook = true;
        process.on('exit', () => {
          for (const f of myLocks) unlock(f);
        });
      }
      return true;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') return true; // no lock dir: fall back to binding alone
      let owner = Number.NaN;
      try {
        owner = Number(readFileSync(file, 'utf8'));
      } catch {
        /* removed meanwhile: retry */
      }
      if (Number.isInteger(owner) && owner > 0 && isProcessAlive(owner)) return false;
      unlock(file);
    }
  }
  return false;
}

function unlock(file: string): void {
  myLocks.delete(file);
  try {
    unlinkSync(file);
  } catch {
    /* already gone */
  }
}

function ephemeralLow(): number {
  try {
    const [lo] = readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/).map(Number);
    if (lo !== undefined && Number.isInteger(lo) && lo > 1024) return lo;
  } catch {
    /* not Linux: assume the IANA range */
  }
  return 49_152;
}

export interface HeldPort {
  readonly port: number;
  /** Releases the holding socket: call right before the candidate binds the port. Idempotent. */
  unhold(): Promise<void>;
  /** The cluster is gone: the port may be handed out again in this process. */
  free(): void;
}

type Holder = { port: number; close: () => Promise<void> };

function tryUdp(port: number, host: string): Promise<Holder | undefined> {
  return new Promise((resolve) => {
    const socket = createSocket('udp4');
    socket.once('error', () => {
      socket.close();
      resolve(undefined);
    });
    socket.bind(port, host, () => {
      socket.removeAllListeners('error');
      socket.on('error', () => {});
      resolve({ port: socket.address().port, close: () => new Promise<void>((done) => socket.close(() => done())) });
    });
  });
}

function tryTcp(port: number, host: string): Promise<Holder | undefined> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(undefined));
    server.listen({ port, host, exclusive: true }, () => {
      const address = server.address();
      resolve({
        port: typeof address === 'object' && address ? address.port : port,
        close: () => new Promise<void>((done) => server.close(() => done())),
      });
    });
  });
}

/** A free port below the ephemeral range (UDP or TCP), bound by the kit until `unhold()`. */
export async function holdPort(kind: 'udp' | 'tcp', host = '127.0.0.1'): Promise<HeldPort> {
  const hi = ephemeralLow() - 1;
  const wide = hi - LOWEST >= 2000;
  for (let attempt = 0; attempt < 500; attempt++) {
    const wanted = wide ? LOWEST + Math.floor(Math.random() * (hi - LOWEST + 1)) : 0;
    if (wanted !== 0 && inUse.has(`${kind}:${wanted}`)) continue;
    const holder = kind === 'udp' ? await tryUdp(wanted, host) : await tryTcp(wanted, host);
    if (!holder) continue;
    const key = `${kind}:${holder.port}`;
    const lockFile = `${kind}-${holder.port}`;
    if (inUse.has(key) || !lock(lockFile)) {
      await holder.close();
      continue;
    }
    inUse.add(key);
    let open = true;
    let freed = false;
    const unhold = async (): Promise<void> => {
      if (!open) return;
      open = false;
      await holder.close();
    };
    return {
      port: holder.port,
      unhold,
      free: () => {
        if (freed) return; // a second close must not release a port another cluster holds by now
        freed = true;
        void unhold();
        inUse.delete(key);
        unlock(join(LOCK_DIR, lockFile));
      },
    };
  }
  throw new Error(`no free ${kind} port below the ephemeral range after 500 attempts`);
}
