/**
 * The typed parts of a check's evidence that reports draw: line plots and a timeline of marks. They live
 * on the floor layer so the machinery that measures (load, cluster, network) and the suites that judge can
 * build them without importing the report layer that renders them.
 *
 * @module
 */

/** A line plot carried in evidence (`evidence.data.plots`): latency over time, rates, memory, convergence. */
export interface Plot {
  title: string;
  xLabel: string;
  yLabel: string;
  series: Array<{ name: string; points: Array<[number, number]> }>;
}

/** One mark on a run's time axis carried in evidence (`evidence.data.timeline`): a fault, a kit action. */
export interface TimelineRow {
  /** Milliseconds since the run's timeline began. */
  atMs: number;
  /** What happened, e.g. `net.partition`, `gossip.mark`. */
  kind: string;
  details?: Record<string, unknown>;
}
