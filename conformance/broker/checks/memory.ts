import { failed, pass, unknown, type CheckDefinition } from '../../../harness/checks/check.ts';
import { startProcSampler } from '../../../harness/load/index.ts';
import { BrokerUnderTest } from '../broker-under-test.ts';
import { stationLoad } from '../paced-load.ts';
import { consumption } from '../consumed.ts';
import { environmentLimits, environmentMetrics, startEnvironmentMonitor } from '../../../harness/load/environment.ts';

const MiB = 1024 * 1024;
/** Seed 002's invariant. */
export const RSS_LIMIT = 512 * MiB;
/** "Stops growing": the growth rate over the run's second half, well under the 10 MB/s a retained 80 Mbps stream costs. */
export const GROWTH_LIMIT_MIB_PER_S = 2;
/**
 * A garbage-collected runtime (Node, JVM, Go) grows its heap in steps for a while before it levels off, so a
 * slope alone would blame correct candidates. A broker that keeps what it receives also grows in proportion
 * to the stream: both signs are required for a FAIL.
 */
export const RETAINED_SHARE_LIMIT = 0.5;
const DURATION_MS = 8000;
/** Below this share of the bytes written, the candidate consumed too little for its memory to mean anything. */
export const CONSUMED_SHARE_MIN = 0.5;

/** Least-squares slope of (seconds, bytes) points, bytes per second. */
export function slope(points: ReadonlyArray<readonly [number, number]>): number {
  const n = points.length;
  if (n < 2) return 0;
  const mx = points.reduce((a, p) => a + p[0], 0) / n;
  const my = points.reduce((a, p) => a + p[1], 0) / n;
  let num = 0;
  let den = 0;
  for (const [x, y] of points) {
    num += (x - mx) * (y - my);
    den += (x - mx) ** 2;
  }
  return den === 0 ? 0 : num / den;
}

export const memory: CheckDefinition = {
  id: 'broker.memory',
  system: 'broker',
  level: 'recommended',
  title: 'Bounded memory at 80 Mbps',
  criterion: `Under the reference load (48 stations, 10,000 frames/s of 1 KiB, ${DURATION_MS / 1000} s), resident memory stays under 512 MiB and stops growing: it fails when, over the second half, it grows faster than ${GROWTH_LIMIT_MIB_PER_S} MiB/s and has grown since warm-up by more than ${RETAINED_SHARE_LIMIT * 100}% of the bytes the broker consumed (read from its sockets; when it consumed under ${CONSUMED_SHARE_MIN * 100}% of what the kit wrote, there is nothing to judge: UNKNOWN).`,
  heavy: true,
  timeoutMs: 60_000,
  async run(ctx) {
    const broker = await BrokerUnderTest.launch(ctx, { knobs: { handlers: 3 } });
    const sampler = startProcSampler({ pid: broker.proc.pid as number, scope: 'group', intervalMs: 200 });
    ctx.scope.defer(() => sampler.stop());
    const env = startEnvironmentMonitor({ pid: broker.proc.pid as number });
    ctx.scope.defer(() => void env.stop());
    const load = await stationLoad(broker, {
      connections: 48,
      rate: 10_000,
      durationMs: DURATION_MS,
      frameBytes: 1024,
      seed: ctx.seed,
      payload: 'cbor',
    });
    // "Received" is what the candidate read out of its sockets, not what the kit wrote (receive queues in /proc).
    const taken = await consumption(broker.port, load.stations);
    // The candidate's log backlog when the load ended: frame lines it owed the kit (one per handler per frame
    // consumed) that the kit had not yet read, at their observed length, doubled for runtime overhead.
    const frameEvents = broker.events.filter((e) => e.event === 'frame');
    const recent = frameEvents.slice(-2000);
    const lineBytes = recent.length === 0 ? 0 : recent.reduce((n, e) => n + e.line.length + 1, 0) / recent.length;
    const owedLines = Math.max(0, (taken.consumed / 1028) * Math.max(1, broker.handlerIds.size) - frameEvents.length);
    const backlogMiB = (owedLines * lineBytes * 2) / MiB;
    const summary = await sampler.stop();
    const environment = await env.stop();
    const limits = environmentLimits(environment);
    const start = summary.samples[0]?.atUs ?? 0;
    const points = summary.samples.map((s) => [(s.atUs - start) / 1e6, s.rssBytes] as const);
    const secondHalf = points.filter(([t]) => t >= DURATION_MS / 2000);
    const growth = slope(secondHalf) / MiB;
    const maxMiB = summary.maxRssBytes / MiB;
    // Warm-up: the first second (connections opened, buffers and JIT settled).
    const baseline = points.find(([t]) => t >= 1)?.[1] ?? points[0]?.[1] ?? 0;
    const retainedMiB = (Math.max(...points.map(([, b]) => b)) - baseline) / MiB;
    const sentMiB = taken.consumed / MiB;
    const writtenMiB = taken.written / MiB;
    const metrics = {
      maxRssMiB: +maxMiB.toFixed(1),
      growthMiBPerS: +growth.toFixed(2),
      grownSinceWarmupMiB: +retainedMiB.toFixed(1),
      consumedMiB: +sentMiB.toFixed(1),
      logBacklogMiB: +backlogMiB.toFixed(1),
      writtenMiB: +writtenMiB.toFixed(1),
      framesSent: load.sent,
      achievedRate: Math.round(load.achievedRate),
      meanCpuPercent: Math.round(summary.meanCpuPercent),
      ...environmentMetrics(environment),
    };
    const consumedNote = taken.visible
      ? `the candidate consumed ${sentMiB.toFixed(1)} of the ${writtenMiB.toFixed(1)} MiB the kit wrote (receive and send queues in /proc/net/tcp)`
      : 'sockets not visible in /proc/net/tcp: bytes written taken as consumed';
    const data = {
      plots: [
        {
          title: 'Resident memory under load',
          xLabel: 's',
          yLabel: 'MiB',
          series: [{ name: 'RSS', points: points.map(([t, b]) => [t, b / MiB] as [number, number]) }],
        },
      ],
    };
    if (summary.exited) return failed('the broker exited during the load run', { metrics, data, logs: broker.logs() });
    if (taken.consumed < CONSUMED_SHARE_MIN * taken.written) {
      return unknown(
        `the candidate consumed only ${sentMiB.toFixed(1)} of the ${writtenMiB.toFixed(1)} MiB the kit wrote (the rest sat unread in its receive queues): too little to judge its memory under this load`,
        { metrics, data, notes: [consumedNote, ...limits], logs: broker.logs() },
      );
    }
    // Over the limit is a failure at any rate the kit managed to send: less load, same verdict.
    if (summary.maxRssBytes > RSS_LIMIT)
      return failed(`resident memory reached ${maxMiB.toFixed(0)} MiB, over the 512 MiB limit`, { metrics, data, logs: broker.logs() });
    if (growth > GROWTH_LIMIT_MIB_PER_S && retainedMiB > RETAINED_SHARE_LIMIT * sentMiB) {
      // A slow log intake makes a candidate buffer its log lines (a starved CPU only makes it read less). That
      // backlog is measured (lines owed to the kit when the load ended): only growth it can account for is excused.
      const intake = environmentLimits(environment, {}, ['kit-loop', 'log-pipe']);
      if (intake.length > 0 && retainedMiB - backlogMiB <= RETAINED_SHARE_LIMIT * sentMiB)
        return unknown(
          `resident memory kept growing at ${growth.toFixed(1)} MiB/s and grew ${retainedMiB.toFixed(0)} MiB for ${sentMiB.toFixed(0)} MiB consumed, but the kit's log intake limited the run and the log backlog it left (${backlogMiB.toFixed(0)} MiB of lines owed to the kit) accounts for the excess: ${intake.join('; ')}`,
          { metrics, data, notes: [consumedNote, ...limits], logs: broker.logs() },
        );
      return failed(
        `resident memory kept growing at ${growth.toFixed(1)} MiB/s over the second half and grew ${retainedMiB.toFixed(0)} MiB since warm-up for ${sentMiB.toFixed(0)} MiB consumed (peak ${maxMiB.toFixed(0)} MiB): it keeps what it receives, and a 10-minute pass would exhaust 512 MiB`,
        { metrics, data, notes: [consumedNote], logs: broker.logs() },
      );
    }
    // Growth in proportion to the bytes consumed is judged at any rate; a PASS needs the full rate.
    if (!load.valid)
      return unknown(`the kit sent ${Math.round(load.achievedRate)} frames/s, under 98% of 10,000: no verdict on the candidate`, {
        metrics,
        data,
        notes: limits,
      });
    return pass(
      `peak ${maxMiB.toFixed(0)} MiB; ${retainedMiB.toFixed(0)} MiB grown since warm-up for ${sentMiB.toFixed(0)} MiB consumed; ${growth.toFixed(2)} MiB/s over the second half`,
      { metrics, data, notes: [consumedNote, ...limits] },
    );
  },
};
