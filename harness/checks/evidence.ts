import type { Plot, TimelineRow } from '../common/plot.ts';

/** What a person needs to understand a verdict: what was sent, what came back, what the candidate said. */
export interface Evidence {
  /** One line: shown in the table. */
  summary: string;
  /** What the kit sent (hex for small frames, requests, faults). */
  sent?: string[];
  /** What the kit observed (events, responses, timings). */
  observed?: string[];
  /** The candidate's last log lines. */
  logs?: string[];
  /** Figures measured (latency, rates, memory, rounds…). */
  metrics?: Record<string, number | string>;
  /** Anything else: how a condition was determined, caveats. */
  notes?: string[];
  /** Machine-readable extras for reports and plots (convergence tables, time series…). */
  data?: EvidenceData;
}

/** Machine-readable extras: `plots` and `timeline` are drawn by the HTML report; the rest is kept in JSON. */
export interface EvidenceData {
  plots?: Plot[];
  timeline?: TimelineRow[];
  [extra: string]: unknown;
}
