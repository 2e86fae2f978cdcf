/**
 * The read router's decisions without I/O: the session table (each session's LSN token), what the router
 * knows about each node's applied LSN, and for each read an ordered list of nodes to try plus the rule a
 * node's answer must satisfy.
 *
 * Soundness does not rest on the cached LSNs (they only order the candidates): a data node answers a read
 * with its value AND its applied LSN read at the same instant, and `accepts` checks that LSN. So a
 * SessionConsistent read is never served by a follower whose applied LSN is below the session's token.
 */
export const READ_MODES = ['Leader', 'AnyFollower', 'SessionConsistent', 'BestEffortFresh'] as const;
export type ReadMode = (typeof READ_MODES)[number];

export function isReadMode(value: string): value is ReadMode {
  return (READ_MODES as readonly string[]).includes(value);
}

export interface ReadRequest {
  readonly mode: ReadMode;
  readonly session?: string | undefined;
  /** Explicit LSN token (the client carries it instead of, or on top of, a session id). */
  readonly minLsn?: number | undefined;
  /** Preferred (AnyFollower: forced) follower. */
  readonly via?: string | undefined;
}

export interface ReadPlan {
  readonly mode: ReadMode;
  /** A follower's answer counts only if its applied LSN is ≥ this. */
  readonly required: number;
  /** Nodes to try, in order. Contains the leader only as the last resort (never for AnyFollower). */
  readonly candidates: readonly string[];
  /** The leader at planning time: its answer is always accepted. */
  readonly leader: string;
}

export class RouterCore {
  #leader: string;
  readonly #nodes: readonly string[];
  readonly #sessions = new Map<string, number>();
  readonly #known = new Map<string, number>();
  /** Highest LSN we know the current leader has (acknowledged writes through us, status polls). */
  #leaderLsn = 0;
  #rr = 0;

  constructor(leader: string, dataNodes: readonly string[]) {
    if (!dataNodes.includes(leader)) throw new RangeError(`leader ${leader} is not a data node`);
    this.#leader = leader;
    this.#nodes = [...dataNodes];
  }

  get leader(): string {
    return this.#leader;
  }

  get nodes(): readonly string[] {
    return this.#nodes;
  }

  get followers(): string[] {
    return this.#nodes.filter((n) => n !== this.#leader);
  }

  get leaderLsn(): number {
    return this.#leaderLsn;
  }

  get sessionCount(): number {
    return this.#sessions.size;
  }

  isNode(id: string): boolean {
    return this.#nodes.includes(id);
  }

  setLeader(id: string): void {
    if (!this.isNode(id)) throw new RangeError(`unknown node ${id}`);
    if (id !== this.#leader) this.#leaderLsn = this.#known.get(id) ?? 0;
    this.#leader = id;
  }

  sessionLsn(session: string | undefined): number {
    return session === undefined ? 0 : (this.#sessions.get(session) ?? 0);
  }

  knownLsn(node: string): number | undefined {
    return this.#known.get(node);
  }

  /** A node told us its applied LSN (status poll or read answer). Latest observation wins. */
  observe(node: string, lsn: number): void {
    this.#known.set(node, lsn);
    if (node === this.#leader) this.#leaderLsn = Math.max(this.#leaderLsn, lsn);
  }

  /** A node could not be reached: stop preferring it until it answers again. */
  forget(node: string): void {
    this.#known.delete(node);
  }

  /** The leader acknowledged a write at `lsn` (`leader` = who served it). */
  recordWrite(session: string | undefined, lsn: number, leader: string): void {
    if (leader === this.#leader) this.#leaderLsn = Math.max(this.#leaderLsn, lsn);
    this.#raise(session, lsn);
  }

  /** A read was served at `lsn`: later reads of the session must not go back (monotonic reads). */
  recordRead(session: string | undefined, lsn: number): void {
    this.#raise(session, lsn);
  }

  plan(request: ReadRequest): ReadPlan {
    const leader = this.#leader;
    const followers = this.#rotate(this.followers);
    const via = request.via !== undefined && request.via !== leader && this.isNode(request.via) ? request.via : undefined;
    switch (request.mode) {
      case 'Leader':
        return { mode: request.mode, required: 0, candidates: [leader], leader };
      case 'AnyFollower':
        return { mode: request.mode, required: 0, candidates: via ? [via] : followers, leader };
      case 'SessionConsistent':
      case 'BestEffortFresh': {
        const required =
          request.mode === 'SessionConsistent'
            ? Math.max(this.sessionLsn(request.session), request.minLsn ?? 0)
            : Math.max(this.#leaderLsn, request.minLsn ?? 0);
        // `via` naming the leader: the leader is always caught up, so it is tried first and serves.
        if (request.via === leader) return { mode: request.mode, required, candidates: [leader], leader };
        const fresh = followers.filter((f) => f !== via && (this.#known.get(f) ?? -1) >= required);
        return { mode: request.mode, required, candidates: [...(via ? [via] : []), ...fresh, leader], leader };
      }
    }
  }

  /**
   * Whether `node`'s answer, given at its applied LSN `lsn` while in role `role`, may be served for this
   * plan. The planned leader counts as leader only if it still says so (a demoted node is a follower).
   */
  accepts(plan: ReadPlan, node: string, lsn: number, role: 'leader' | 'follower'): boolean {
    const isLeader = node === plan.leader && role === 'leader';
    if (plan.mode === 'Leader') return isLeader;
    if (plan.mode === 'AnyFollower') return node !== plan.leader;
    return isLeader || lsn >= plan.required;
  }

  #raise(session: string | undefined, lsn: number): void {
    if (session === undefined) return;
    this.#sessions.set(session, Math.max(this.#sessions.get(session) ?? 0, lsn));
  }

  #rotate(items: readonly string[]): string[] {
    if (items.length === 0) return [];
    const start = this.#rr++ % items.length;
    return [...items.slice(start), ...items.slice(0, start)];
  }
}
