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

/** Evidence without its summary: what a check hands to `pass`, `failed`, `unknown`… */
export type EvidenceRest = Omit<Evidence, 'summary'>;

/** What a run under test (a broker, a store cluster, gossip clusters) adds to every verdict of its check. */
export interface RunEvidence {
  /** The kit's actions on the run (faults, admin calls), listed before the check's own `sent`. */
  sent?: readonly string[];
  /** The candidate's last log lines, after the check's. */
  logs?: readonly string[];
  /** Driver notes, after the check's. */
  notes?: readonly string[];
  /** The run's timeline, drawn by the HTML report. */
  timeline?: readonly TimelineRow[];
}

/**
 * The one evidence builder the suites share: the check's `rest` merged with what its run contributes, the
 * plots and the timeline typed into `data` where the reports read them.
 */
export function withRunEvidence(rest: EvidenceRest & { plots?: readonly Plot[] }, run: RunEvidence): EvidenceRest {
  const { plots, ...others } = rest;
  const out: EvidenceRest = { ...others };
  const append = (own: readonly string[] | undefined, extra: readonly string[] | undefined, first: boolean): string[] | undefined => {
    if (extra === undefined || extra.length === 0) return own === undefined ? undefined : [...own];
    return first ? [...extra, ...(own ?? [])] : [...(own ?? []), ...extra];
  };
  const sent = append(others.sent, run.sent, true);
  const logs = append(others.logs, run.logs, false);
  const notes = append(others.notes, run.notes, false);
  if (sent) out.sent = sent;
  if (logs) out.logs = logs;
  if (notes) out.notes = notes;
  const data: EvidenceData = { ...(others.data ?? {}) };
  if (run.timeline) data.timeline = [...run.timeline];
  if (plots && plots.length > 0) data.plots = [...plots];
  if (run.timeline || (plots && plots.length > 0) || others.data) out.data = data;
  return out;
}
