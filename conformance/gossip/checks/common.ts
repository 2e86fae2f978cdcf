/** Shared pieces of the gossip checks: evidence assembly and the usual per-round measures. */
import { failed, pass, type CheckOutcome } from '../../../harness/checks/check.ts';
import { withRunEvidence, type Evidence } from '../../../harness/checks/evidence.ts';
import type { Plot, TimelineRow } from '../../../harness/common/plot.ts';
import type { GossipCluster } from '../gossip-cluster.ts';
import { entryIn, type Entry, type Views } from '../views.ts';

type Rest = Omit<Evidence, 'summary'>;

/** Logs, driver notes and the fault timeline of the clusters a check ran, merged into `rest`. */
export function withCluster(clusters: ReadonlyArray<readonly [string, GossipCluster]>, rest: Rest = {}): Rest {
  const logs: string[] = [];
  const notes: string[] = [];
  const timeline: TimelineRow[] = [];
  const many = clusters.length > 1;
  for (const [label, c] of clusters) {
    const e = c.evidence();
    logs.push(...e.logs.map((l) => (many ? `[${label}] ${l}` : l)));
    notes.push(...e.notes.map((n) => (many ? `[${label}] ${n}` : n)));
    timeline.push(...e.timeline.map((t) => (many ? { ...t, details: { cluster: label, ...t.details } } : t)));
  }
  return withRunEvidence(rest, { logs, notes, timeline });
}

export function passWith(summary: string, clusters: ReadonlyArray<readonly [string, GossipCluster]>, rest: Rest = {}): CheckOutcome {
  return pass(summary, withCluster(clusters, rest));
}

export function failWith(summary: string, clusters: ReadonlyArray<readonly [string, GossipCluster]>, rest: Rest = {}): CheckOutcome {
  return failed(summary, withCluster(clusters, rest));
}

/** How many of `viewers` hold every one of `members` alive. */
export function allAliveCount(views: Views, viewers: readonly string[], members: readonly string[]): number {
  let n = 0;
  for (const v of viewers) if (views.has(v) && members.every((m) => entryIn(views, v, m)?.status === 'alive')) n++;
  return n;
}

/** The first (viewer, entry) where some viewer holds one of `members` with status `status`. */
export function findStatus(
  views: Views,
  viewers: readonly string[],
  members: readonly string[],
  status: Entry['status'],
): { viewer: string; entry: Entry } | undefined {
  for (const v of viewers) {
    for (const m of members) {
      const e = entryIn(views, v, m);
      if (e?.status === status) return { viewer: v, entry: e };
    }
  }
  return undefined;
}

/** The per-round "nodes aware" plot the HTML report draws. */
export function awarePlot(
  title: string,
  series: ReadonlyArray<{ name: string; points: Array<[number, number]> }>,
  yLabel = 'nodes aware',
): Plot {
  return { title, xLabel: 'round', yLabel, series: series.map((s) => ({ name: s.name, points: s.points })) };
}

/** Shift a series so that `base` becomes round 0. */
export function relative(points: ReadonlyArray<[number, number]>, base: number): Array<[number, number]> {
  return points.filter(([r]) => r >= base).map(([r, n]) => [r - base, n]);
}
