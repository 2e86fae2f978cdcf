import { describe, expect, it } from 'vitest';
import { FaultTimeline } from './timeline.ts';

describe('FaultTimeline', () => {
  it('stamps entries relative to creation with wall time, and copies details', () => {
    let mono = 1000;
    const timeline = new FaultTimeline({ monotonic: () => mono, wall: () => Date.UTC(2030, 0, 1) });
    mono = 1250;
    const details = { node: 'n1', signal: 'SIGSTOP' };
    timeline.record('process.pause', details);
    details.node = 'changed';
    mono = 1300.5;
    timeline.record('process.resume');
    expect(timeline.entries()).toEqual([
      { atMs: 250, wallTime: '2030-01-01T00:00:00.000Z', kind: 'process.pause', details: { node: 'n1', signal: 'SIGSTOP' } },
      { atMs: 300.5, wallTime: '2030-01-01T00:00:00.000Z', kind: 'process.resume', details: {} },
    ]);
    expect(timeline.size).toBe(2);
  });

  it('returns a copy of the entries', () => {
    const timeline = new FaultTimeline();
    timeline.record('x', {});
    timeline.entries().pop();
    expect(timeline.entries()).toHaveLength(1);
    expect(timeline.entries()[0]?.atMs).toBeGreaterThanOrEqual(0);
  });
});
