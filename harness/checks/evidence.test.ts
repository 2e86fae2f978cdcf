import { describe, expect, it } from 'vitest';
import { withRunEvidence } from './evidence.ts';

describe('withRunEvidence', () => {
  it("puts the run's actions before the check's, its logs and notes after, and types timeline and plots into data", () => {
    const plot = { title: 't', xLabel: 'x', yLabel: 'y', series: [{ name: 's', points: [[0, 1]] as Array<[number, number]> }] };
    const out = withRunEvidence(
      { sent: ['check sent'], logs: ['check log'], notes: ['check note'], data: { extra: 1 }, plots: [plot] },
      { sent: ['fault'], logs: ['candidate log'], notes: ['driver note'], timeline: [{ atMs: 5, kind: 'net.partition' }] },
    );
    expect(out).toEqual({
      sent: ['fault', 'check sent'],
      logs: ['check log', 'candidate log'],
      notes: ['check note', 'driver note'],
      data: { extra: 1, timeline: [{ atMs: 5, kind: 'net.partition' }], plots: [plot] },
    });
  });

  it('adds nothing the run did not have, and drops an empty plot list', () => {
    expect(withRunEvidence({ observed: ['o'], plots: [] }, {})).toEqual({ observed: ['o'] });
  });
});
