import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type ReadRequest, RouterCore } from './router.ts';

describe('router decisions', () => {
  it('Leader reads only the leader; AnyFollower never the leader', () => {
    const r = new RouterCore('n0', ['n0', 'n1', 'n2']);
    expect(r.plan({ mode: 'Leader' }).candidates).toEqual(['n0']);
    const picks = new Set<string>();
    for (let i = 0; i < 4; i++) {
      const plan = r.plan({ mode: 'AnyFollower' });
      expect(plan.candidates).not.toContain('n0');
      picks.add(plan.candidates[0] ?? '');
    }
    expect(picks).toEqual(new Set(['n1', 'n2'])); // round robin
    expect(r.plan({ mode: 'AnyFollower', via: 'n2' }).candidates).toEqual(['n2']);
    expect(r.accepts(r.plan({ mode: 'Leader' }), 'n0', 0, 'follower')).toBe(false); // demoted leader
  });

  it('SessionConsistent and BestEffortFresh with `via` naming the leader are served by the leader', () => {
    const r = new RouterCore('n0', ['n0', 'n1', 'n2']);
    r.observe('n1', 5);
    expect(r.plan({ mode: 'SessionConsistent', minLsn: 0, via: 'n0' }).candidates).toEqual(['n0']);
    expect(r.plan({ mode: 'BestEffortFresh', via: 'n0' }).candidates).toEqual(['n0']);
  });

  it('SessionConsistent prefers caught-up followers, tries `via` first, ends at the leader', () => {
    const r = new RouterCore('n0', ['n0', 'n1', 'n2']);
    r.recordWrite('s', 10, 'n0');
    r.observe('n1', 10);
    r.observe('n2', 4);
    const plan = r.plan({ mode: 'SessionConsistent', session: 's', via: 'n2' });
    expect(plan.required).toBe(10);
    expect(plan.candidates).toEqual(['n2', 'n1', 'n0']);
    expect(r.accepts(plan, 'n2', 9, 'follower')).toBe(false);
    expect(r.accepts(plan, 'n1', 10, 'follower')).toBe(true);
    expect(r.accepts(plan, 'n0', 3, 'leader')).toBe(true);
    // An explicit token raises the requirement; unknown followers are not candidates.
    expect(r.plan({ mode: 'SessionConsistent', minLsn: 12 }).candidates).toEqual(['n0']);
    r.forget('n1');
    expect(r.plan({ mode: 'SessionConsistent', session: 's' }).candidates).toEqual(['n0']);
  });

  it('reads raise the session token (monotonic reads); BestEffortFresh targets the leader LSN', () => {
    const r = new RouterCore('n0', ['n0', 'n1']);
    r.recordRead('s', 7);
    r.recordRead('s', 3);
    expect(r.sessionLsn('s')).toBe(7);
    r.observe('n0', 20);
    r.observe('n1', 19);
    expect(r.plan({ mode: 'BestEffortFresh' })).toMatchObject({ required: 20, candidates: ['n0'] });
    r.observe('n1', 20);
    expect(r.plan({ mode: 'BestEffortFresh' }).candidates).toEqual(['n1', 'n0']);
    r.setLeader('n1');
    expect(r.followers).toEqual(['n0']);
    expect(r.leaderLsn).toBe(20);
  });

  /**
   * Model: a leader and three followers whose applied LSNs advance (and may reset, as after a crash),
   * a router whose cached view lags reality. Whatever the interleaving of writes, applies, polls and
   * reads, a SessionConsistent read is served by the leader or by a node whose applied LSN at read time
   * is ≥ the session's token; and a session's served LSNs never go back while no follower resets.
   */
  it('property: SessionConsistent never serves below the session LSN', () => {
    const followers = ['f1', 'f2', 'f3'] as const;
    const node = fc.constantFrom(...followers);
    const session = fc.constantFrom('s1', 's2');
    const command = fc.oneof(
      fc.record({ op: fc.constant('write' as const), session }),
      fc.record({ op: fc.constant('apply' as const), node, n: fc.integer({ min: 1, max: 3 }) }),
      fc.record({ op: fc.constant('poll' as const), node }),
      fc.record({ op: fc.constant('crash' as const), node }),
      fc.record({
        op: fc.constant('read' as const),
        session,
        via: fc.option(node, { nil: undefined }),
        minLsn: fc.option(fc.integer({ min: 0, max: 30 }), { nil: undefined }),
      }),
    );
    fc.assert(
      fc.property(fc.array(command, { maxLength: 80 }), fc.boolean(), (commands, allowCrash) => {
        const r = new RouterCore('L', ['L', ...followers]);
        let leaderLsn = 0;
        const applied = new Map<string, number>(followers.map((f) => [f, 0]));
        const lastServed = new Map<string, number>();
        for (const c of commands) {
          switch (c.op) {
            case 'write':
              r.recordWrite(c.session, ++leaderLsn, 'L');
              break;
            case 'apply':
              applied.set(c.node, Math.min(leaderLsn, (applied.get(c.node) ?? 0) + c.n));
              break;
            case 'poll':
              r.observe(c.node, applied.get(c.node) ?? 0);
              break;
            case 'crash':
              if (allowCrash) applied.set(c.node, 0);
              break;
            case 'read': {
              const token = Math.max(r.sessionLsn(c.session), c.minLsn ?? 0);
              const request: ReadRequest = { mode: 'SessionConsistent', session: c.session, via: c.via, minLsn: c.minLsn };
              const plan = r.plan(request);
              expect(plan.candidates.at(-1)).toBe('L');
              let served: string | undefined;
              let servedLsn = 0;
              for (const candidate of plan.candidates) {
                const lsn = candidate === 'L' ? leaderLsn : (applied.get(candidate) ?? 0);
                r.observe(candidate, lsn);
                if (r.accepts(plan, candidate, lsn, candidate === 'L' ? 'leader' : 'follower')) {
                  served = candidate;
                  servedLsn = lsn;
                  break;
                }
              }
              expect(served).toBeDefined();
              if (served !== 'L') expect(servedLsn).toBeGreaterThanOrEqual(token);
              if (!allowCrash) expect(servedLsn).toBeGreaterThanOrEqual(lastServed.get(c.session) ?? 0);
              r.recordRead(c.session, servedLsn);
              lastServed.set(c.session, servedLsn);
              break;
            }
          }
        }
      }),
      { numRuns: 400 },
    );
  });

  it('property: AnyFollower never plans the leader', () => {
    fc.assert(
      fc.property(fc.array(fc.constantFrom('n1', 'n2', undefined), { maxLength: 20 }), (vias) => {
        const r = new RouterCore('n0', ['n0', 'n1', 'n2']);
        for (const via of vias) expect(r.plan({ mode: 'AnyFollower', via }).candidates).not.toContain('n0');
      }),
    );
  });
});
