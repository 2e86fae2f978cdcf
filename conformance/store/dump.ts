/**
 * Pure helpers over data-node `/dump` answers (conformance/store/README.md §5): validation, the dense-log
 * rule, "this log is a prefix of that one" and "every acknowledged write is on the leader at its LSN".
 * Each returns the first problem in words (or undefined), naming LSNs, keys and values.
 */

export interface DumpEntry {
  lsn: number;
  key: string;
  value: string;
}

export interface Dump {
  node: string;
  appliedLsn: number;
  entries: DumpEntry[];
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Validates a `/dump` body: `{appliedLsn: n, entries: [{lsn, key, value}, …]}`. */
export function parseDump(raw: unknown, node: string): Dump | { problem: string } {
  if (!isRecord(raw)) return { problem: `${node} /dump is not a JSON object` };
  const applied = raw['appliedLsn'];
  const entries = raw['entries'];
  if (typeof applied !== 'number' || !Number.isSafeInteger(applied) || applied < 0)
    return { problem: `${node} /dump has no integer "appliedLsn"` };
  if (!Array.isArray(entries)) return { problem: `${node} /dump has no "entries" array` };
  const out: DumpEntry[] = [];
  for (const [i, e] of entries.entries()) {
    if (!isRecord(e) || typeof e['lsn'] !== 'number' || typeof e['key'] !== 'string' || typeof e['value'] !== 'string') {
      return { problem: `${node} /dump entry #${i} is not {lsn: number, key: string, value: string}: ${JSON.stringify(e).slice(0, 120)}` };
    }
    out.push({ lsn: e['lsn'], key: e['key'], value: e['value'] });
  }
  return { node, appliedLsn: applied, entries: out };
}

export function isDump(d: Dump | { problem: string }): d is Dump {
  return !('problem' in d);
}

const show = (e: DumpEntry): string => `LSN ${e.lsn} ${e.key}=${JSON.stringify(e.value)}`;

/** LSNs must be exactly 1…n in order (no gap, no duplicate, nothing applied twice) and n = appliedLsn. */
export function denseProblem(dump: Dump): string | undefined {
  for (const [i, e] of dump.entries.entries()) {
    if (e.lsn !== i + 1) {
      const before = i > 0 ? ` after LSN ${dump.entries[i - 1]?.lsn}` : ' first';
      return `${dump.node}'s log is not dense and ordered: entry #${i + 1} has LSN ${e.lsn}${before} (expected ${i + 1}): entries were applied out of order, twice or with a gap`;
    }
  }
  if (dump.appliedLsn !== dump.entries.length) {
    return `${dump.node} reports appliedLsn ${dump.appliedLsn} but its /dump lists ${dump.entries.length} entries`;
  }
  return undefined;
}

/**
 * `follower`'s log must be a prefix of `leader`'s: same entry at every LSN it has, and no LSN beyond the
 * leader's end. `exact` additionally demands the same length (caught up).
 */
export function prefixProblem(follower: Dump, leader: Dump, exact = false): string | undefined {
  const dense = denseProblem(follower);
  if (dense) return dense;
  for (const [i, e] of follower.entries.entries()) {
    const l = leader.entries[i];
    if (!l) return `${follower.node} holds ${show(e)} beyond the end of ${leader.node}'s log (LSN ${leader.entries.length}): not a prefix`;
    if (l.key !== e.key || l.value !== e.value || l.lsn !== e.lsn) {
      return `${follower.node} holds ${show(e)} where ${leader.node} holds ${show(l)}: ${follower.node}'s log is not a prefix of ${leader.node}'s`;
    }
  }
  if (exact && follower.entries.length !== leader.entries.length) {
    return `${follower.node} has ${follower.entries.length} entries, ${leader.node} has ${leader.entries.length}: not caught up`;
  }
  return undefined;
}

export interface AckedWrite {
  id: string;
  lsn: number;
  key: string;
  value: string;
}

/** Every acknowledged write must sit in `leader`'s log at the LSN it was acknowledged with. Returns all problems. */
export function lostWrites(acked: readonly AckedWrite[], leader: Dump): string[] {
  const problems: string[] = [];
  for (const w of acked) {
    const at = leader.entries[w.lsn - 1];
    if (at && at.lsn === w.lsn && at.key === w.key && at.value === w.value) continue;
    const elsewhere = leader.entries.find((e) => e.key === w.key && e.value === w.value);
    const where = at ? `LSN ${w.lsn} holds ${at.key}=${JSON.stringify(at.value)}` : `its log ends at LSN ${leader.entries.length}`;
    problems.push(
      `acknowledged write ${w.id} (${w.key}=${JSON.stringify(w.value)}, LSN ${w.lsn}) is not on ${leader.node} at its LSN: ${where}${elsewhere ? ` (the value sits at LSN ${elsewhere.lsn} instead)` : ''}`,
    );
  }
  return problems;
}
