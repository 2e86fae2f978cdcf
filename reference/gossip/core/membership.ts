/**
 * Reconciliation order and the membership table.
 *
 * Every claim about a member is ordered by (generation, status rank, meta) lexicographically, with
 * rank alive(0) < suspected(1) < dead(2) and meta compared as strings (absent < any string). A table
 * keeps, per member id, the greatest claim it has seen. "Greatest" is a total order, so merging is
 * commutative, associative and idempotent: two tables that exchanged their contents hold identical
 * entries, whatever the order the claims arrived in.
 *
 * Why severity wins ties: at equal generation a failure claim must not be undone by a stale or
 * concurrent Alive claim at the same generation, otherwise a suspicion could be silently erased by an
 * old rumour. The only member allowed to clear a failure claim is the member itself, and it does so by
 * out-bidding the claim's generation: a prober proposes Suspected at G+1, the suspect answers Alive at
 * G+2 (claim generation + 1). A Dead verdict keeps the generation of the suspicion it confirms (G+1),
 * so the same G+2 refutation also revives a member wrongly declared Dead (after a partition heals).
 */
import { STATUS_RANK } from './types.ts';
import type { Member } from './types.ts';

/** Negative when a < b, zero when identical, positive when a > b in the reconciliation order. */
export function compareClaims(a: Member, b: Member): number {
  if (a.generation !== b.generation) return a.generation < b.generation ? -1 : 1;
  const rank = STATUS_RANK[a.status] - STATUS_RANK[b.status];
  if (rank !== 0) return rank;
  const am = a.meta;
  const bm = b.meta;
  if (am === bm) return 0;
  if (am === undefined) return -1;
  if (bm === undefined) return 1;
  return am < bm ? -1 : 1;
}

/** True when `claim` must replace `current` (strictly greater). */
export function supersedes(claim: Member, current: Member | undefined): boolean {
  return current === undefined || compareClaims(claim, current) > 0;
}

/** UTF-8 length of a string, without allocating. */
export function utf8Length(s: string): number {
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x80) n += 1;
    else if (c < 0x800) n += 2;
    else if (c >= 0xd800 && c <= 0xdbff) {
      n += 4;
      i += 1;
    } else n += 3;
  }
  return n;
}

/** Upper bound of one member's encoded size on the wire (see codec.ts): strings + ≤ 12 bytes of framing. */
export function wireSize(m: Member): number {
  return utf8Length(m.id) + (m.meta === undefined ? 0 : utf8Length(m.meta)) + 16;
}

/** Rough in-memory cost of one entry: object + Map slot (~96 bytes) + UTF-16 strings. Documented in the README. */
export const ENTRY_OVERHEAD_BYTES = 96;
export function entryBytes(m: Member): number {
  return ENTRY_OVERHEAD_BYTES + 2 * m.id.length + 2 * (m.meta?.length ?? 0);
}

interface Pending {
  entry: Member;
  transmits: number;
  order: number;
}

/**
 * Updates waiting to be piggybacked (memberlist's transmit-limited queue): each queued update rides on
 * outgoing messages, least-sent first then newest first, and is dropped after `limit` transmissions.
 * A newer update about the same member replaces the older one and starts again at zero.
 */
export class BroadcastQueue {
  private readonly pending = new Map<string, Pending>();
  private counter = 0;

  get size(): number {
    return this.pending.size;
  }

  push(entry: Member): void {
    this.pending.set(entry.id, { entry, transmits: 0, order: this.counter++ });
  }

  /**
   * Up to `max` updates fitting in `budget` wire bytes for one message (none about an id in `skip`),
   * counting a transmission for each.
   */
  take(max: number, limit: number, skip?: ReadonlySet<string>, budget = Infinity): Member[] {
    if (max <= 0 || this.pending.size === 0) return [];
    const all = [...this.pending.values()].filter((p) => skip === undefined || !skip.has(p.entry.id));
    all.sort((a, b) => a.transmits - b.transmits || b.order - a.order);
    const chosen: Pending[] = [];
    let left = budget;
    for (const p of all) {
      if (chosen.length >= max) break;
      const size = wireSize(p.entry);
      if (size > left) continue;
      left -= size;
      chosen.push(p);
    }
    for (const p of chosen) {
      p.transmits += 1;
      if (p.transmits >= limit) this.pending.delete(p.entry.id);
    }
    return chosen.map((p) => p.entry);
  }
}
