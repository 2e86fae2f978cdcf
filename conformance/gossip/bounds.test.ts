import { describe, expect, it } from 'vitest';
import { describeBound, detectionBound, disseminationBound, DISSEMINATION_C, log2Ceil, mean, partitionDeadBound } from './bounds.ts';

describe('O(log N) bound arithmetic', () => {
  it('⌈log2 n⌉, at least 1', () => {
    expect([1, 2, 3, 4, 5, 8, 9, 16, 20, 250, 256, 257, 1000].map(log2Ceil)).toEqual([1, 1, 2, 2, 3, 3, 4, 4, 5, 8, 8, 9, 10]);
    expect(() => log2Ceil(0)).toThrow(RangeError);
    expect(() => log2Ceil(Number.NaN)).toThrow(RangeError);
  });

  it('c·⌈log2 N⌉ with c = 2: 16 rounds for 250 nodes, 10 for 20', () => {
    expect(DISSEMINATION_C).toBe(2);
    expect(disseminationBound(250)).toBe(16);
    expect(disseminationBound(20)).toBe(10);
    expect(disseminationBound(2)).toBe(2);
    expect(disseminationBound(250, 3)).toBe(24);
    expect(describeBound(250)).toBe('16 = 2·⌈log2 250⌉');
  });

  it('leaves room for push gossip at fanout 1 (Pittel: log2 N + ln N) and fails an O(N) relay', () => {
    for (const n of [20, 50, 100, 250, 1000, 10_000]) {
      const pittel = Math.log2(n) + Math.log(n);
      expect(disseminationBound(n)).toBeGreaterThanOrEqual(Math.ceil(pittel));
      if (n >= 20) expect(disseminationBound(n)).toBeLessThan(n - 1); // a ring relay needs N−1 rounds
    }
  });

  it('failure-detection and partition bounds of the checks', () => {
    expect(detectionBound(10)).toBe(20);
    expect(partitionDeadBound(10, 4)).toBe(34);
    expect(mean([])).toBe(0);
    expect(mean([4, 5, 3])).toBe(4);
  });
});
