/**
 * Test helpers (not shipped behaviour): spawn the broker as a real process, collect its JSON events,
 * wait on conditions with deadlines, and speak the wire format.
 */
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { connect } from 'node:net';
import type { Socket } from 'node:net';
import { fileURLToPath } from 'node:url';

export const BROKER_DIR = fileURLToPath(new URL('.', import.meta.url));

export interface BrokerEvent {
  event: string;
  [key: string]: unknown;
}

export interface SpawnedBroker {
  proc: ChildProcess;
  events: BrokerEvent[];
  stderr: () => string;
  /** Resolves with the exit code (or signal name). */
  exited: Promise<number | string>;
  /** Waits until `predicate(events)` is truthy; returns its value. */
  waitFor<T>(predicate: (events: BrokerEvent[]) => T | undefined | false | null, timeoutMs?: number, what?: string): Promise<T>;
  kill(): void;
}

export async function waitUntil<T>(
  probe: () => T | undefined | false | null,
  timeoutMs: number,
  what: string,
  diagnostics?: () => string,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = probe();
    if (value !== undefined && value !== false && value !== null) return value;
    if (Date.now() > deadline)
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${diagnostics ? `\n${diagnostics()}` : ''}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

export function spawnBroker(env: Record<string, string>): SpawnedBroker {
  const proc = spawn(process.execPath, ['--import', 'tsx', 'main.ts'], {
    cwd: BROKER_DIR,
    env: { ...process.env, MERIDIAN_BIND: '127.0.0.1:0', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  const events: BrokerEvent[] = [];
  let partial = '';
  let stderr = '';
  proc.stdout?.setEncoding('utf8');
  proc.stdout?.on('data', (text: string) => {
    partial += text;
    let nl: number;
    while ((nl = partial.indexOf('\n')) >= 0) {
      const line = partial.slice(0, nl);
      partial = partial.slice(nl + 1);
      if (line.trim() === '') continue;
      events.push(JSON.parse(line) as BrokerEvent);
    }
  });
  proc.stderr?.setEncoding('utf8');
  proc.stderr?.on('data', (text: string) => {
    stderr += text;
  });
  const exited = new Promise<number | string>((resolve) => {
    proc.on('exit', (code, signal) => resolve(code ?? signal ?? -1));
  });
  const describe = (): string =>
    `events:\n${events
      .slice(-30)
      .map((e) => JSON.stringify(e))
      .join('\n')}\nstderr:\n${stderr}`;
  return {
    proc,
    events,
    stderr: () => stderr,
    exited,
    waitFor: (predicate, timeoutMs = 8000, what = 'condition') => waitUntil(() => predicate(events), timeoutMs, what, describe),
    kill: () => {
      if (proc.pid !== undefined && proc.exitCode === null && proc.signalCode === null) {
        try {
          process.kill(-proc.pid, 'SIGKILL');
        } catch {
          // already gone
        }
      }
    },
  };
}

/** Waits for `listening` and returns the bound port. */
export async function listeningPort(broker: SpawnedBroker): Promise<number> {
  const addr = await broker.waitFor((ev) => ev.find((e) => e.event === 'listening')?.addr as string | undefined, 15_000, 'listening');
  return Number(addr.slice(addr.lastIndexOf(':') + 1));
}

export function encodeFrame(payload: Uint8Array): Buffer {
  const out = Buffer.allocUnsafe(4 + payload.length);
  out.writeUInt32BE(payload.length, 0);
  out.set(payload, 4);
  return out;
}

export function header(length: number): Buffer {
  const out = Buffer.alloc(4);
  out.writeUInt32BE(length, 0);
  return out;
}

export function openClient(port: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connect({ port, host: '127.0.0.1' }, () => {
      socket.off('error', reject);
      resolve(socket);
    });
    socket.once('error', reject);
  });
}

/** Payload bytes derived from a seed, so tests need not keep big literals. */
export function patternPayload(length: number, seed: number): Buffer {
  const out = Buffer.allocUnsafe(length);
  for (let i = 0; i < length; i++) out[i] = (i * 31 + seed * 17 + (i >>> 8)) & 0xff;
  return out;
}
