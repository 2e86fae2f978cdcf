/**
 * What a stress run drives: a broker listening on `host:port` whose events (parsed log lines) arrive
 * through an {@link EventHub}, timestamped in µs on `nowUs()`. {@link launchBrokerTarget} makes one from a
 * candidate manifest (a real process, the kit's usual spawning and log parsing); tests build in-process
 * brokers on an `EventHub` directly.
 *
 * @module
 */
import type { Candidate } from '../../candidate/candidate.ts';
import type { Scope } from '../../common/scope.ts';
import { declaredKnobs, launchCandidate } from '../../process/launcher.ts';
import { freePort } from '../../process/ports.ts';
import type { Supervised } from '../../process/supervisor.ts';
import { createEventParser } from '../../wire/broker-events.ts';
import type { BrokerEvent } from '../../wire/broker-events.ts';

/** Called for every event, with its observation time (µs, `nowUs` clock). */
export type EventListener = (event: BrokerEvent, atUs: number) => void;

/** The last `stats` running totals of one handler. */
export interface StatsTotals {
  readonly frames: number;
  readonly bytes: number;
  /** `missed` as the candidate reports it, if it does. */
  readonly missed: number | undefined;
  readonly atUs: number;
}

/** Fans events out to listeners and remembers each handler's last `stats` totals (the baseline of a run). */
export class EventHub {
  readonly #listeners = new Set<EventListener>();
  readonly #stats = new Map<number, StatsTotals>();
  #events = 0;

  /** Events seen so far. */
  get events(): number {
    return this.#events;
  }

  emit(event: BrokerEvent, atUs: number): void {
    this.#events++;
    if (event.event === 'stats' && event.handler !== undefined && event.frames !== undefined) {
      this.#stats.set(event.handler, { frames: event.frames, bytes: event.bytes ?? 0, missed: event.missed, atUs });
    }
    for (const listener of this.#listeners) listener(event, atUs);
  }

  on(listener: EventListener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** Last stats totals per handler (a copy). */
  lastStats(): Map<number, StatsTotals> {
    return new Map(this.#stats);
  }
}

/** A broker to stress. */
export interface BrokerTarget {
  readonly host: string;
  readonly port: number;
  readonly events: EventHub;
  /** The candidate's process id (for /proc sampling); undefined for in-process brokers. */
  readonly pid: number | undefined;
  /** False once the candidate process has exited. */
  readonly running: boolean;
  /** The candidate's last log lines, for the report. */
  logs(n?: number): string[];
  /** Stop it (SIGKILL for a process: a stress run does not grade shutdown). */
  close(): Promise<void>;
}

/** Options of {@link launchBrokerTarget}. */
export interface LaunchTargetOptions {
  /** Knob values; only those the manifest declares are applied (see `applied` / `missing`). */
  readonly knobs?: Record<string, number>;
  readonly seed: number;
  /** Releases the process with the scope (it is also killed on kit exit). */
  readonly scope?: Scope;
}

/** A candidate process as a stress target, with the knobs actually applied. */
export interface LaunchedTarget extends BrokerTarget {
  readonly proc: Supervised;
  readonly applied: Record<string, number>;
  /** Knobs asked for that the manifest does not declare (not applied). */
  readonly missing: string[];
}

/** Spawns the candidate on a free loopback port and parses its log lines into events. */
export async function launchBrokerTarget(candidate: Candidate, options: LaunchTargetOptions): Promise<LaunchedTarget> {
  const host = '127.0.0.1';
  const port = await freePort();
  const { applied, missing } = declaredKnobs(candidate, options.knobs);
  const hub = new EventHub();
  const parse = createEventParser(candidate.manifest.log.format, candidate.manifest.log.patterns);
  const launch = {
    name: `${candidate.manifest.name} (stress)`,
    values: { bind: `${host}:${port}`, host, port: String(port), seed: String(options.seed) },
    knobs: applied,
    ready: { host, port },
    onSpawn: (proc: Supervised) => {
      proc.log.onLine((line) => {
        const event = parse(line.text, line.atMs);
        // LogLine.atMs is ms since the process start on this process's performance.now(): back to nowUs().
        if (event) hub.emit(event, (proc.startedAt + line.atMs) * 1000);
      });
    },
  };
  const proc = await launchCandidate(candidate, options.scope ? { ...launch, scope: options.scope } : launch);
  return {
    host,
    port,
    events: hub,
    proc,
    applied,
    missing,
    get pid() {
      return proc.pid;
    },
    get running() {
      return proc.running;
    },
    logs: (n = 20) => proc.tail(n),
    close: async () => {
      await proc.kill();
    },
  };
}
