import type { CheckContext } from '../../harness/checks/check.ts';
import { freePort } from '../../harness/process/ports.ts';
import { declaredKnobs, launchCandidate } from '../../harness/process/launcher.ts';
import type { Supervised } from '../../harness/process/supervisor.ts';
import { candidateRxQueue } from '../../harness/process/tcp-queue.ts';
import { createEventParser, stationPort, type BrokerEvent } from '../../harness/wire/broker-events.ts';
import { delay } from '../../harness/common/wait.ts';
import { environmentLimits, explainableDelayMs, startEnvironmentMonitor, type EnvironmentMonitor } from '../../harness/load/environment.ts';
import { Station } from './station.ts';
import { encodeFrame } from '../../harness/wire/frame.ts';

/** The longest the warm-up frame is waited for when the environment limited the check, ms. */
export const WARM_UP_CAP_MS = 20_000;

/** A frame as one handler reported it. */
export interface FrameSeen {
  handler: number;
  bytes: number;
  crc32?: number;
  atMs: number;
}

/**
 * The outcome of {@link BrokerUnderTest.untilExcused}: the value (or undefined at the deadline), and when the
 * wait overran its bound, what the environment measured over the check can excuse.
 */
export interface ExcusedWait<T> {
  value: T | undefined;
  /** How long the kit waited, ms. */
  waitedMs: number;
  /** The bound the criterion states (or the kit assumes), ms. */
  boundMs: number;
  /** Ways the environment limited the check so far (empty: it did not). */
  limits: string[];
  /** The delay the environment can explain, ms (see `explainableDelayMs`). */
  explainableMs: number;
  /**
   * True when the value never came but the environment limited the run and can explain the whole overrun:
   * the check answers UNKNOWN with `limits` as evidence, never FAIL.
   */
  excused: boolean;
}

export interface LaunchOptions {
  /** Knob values applied when the manifest declares the knob (gate required ones with `needsKnobs`). */
  knobs?: Record<string, number>;
  label?: string;
}

/**
 * One broker candidate process on its own port, with its log events parsed and indexed by the station
 * (the kit's local port) and handler they name. Everything it opens is released by the check's scope.
 */
export class BrokerUnderTest {
  readonly host = '127.0.0.1';
  readonly events: BrokerEvent[] = [];
  readonly handlerIds = new Set<number>();
  /** station port → handler → frames, in log order. */
  private readonly frames = new Map<number, Map<number, FrameSeen[]>>();
  private readonly waiters = new Set<() => void>();
  private wakeScheduled = false;
  readonly stations: Station[] = [];
  /** Knob values actually applied (declared by the manifest). */
  readonly applied: Record<string, number> = {};

  private monitor: EnvironmentMonitor | undefined;

  private constructor(
    readonly ctx: CheckContext,
    readonly proc: Supervised,
    readonly port: number,
  ) {}

  /**
   * The environment monitor of this check (started on first use, stopped with the check's scope): the
   * kit's event-loop delay, the candidate blocked on its log pipe, the candidate denied CPU.
   */
  environment(): EnvironmentMonitor {
    if (this.monitor === undefined) {
      const monitor = startEnvironmentMonitor({ pid: this.proc.pid as number });
      this.monitor = monitor;
      this.ctx.scope.defer(() => void monitor.stop());
    }
    return this.monitor;
  }

  static async launch(ctx: CheckContext, options: LaunchOptions = {}): Promise<BrokerUnderTest> {
    const { candidate } = ctx;
    const port = await freePort();
    const host = '127.0.0.1';
    const { applied: knobs } = declaredKnobs(candidate, options.knobs);
    const parse = createEventParser(candidate.manifest.log.format, candidate.manifest.log.patterns);
    let broker: BrokerUnderTest | undefined;
    await launchCandidate(candidate, {
      name: `${candidate.manifest.name}${options.label ? ` (${options.label})` : ''}`,
      values: { bind: `${host}:${port}`, host, port: String(port), seed: String(ctx.seed) },
      knobs,
      scope: ctx.scope,
      ready: { host, port },
      onSpawn: (proc) => {
        const b = new BrokerUnderTest(ctx, proc, port);
        broker = b;
        Object.assign(b.applied, knobs);
        proc.log.onLine((line) => {
          const event = parse(line.text, line.atMs);
          if (event) b.record(event);
        });
        void proc.exited.then(() => b.wake());
      },
    });
    return broker as BrokerUnderTest;
  }

  private record(event: BrokerEvent): void {
    this.events.push(event);
    if (event.handler !== undefined && (event.event === 'frame' || event.event === 'lagged' || event.event === 'stats'))
      this.handlerIds.add(event.handler);
    if (event.event === 'frame' && event.handler !== undefined && event.bytes !== undefined) {
      const port = stationPort(event.station) ?? -1;
      let byHandler = this.frames.get(port);
      if (!byHandler) this.frames.set(port, (byHandler = new Map()));
      let list = byHandler.get(event.handler);
      if (!list) byHandler.set(event.handler, (list = []));
      const seen: FrameSeen = { handler: event.handler, bytes: event.bytes, atMs: event.atMs };
      if (event.crc32 !== undefined) seen.crc32 = event.crc32;
      list.push(seen);
    }
    this.wake();
  }

  /** Re-evaluates waiters soon (throttled: thousands of events per second must not mean thousands of evaluations). */
  private wake(): void {
    if (this.wakeScheduled) return;
    this.wakeScheduled = true;
    setTimeout(() => {
      this.wakeScheduled = false;
      for (const waiter of [...this.waiters]) waiter();
    }, 5);
  }

  /** ms on the candidate's log clock (the kit's monotonic clock since the process started). */
  now(): number {
    return performance.now() - this.proc.startedAt;
  }

  /**
   * Waits until `probe` returns a value (re-checked on every batch of events, on exit and every 50 ms),
   * or the deadline passes (→ undefined). Conditions, not sleeps.
   */
  until<T>(probe: () => T | undefined, timeoutMs: number): Promise<T | undefined> {
    return new Promise((resolve) => {
      const first = probe();
      if (first !== undefined) return resolve(first);
      let done = false;
      const finish = (value: T | undefined): void => {
        if (done) return;
        done = true;
        clearTimeout(timer);
        clearInterval(poll);
        this.waiters.delete(check);
        resolve(value);
      };
      const check = (): void => {
        const value = probe();
        if (value !== undefined) finish(value);
      };
      const timer = setTimeout(() => finish(probe()), timeoutMs);
      const poll = setInterval(check, 50);
      this.waiters.add(check);
    });
  }

  /**
   * Waits for `probe` as {@link until} does for `boundMs`; when the bound passes and the environment (kit
   * starved, log pipe full, candidate denied CPU) limited the check, keeps waiting while the overrun is
   * within the delay the environment can explain, up to `capMs` in all (default 4 × the bound). A bound
   * that misfires under load then gives the candidate its time or an UNKNOWN, never a FAIL; a candidate
   * that never delivers is still judged once the overrun exceeds what the environment explains.
   */
  async untilExcused<T>(probe: () => T | undefined, boundMs: number, capMs = boundMs * 4): Promise<ExcusedWait<T>> {
    const monitor = this.environment();
    const started = performance.now();
    let value = await this.until(probe, boundMs);
    let limits: string[] = [];
    let explainableMs = 0;
    const waited = (): number => Math.round(performance.now() - started);
    while (value === undefined) {
      const report = await monitor.peek();
      limits = environmentLimits(report);
      explainableMs = explainableDelayMs(report);
      const overrun = waited() - boundMs;
      if (limits.length === 0 || overrun >= explainableMs || waited() >= capMs) break;
      value = await this.until(probe, Math.min(explainableMs - overrun, capMs - waited(), 1000));
    }
    const waitedMs = waited();
    const excused = value === undefined && limits.length > 0 && waitedMs - boundMs < explainableMs;
    return { value, waitedMs, boundMs, limits, explainableMs, excused };
  }

  /** Opens a station connection (released with the check). */
  async station(label: string): Promise<Station> {
    const station = await Station.open(label, this.host, this.port);
    this.stations.push(station);
    this.ctx.scope.defer(() => station.destroy());
    return station;
  }

  /** Frames from one station, per handler. */
  framesFrom(station: Station | number): Map<number, FrameSeen[]> {
    const port = typeof station === 'number' ? station : station.localPort;
    return this.frames.get(port) ?? new Map();
  }

  /** Frames from one station seen by one handler. */
  framesAt(station: Station, handler: number): FrameSeen[] {
    return this.framesFrom(station).get(handler) ?? [];
  }

  /** Total frame events per handler, over all stations. */
  frameCounts(): Map<number, number> {
    const counts = new Map<number, number>();
    for (const byHandler of this.frames.values())
      for (const [handler, list] of byHandler) counts.set(handler, (counts.get(handler) ?? 0) + list.length);
    return counts;
  }

  /** Handler ids seen so far, sorted (candidates may number from 0 or 1: the kit trusts their events). */
  expectedHandlers(): number[] {
    return [...this.handlerIds].sort((a, b) => a - b);
  }

  /**
   * Sends one small frame on a fresh station and learns which handlers exist before a scenario starts:
   * all of them once the handler knob's count has reported it; without the knob, those reporting it
   * within 300 ms of the first. The warm-up is not a criterion: it waits 5 s, longer (see
   * {@link untilExcused}, at most {@link WARM_UP_CAP_MS}) while the environment limited the check. Returns
   * the ids (empty when nothing was delivered) and, when the warm-up came up short, whether the
   * environment excuses it: the caller then answers UNKNOWN with `warmUp.limits`, never FAIL.
   */
  async learnHandlers(payload: Uint8Array): Promise<{ handlers: number[]; station: Station; warmUp: ExcusedWait<true> }> {
    const station = await this.station('warm-up');
    await station.write(encodeFrame(payload), `one ${payload.length}-byte frame to learn the handlers`);
    const want = this.applied.handlers;
    const warmUp = await this.untilExcused(() => (this.framesFrom(station).size >= (want ?? 1) ? true : undefined), 5000, WARM_UP_CAP_MS);
    if (want === undefined && warmUp.value) await delay(300);
    return { handlers: [...this.framesFrom(station).keys()].sort((x, y) => x - y), station, warmUp };
  }

  /**
   * Waits until the candidate has read everything this station sent (its receive queue is empty), so a
   * signal lands when the frame is half-read in the candidate, not still in the kernel. Falls back to a
   * stated settle time where /proc does not show the socket.
   */
  async waitConsumed(station: Station, timeoutMs = 3000): Promise<string> {
    const deadline = performance.now() + timeoutMs;
    let seen = false;
    while (performance.now() < deadline) {
      const rx = await candidateRxQueue(this.port, station.localPort);
      if (rx === 0) return 'the candidate read every byte sent (receive queue empty in /proc/net/tcp)';
      if (rx !== undefined) seen = true;
      await delay(5);
    }
    if (!seen) {
      await delay(300);
      return 'socket not visible in /proc/net/tcp: waited a 300 ms settle time instead';
    }
    return `the candidate left bytes unread in its receive queue for ${timeoutMs} ms`;
  }

  /** The candidate's last log lines, for evidence. */
  logs(n = 15): string[] {
    return this.proc.tail(n);
  }

  /** Events (as raw lines) since a point on the log clock. */
  linesSince(atMs: number, max = 12): string[] {
    return this.events
      .filter((e) => e.atMs >= atMs)
      .slice(-max)
      .map((e) => e.line.slice(0, 200));
  }
}
