import { describe, expect, it } from 'vitest';
import { join } from 'node:path';
import fc from 'fast-check';
import { caseWrites, framingCaseArbitrary, framingFixture } from './checks/framing.ts';
import { splitStream } from './split-stream.ts';
import { encodeFrames } from '../../harness/wire/frame.ts';
import { fixturePayloadSource, loadBrokerFixtures, parseBrokerFixture, toChunking } from './fixture.ts';
import { ROOT } from '../kill-matrix.ts';

describe('broker fixtures', () => {
  it('loads every shipped fixture as a fixture.* check', () => {
    const checks = loadBrokerFixtures(join(ROOT, 'fixtures', 'broker'));
    expect(checks.map((c) => c.id)).toEqual(
      expect.arrayContaining([
        'fixture.newline-in-binary-stream',
        'fixture.shutdown-half-read-frame',
        'fixture.frame-split-across-segments',
      ]),
    );
  });

  it('names the file and field of a malformed fixture', () => {
    expect(() =>
      parseBrokerFixture(
        { kind: 'broker-stream', name: 'x', description: 'd', steps: [{ connect: 'a' }], expect: { frames: { b: [] } } },
        'x.json',
      ),
    ).toThrow(
      expect.objectContaining({ code: 'FIXTURE_INVALID', details: expect.objectContaining({ file: 'x.json', field: 'expect.frames.b' }) }),
    );
    expect(() => parseBrokerFixture({ kind: 'other' }, 'y.json')).toThrow(expect.objectContaining({ code: 'FIXTURE_INVALID' }));
  });

  it('turns a shrunk framing counterexample into a valid fixture with the same cuts', () => {
    const fixture = framingFixture(
      { sizes: [10, 0], chunking: { kind: 'cuts', cuts: [3, 7] }, payloadSeed: 99 },
      1234,
      'handler 0: 1 of 2 frames missing',
    );
    const parsed = parseBrokerFixture(JSON.parse(JSON.stringify(fixture)), 'generated.json');
    expect(parsed.name).toBe('generated-framing-1234');
    expect(parsed.steps[1]).toMatchObject({ split: [3, 7] });
    expect(parsed.seed).toBe(99);
  });

  it('replays a saved framing counterexample byte for byte: same payloads, same writes, whatever ran before it', () => {
    fc.assert(
      fc.property(framingCaseArbitrary, (c) => {
        const fixture = parseBrokerFixture(JSON.parse(JSON.stringify(framingFixture(c, 7, 'problem'))), 'generated.json');
        const step = fixture.steps[1] as { frames: { size: number }[]; split?: unknown };
        const source = fixturePayloadSource(fixture);
        const bytes = encodeFrames(step.frames.map(source));
        const replayed = splitStream(bytes, toChunking(step.split as Parameters<typeof toChunking>[0], bytes.length));
        const original = caseWrites(c);
        expect(Buffer.concat(replayed).equals(Buffer.concat(original.writes))).toBe(true);
        expect(replayed.map((w) => w.length)).toEqual(original.writes.map((w) => w.length));
      }),
      { numRuns: 60, seed: 42 },
    );
  });
});
