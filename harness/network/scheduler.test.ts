import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { now, Scheduler, type Task } from './scheduler.ts';
import { waitUntil as waitFor } from '../common/wait.ts';

describe('Scheduler', () => {
  it('property: runs tasks in due-time order, ties in scheduling order', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.integer({ min: 0, max: 15 }), { minLength: 1, maxLength: 40 }), async (offsets) => {
        const scheduler = new Scheduler();
        const ran: number[] = [];
        const base = now();
        offsets.forEach((offset, i) => {
          const task: Task = { fire: () => ran.push(i) };
          scheduler.schedule(base + offset, task);
        });
        try {
          await waitFor(() => ran.length === offsets.length, { timeoutMs: 2000 });
        } finally {
          scheduler.close();
        }
        const expected = offsets.map((offset, i) => ({ offset, i })).sort((x, y) => x.offset - y.offset || x.i - y.i);
        expect(ran).toEqual(expected.map((e) => e.i));
      }),
      { numRuns: 20, seed: 1 },
    );
  });

  it('never runs a task early (beyond the slack) and stops on close', async () => {
    const scheduler = new Scheduler();
    const t0 = now();
    let ranAt = 0;
    scheduler.schedule(t0 + 40, { fire: () => (ranAt = now()) });
    let late = false;
    scheduler.schedule(t0 + 10_000, { fire: () => (late = true) });
    await waitFor(() => ranAt > 0);
    expect(ranAt - t0).toBeGreaterThanOrEqual(39.5);
    scheduler.close();
    expect(scheduler.size).toBe(0);
    expect(late).toBe(false);
  });
});
