import { describe, expect, it } from 'vitest';
import { CommitWaiters } from './commit-waiters.ts';
import { LeaderCore } from './leader.ts';
import { QuorumTracker } from './quorum.ts';
import { ReplicaLog } from './replica-log.ts';

describe('quorum (ANY k of the sync followers)', () => {
  it('k = 1 of 1: commit follows the sync follower; async acks never count', () => {
    const leader = new LeaderCore(new ReplicaLog(), 'n0', 1, ['n1'], 1);
    leader.append('a', '1');
    leader.append('a', '2');
    expect(leader.commitLsn).toBe(0);
    expect(leader.ack('n2', 2)).toBe(false); // async
    expect(leader.commitLsn).toBe(0);
    expect(leader.ack('n1', 1)).toBe(true);
    expect(leader.commitLsn).toBe(1);
    leader.ack('n1', 2);
    expect(leader.commitLsn).toBe(2);
  });

  it('k = 2 of 3 waits for the second-highest sync follower', () => {
    const t = new QuorumTracker(['a', 'b', 'c'], 2);
    t.record('a', 9);
    expect(t.quorumLsn()).toBe(0);
    t.record('c', 4);
    expect(t.quorumLsn()).toBe(4);
    t.record('b', 7);
    expect(t.quorumLsn()).toBe(7);
    t.record('b', 3); // acks never move a follower backwards…
    expect(t.quorumLsn()).toBe(7);
    t.record('b', 3, 'set'); // …but a re-subscription states the truth
    expect(t.quorumLsn()).toBe(4);
  });

  it('commit never decreases, never exceeds the log, and k = 0 commits at once', () => {
    const leader = new LeaderCore(new ReplicaLog(), 'n0', 1, ['n1'], 1);
    leader.append('a', '1');
    leader.ack('n1', 5);
    expect(leader.commitLsn).toBe(1);
    leader.subscribed('n1', 0);
    expect(leader.commitLsn).toBe(1);
    const none = new LeaderCore(new ReplicaLog(), 'n0', 1, [], 0);
    none.append('a', '1');
    expect(none.commitLsn).toBe(1);
    expect(() => new QuorumTracker(['a'], 2)).toThrow(RangeError);
  });

  it('waiters are released in LSN order up to the commit LSN', () => {
    const w = new CommitWaiters<string>();
    w.add(1, 'one');
    w.add(2, 'two');
    w.add(3, 'three');
    expect(w.remove('two')).toBe(true);
    expect(w.release(2)).toEqual(['one']);
    expect(w.release(5)).toEqual(['three']);
    expect(w.size).toBe(0);
    w.add(6, 'six');
    expect(w.drain()).toEqual(['six']);
  });
});
