/**
 * Membership views as the kit reads them from `GET /views` / `GET /nodes/{id}/view`, validated, plus the
 * small vocabulary the checks use to judge them (who is aware of what, which entries are off).
 */

export const STATUSES = ['alive', 'suspected', 'dead'] as const;
export type Status = (typeof STATUSES)[number];

/** One entry of a node's view: "member `id` is `status` at `generation`" (+ its own `meta`). */
export interface Entry {
  id: string;
  status: Status;
  generation: number;
  meta?: string;
}

export interface NodeView {
  id: string;
  round: number;
  members: Entry[];
}

/** Every read view by the viewing node's id. */
export type Views = ReadonlyMap<string, NodeView>;

/** A candidate answer that does not have the contract's shape. */
export class ViewShapeError extends Error {}

function shapeError(where: string, what: string, got: unknown): never {
  const shown = JSON.stringify(got)?.slice(0, 160) ?? String(got);
  throw new ViewShapeError(`${where}: expected ${what}, got ${shown}`);
}

/** Validates one entry (`where` names it in errors). */
export function parseEntry(raw: unknown, where: string): Entry {
  if (typeof raw !== 'object' || raw === null) shapeError(where, 'an object {id, status, generation, meta?}', raw);
  const o = raw as Record<string, unknown>;
  if (typeof o.id !== 'string' || o.id === '') shapeError(`${where}.id`, 'a node id', o.id);
  if (typeof o.status !== 'string' || !(STATUSES as readonly string[]).includes(o.status))
    shapeError(`${where}.status`, 'alive, suspected or dead', o.status);
  if (typeof o.generation !== 'number' || !Number.isSafeInteger(o.generation) || o.generation < 0)
    shapeError(`${where}.generation`, 'a non-negative integer', o.generation);
  if (o.meta !== undefined && o.meta !== null && typeof o.meta !== 'string') shapeError(`${where}.meta`, 'a string when present', o.meta);
  const entry: Entry = { id: o.id, status: o.status as Status, generation: o.generation };
  if (typeof o.meta === 'string') entry.meta = o.meta;
  return entry;
}

/** Validates one view `{id, round, members: [...]}`. */
export function parseView(raw: unknown, where: string): NodeView {
  if (typeof raw !== 'object' || raw === null) shapeError(where, 'a view {id, round, members}', raw);
  const o = raw as Record<string, unknown>;
  if (typeof o.id !== 'string' || o.id === '') shapeError(`${where}.id`, 'the viewing node id', o.id);
  if (!Array.isArray(o.members)) shapeError(`${where}.members`, 'an array of entries', o.members);
  const round = typeof o.round === 'number' && Number.isFinite(o.round) ? o.round : -1;
  return { id: o.id, round, members: (o.members as unknown[]).map((m, i) => parseEntry(m, `${where}.members[${i}]`)) };
}

/** Validates a `GET /views` answer: `{"nodes": [view, …]}`. */
export function parseViews(raw: unknown, where: string): NodeView[] {
  if (typeof raw !== 'object' || raw === null || !Array.isArray((raw as { nodes?: unknown }).nodes))
    shapeError(where, '{"nodes": [view, …]}', raw);
  return (raw as { nodes: unknown[] }).nodes.map((v, i) => parseView(v, `${where}.nodes[${i}]`));
}

/** Node `viewer`'s entry about `member` (undefined when the viewer is unknown or does not list it). */
export function entryIn(views: Views, viewer: string, member: string): Entry | undefined {
  return views.get(viewer)?.members.find((m) => m.id === member);
}

/** `n3 alive@2 "load=1"`. */
export function describeEntry(e: Entry | undefined, member = '?'): string {
  if (e === undefined) return `${member} (not listed)`;
  return `${e.id} ${e.status}@${e.generation}${e.meta === undefined ? '' : ` ${JSON.stringify(e.meta)}`}`;
}

/** How many of `viewers` have a view whose entry about `member` satisfies `pred`. */
export function countAware(views: Views, viewers: readonly string[], member: string, pred: (e: Entry | undefined) => boolean): number {
  let n = 0;
  for (const v of viewers) if (views.has(v) && pred(entryIn(views, v, member))) n++;
  return n;
}

/**
 * Entries that break an expectation, one line per viewer, e.g. `n4 sees: n0 alive@0 (want …)`. `want`
 * returns undefined when the entry is fine, else a short reason. At most `max` lines.
 */
export function offending(
  views: Views,
  viewers: readonly string[],
  members: readonly string[],
  want: (e: Entry | undefined, viewer: string, member: string) => string | undefined,
  max = 12,
): string[] {
  const lines: string[] = [];
  let more = 0;
  for (const v of viewers) {
    const view = views.get(v);
    if (view === undefined) {
      if (lines.length < max) lines.push(`${v}: no view read`);
      else more++;
      continue;
    }
    const bad: string[] = [];
    for (const m of members) {
      const e = view.members.find((x) => x.id === m);
      const why = want(e, v, m);
      if (why !== undefined) bad.push(`${describeEntry(e, m)} (${why})`);
    }
    if (bad.length === 0) continue;
    if (lines.length < max)
      lines.push(`${v} (round ${view.round}) sees ${bad.slice(0, 6).join('; ')}${bad.length > 6 ? `; +${bad.length - 6} more` : ''}`);
    else more++;
  }
  if (more > 0) lines.push(`… and ${more} more viewer(s)`);
  return lines;
}

/** A compact dump of whole views (evidence): one line per viewer, non-alive entries spelled out. */
export function dumpViews(views: Views, viewers: readonly string[] = [...views.keys()], max = 20): string[] {
  const lines: string[] = [];
  for (const v of viewers.slice(0, max)) {
    const view = views.get(v);
    if (!view) {
      lines.push(`${v}: (no view)`);
      continue;
    }
    const alive = view.members.filter((m) => m.status === 'alive').length;
    const other = view.members.filter((m) => m.status !== 'alive').map((m) => describeEntry(m));
    lines.push(
      `${v} @round ${view.round}: ${view.members.length} members, ${alive} alive${other.length ? `; ${other.slice(0, 8).join(', ')}${other.length > 8 ? ` +${other.length - 8}` : ''}` : ''}`,
    );
  }
  if (viewers.length > max) lines.push(`… ${viewers.length - max} more views in data.views`);
  return lines;
}

/** Views as plain JSON for `evidence.data` (only the listed viewers, to keep reports small). */
export function viewsData(views: Views, viewers: readonly string[] = [...views.keys()]): Record<string, Entry[]> {
  const out: Record<string, Entry[]> = {};
  for (const v of viewers) {
    const view = views.get(v);
    if (view) out[v] = view.members;
  }
  return out;
}
