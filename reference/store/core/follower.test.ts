import { describe, expect, it } from 'vitest';
import { FollowerCore } from './follower.ts';
import { type Entry, ReplicaLog } from './replica-log.ts';

const e = (lsn: number, value = `v${lsn}`, key = 'k'): Entry => ({ lsn, key, value, term: 1, by: 'n0' });

describe('follower apply', () => {
  it('applies strictly in LSN order', () => {
    const f = new FollowerCore(new ReplicaLog());
    expect(f.offer(e(1))).toBe('applied');
    expect(f.offer(e(2))).toBe('applied');
    expect(f.applied).toBe(2);
    expect(f.log.read('k')).toEqual({ value: 'v2', lsn: 2 });
  });

  it('ignores duplicates at or below the applied LSN (exactly once)', () => {
    const f = new FollowerCore(new ReplicaLog());
    f.offer(e(1));
    f.offer(e(2, 'second'));
    expect(f.offer(e(1, 'replayed'))).toBe('duplicate');
    expect(f.offer(e(2, 'replayed'))).toBe('duplicate');
    expect(f.log.read('k')?.value).toBe('second');
    expect(f.log.entries()).toHaveLength(2);
  });

  it('holds entries beyond a gap and applies them when it fills', () => {
    const f = new FollowerCore(new ReplicaLog());
    f.offer(e(1));
    expect(f.offer(e(4))).toBe('held');
    expect(f.offer(e(3))).toBe('held');
    expect(f.offer(e(4))).toBe('held'); // held twice is still once
    expect(f.applied).toBe(1);
    expect(f.heldCount).toBe(2);
    expect(f.offer(e(2))).toBe('applied');
    expect(f.applied).toBe(4);
    expect(f.heldCount).toBe(0);
    expect(f.log.entries().map((x) => x.lsn)).toEqual([1, 2, 3, 4]);
  });

  it('reports overflow instead of holding without bound', () => {
    const f = new FollowerCore(new ReplicaLog(), 2);
    f.offer(e(3));
    f.offer(e(4));
    expect(f.offer(e(5))).toBe('overflow');
  });

  it('resync drops held entries and the suffix above the common prefix', () => {
    const f = new FollowerCore(new ReplicaLog());
    for (let i = 1; i <= 5; i++) f.offer(e(i, `v${i}`, i % 2 ? 'odd' : 'even'));
    f.offer(e(9));
    expect(f.resync(3)).toBe(2);
    expect(f.applied).toBe(3);
    expect(f.heldCount).toBe(0);
    expect(f.log.read('even')).toEqual({ value: 'v2', lsn: 2 });
    expect(f.resync(3)).toBe(0);
  });
});
