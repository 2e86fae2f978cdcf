import { describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { framingFixture } from './checks/framing.ts';
import { loadBrokerFixtures, parseBrokerFixture } from './fixture.ts';
import { ROOT } from '../kill-matrix.ts';

describe('broker fixtures', () => {
  it('loads every shipped fixture as a fixture.* check', () => {
    const checks = loadBrokerFixtures(join(ROOT, 'fixtures', 'broker'));
    expect(checks.map((c) => c.id)).toEqual(expect.arrayContaining(['fixture.newline-in-binary-stream', 'fixture.shutdown-half-read-frame', 'fixture.frame-split-across-segments']));
  });

  it('names the file and field of a malformed fixture', () => {
    expect(() => parseBrokerFixture({ kind: 'broker-stream', name: 'x', description: 'd', steps: [{ connect: 'a' }], expect: { frames: { b: [] } } }, 'x.json')).toThrow(
      expect.objectContaining({ code: 'FIXTURE_INVALID', details: expect.objectContaining({ file: 'x.json', field: 'expect.frames.b' }) }),
    );
    expect(() => parseBrokerFixture({ kind: 'other' }, 'y.json')).toThrow(expect.objectContaining({ code: 'FIXTURE_INVALID' }));
  });

  it('turns a shrunk framing counterexample into a valid fixture with the same cuts', () => {
    const fixture = framingFixture({ sizes: [10, 0], chunking: { kind: 'cuts', cuts: [3, 7] } }, 99, 1234, 'handler 0: 1 of 2 frames missing');
    const parsed = parseBrokerFixture(JSON.parse(JSON.stringify(fixture)), 'generated.json');
    expect(parsed.name).toBe('generated-framing-1234');
    expect(parsed.steps[1]).toMatchObject({ split: [3, 7] });
    expect(parsed.seed).toBe(99);
  });
});
