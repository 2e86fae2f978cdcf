/**
 * Graceful shutdown on SIGINT / SIGTERM.
 *
 * 1. log `shutdown {signal}`;
 * 2. the broker stops accepting (listener closed at once) and winds sessions down: idle ones close
 *    now, a session mid-frame finishes that frame (plus frames already complete in the same chunk),
 *    publishes it to every handler, then closes;
 * 3. wait until sessions are closed and handlers (and decode workers) have finished their queues,
 *    but no longer than `drainMs` after the signal;
 * 4. log pending lag counts, final stats and `drained {clean, elapsedMs}`, wait until the log has
 *    been handed to the OS, exit 0 when clean, 1 when the deadline forced it.
 *
 * A second signal while draining forces the exit at once (clean: false). An unref'd hard-exit timer
 * (`drainMs + 750 ms`) backs the deadline up (and covers a log reader that stopped reading), so the
 * process is gone within `drainMs + 1 s`.
 */
import type { EventLog } from './event-log.ts';

/** What the shutdown controller needs from the broker. */
export interface Drainable {
  onProgress: (() => void) | null;
  beginShutdown(): void;
  isDrained(): boolean;
  finalReport(): void;
}

export interface ShutdownOptions {
  target: Drainable;
  log: EventLog;
  drainMs: number;
  /** Ends the process; `process.exit` in production, a spy in tests. */
  exit: (code: number) => void;
  signals?: readonly NodeJS.Signals[];
}

export interface ShutdownController {
  /** Starts the shutdown as if `signal` had been received (second call forces). */
  trigger(signal: string): void;
  readonly state: 'running' | 'draining' | 'done';
}

const HARD_EXIT_SLACK_MS = 750;

export function installShutdown(options: ShutdownOptions): ShutdownController {
  const { target, log, drainMs, exit } = options;
  let state: 'running' | 'draining' | 'done' = 'running';
  let started = 0;
  let deadline: NodeJS.Timeout | null = null;
  let checkScheduled = false;

  const finish = (clean: boolean, why?: string): void => {
    if (state === 'done') return;
    state = 'done';
    if (deadline !== null) clearTimeout(deadline);
    try {
      target.finalReport();
    } catch {
      // Reporting must not stand between us and the exit.
    }
    const elapsedMs = Math.round(performance.now() - started);
    log.event('drained', { clean, elapsedMs, reason: why });
    // Exit once the log is out; if the reader is stuck, the hard-exit timer still ends the process.
    void log.close().then(() => exit(clean ? 0 : 1));
  };

  const check = (): void => {
    checkScheduled = false;
    if (state === 'draining' && target.isDrained()) finish(true);
  };

  const scheduleCheck = (): void => {
    if (checkScheduled || state !== 'draining') return;
    checkScheduled = true;
    setImmediate(check);
  };

  const trigger = (signal: string): void => {
    if (state === 'done') return;
    if (state === 'draining') {
      finish(false, `second signal ${signal}`);
      return;
    }
    state = 'draining';
    started = performance.now();
    log.event('shutdown', { signal });
    const hard = setTimeout(() => {
      log.flush();
      exit(1);
    }, drainMs + HARD_EXIT_SLACK_MS);
    hard.unref();
    // Ref'd on purpose: it keeps the process alive until the drain has been decided.
    deadline = setTimeout(() => finish(false, `drain deadline of ${drainMs} ms exceeded`), drainMs);
    target.onProgress = scheduleCheck;
    target.beginShutdown();
    scheduleCheck();
  };

  for (const signal of options.signals ?? (['SIGINT', 'SIGTERM'] as const)) {
    process.on(signal, () => trigger(signal));
  }

  return {
    trigger,
    get state() {
      return state;
    },
  };
}
