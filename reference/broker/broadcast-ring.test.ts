import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { BroadcastRing } from './broadcast-ring.ts';

describe('BroadcastRing', () => {
  it('drops the oldest entry when full and counts it as missed', () => {
    const dropped: number[] = [];
    const ring = new BroadcastRing<number>(3, (n) => dropped.push(n));
    for (let i = 1; i <= 5; i++) ring.push(i);
    expect(dropped).toEqual([1, 2]);
    expect(ring.missed).toBe(2);
    expect(ring.size).toBe(3);
    expect([ring.shift(), ring.shift(), ring.shift(), ring.shift()]).toEqual([3, 4, 5, undefined]);
    expect(ring.pushed).toBe(5);
  });

  it('behaves like a drop-oldest queue model under any push/shift interleaving', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 8 }), fc.array(fc.boolean(), { maxLength: 200 }), (capacity, ops) => {
        const ring = new BroadcastRing<number>(capacity);
        const model: number[] = [];
        let missed = 0;
        let next = 0;
        for (const isPush of ops) {
          if (isPush) {
            const evicted = ring.push(next);
            model.push(next++);
            if (model.length > capacity) {
              model.shift();
              missed++;
              expect(evicted).toBe(1);
            } else {
              expect(evicted).toBe(0);
            }
          } else {
            expect(ring.shift()).toBe(model.shift());
          }
          expect(ring.size).toBe(model.length);
          expect(ring.full).toBe(model.length === capacity);
          expect(ring.missed).toBe(missed);
        }
      }),
    );
  });

  it('rejects a capacity below 1', () => {
    expect(() => new BroadcastRing(0)).toThrow(RangeError);
  });
});
