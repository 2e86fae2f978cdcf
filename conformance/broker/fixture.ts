import { FixtureError, readFixtureFolder } from '../../harness/checks/fixture-files.ts';
import { failed, pass, type CheckDefinition } from '../../harness/checks/check.ts';
import { delay } from '../../harness/common/wait.ts';
import type { Level } from '../../harness/checks/verdict.ts';
import { createRandom } from '../../harness/common/random.ts';
import { describeExit } from '../../harness/process/supervisor.ts';
import { encodeFrame } from '../../harness/wire/frame.ts';
import { BrokerUnderTest } from './broker-under-test.ts';
import { compareDelivery, describeFrame, payloadOf, type SentFrame } from './delivery.ts';
import { splitStream, type Chunking } from './split-stream.ts';
import type { Station } from './station.ts';

/** A frame in a fixture: literal bytes, or `size` seeded bytes; frames sharing a `ref` share their bytes. */
export type FixtureFrame = ({ hex: string } | { size: number }) & { ref?: string };

/** How a write is cut into segments. */
export type FixtureSplit = 'coalesced' | 'bytewise' | number[] | { segments: number };

/** One step of a broker byte-stream fixture, run in order. */
export type FixtureStep =
  | { connect: string }
  | { write: string; frames: FixtureFrame[]; split?: FixtureSplit; range?: [number, number?] }
  | { writeRaw: string; hex: string }
  | { waitConsumed: string }
  | { waitDelivered: string; count: number; timeoutMs?: number }
  | { signal: 'SIGINT' | 'SIGTERM' }
  | { pauseMs: number }
  | { close: string }
  | { reset: string };

/**
 * A replayable broker case (fixtures/broker/*.json): connections, writes with exact chunking and timing,
 * signals, and the deliveries and exit expected. Documented in fixtures/README.md.
 */
export interface BrokerFixture {
  kind: 'broker-stream';
  name: string;
  description: string;
  level?: Level;
  /** Seed for `size` frames' bytes. */
  seed?: number;
  knobs?: Record<string, number>;
  steps: FixtureStep[];
  expect: {
    /** Per connection label, the frames every handler must report, in order, exactly. */
    frames: Record<string, FixtureFrame[]>;
    /** When set, the process must be gone within this many ms of the (first) signal. */
    exitWithinMs?: number;
  };
}

export { FixtureError };

function literal(frame: FixtureFrame): Buffer | undefined {
  return 'hex' in frame ? Buffer.from(frame.hex.replace(/\s+/g, ''), 'hex') : undefined;
}

export function toChunking(split: FixtureSplit | undefined, length: number): Chunking {
  if (split === undefined || split === 'coalesced') return { kind: 'coalesced' };
  if (split === 'bytewise') return { kind: 'bytewise' };
  if (Array.isArray(split)) return { kind: 'cuts', cuts: split };
  const n = Math.max(1, Math.min(split.segments, length));
  return { kind: 'cuts', cuts: Array.from({ length: n - 1 }, (_, i) => Math.floor(((i + 1) * length) / n) - 1) };
}

/** Validates a parsed fixture file enough to fail early with the file and field named. */
export function parseBrokerFixture(raw: unknown, file: string): BrokerFixture {
  const bad = (field: string, expected: string): never => {
    throw new FixtureError('FIXTURE_INVALID', `${file}: field "${field}": expected ${expected}`, { file, field });
  };
  if (typeof raw !== 'object' || raw === null) bad('(root)', 'an object');
  const f = raw as Partial<BrokerFixture>;
  if (f.kind !== 'broker-stream') bad('kind', '"broker-stream"');
  if (typeof f.name !== 'string' || !/^[\w-]+$/.test(f.name)) bad('name', 'a name of letters, digits, _ and -');
  if (typeof f.description !== 'string') bad('description', 'a sentence');
  if (!Array.isArray(f.steps) || f.steps.length === 0) bad('steps', 'a non-empty array');
  if (typeof f.expect !== 'object' || f.expect === null || typeof f.expect.frames !== 'object')
    bad('expect.frames', 'an object of connection → frames');
  const labels = new Set((f.steps as FixtureStep[]).filter((s): s is { connect: string } => 'connect' in s).map((s) => s.connect));
  for (const label of Object.keys(f.expect!.frames))
    if (!labels.has(label)) bad(`expect.frames.${label}`, `a connection opened by a connect step (have ${[...labels].join(', ')})`);
  return f as BrokerFixture;
}

/**
 * The payload of each fixture frame, in step order: literal bytes, or `size` bytes drawn from the
 * fixture's seed (frames sharing a `ref` share their bytes). The replay and any generator of fixtures
 * (broker.framing's shrunk cases) must agree on this to reproduce the same stream.
 */
export function fixturePayloadSource(fixture: BrokerFixture): (frame: FixtureFrame) => Buffer {
  const random = createRandom(fixture.seed ?? 1);
  const refs = new Map<string, Buffer>();
  return (frame) => {
    const cached = frame.ref === undefined ? undefined : refs.get(frame.ref);
    if (cached) return cached;
    const bytes = literal(frame) ?? payloadOf((frame as { size: number }).size, random);
    if (frame.ref !== undefined) refs.set(frame.ref, bytes);
    return bytes;
  };
}

/** Turns a fixture into a check `fixture.NAME`. */
export function fixtureCheck(fixture: BrokerFixture): CheckDefinition {
  return {
    id: `fixture.${fixture.name}`,
    system: 'broker',
    level: fixture.level ?? 'required',
    title: `Regression fixture ${fixture.name}`,
    criterion: fixture.description,
    timeoutMs: 60_000,
    async run(ctx) {
      const broker = await BrokerUnderTest.launch(ctx, { knobs: fixture.knobs ?? { handlers: 2 } });
      const frameBytes = fixturePayloadSource(fixture);
      const stations = new Map<string, Station>();
      const sent = new Map<string, SentFrame[]>();
      const station = (label: string): Station => {
        const s = stations.get(label);
        if (!s) throw new FixtureError('FIXTURE_INVALID', `${fixture.name}: step uses connection "${label}" before connecting it`);
        return s;
      };
      let signalAt: number | undefined;
      for (const step of fixture.steps) {
        if ('connect' in step) {
          stations.set(step.connect, await broker.station(step.connect));
          sent.set(step.connect, []);
        } else if ('write' in step) {
          const payloads = step.frames.map(frameBytes);
          const whole = Buffer.concat(payloads.map((p) => encodeFrame(p)));
          const [from, to] = step.range ?? [0];
          const bytes = whole.subarray(from, to ?? whole.length);
          // A frame counts as sent when the write that completes it goes out.
          if ((to ?? whole.length) >= whole.length) sent.get(step.write)?.push(...payloads.map(describeFrame));
          const s = station(step.write);
          for (const chunk of splitStream(bytes, toChunking(step.split, bytes.length))) {
            await s.write(chunk);
            await new Promise((resolve) => setImmediate(resolve));
          }
        } else if ('writeRaw' in step) {
          await station(step.writeRaw).write(Buffer.from(step.hex.replace(/\s+/g, ''), 'hex'), `raw ${step.hex.slice(0, 40)}`);
        } else if ('waitConsumed' in step) {
          ctx.note(await broker.waitConsumed(station(step.waitConsumed)));
        } else if ('waitDelivered' in step) {
          const s = station(step.waitDelivered);
          await broker.until(
            () => ([...broker.framesFrom(s).values()].some((l) => l.length >= step.count) ? true : undefined),
            step.timeoutMs ?? 5000,
          );
        } else if ('signal' in step) {
          const at = broker.proc.signal(step.signal) - broker.proc.startedAt;
          signalAt ??= at;
        } else if ('pauseMs' in step) {
          await delay(step.pauseMs);
        } else if ('close' in step) {
          station(step.close).end();
        } else if ('reset' in step) {
          station(step.reset).reset();
        }
      }
      // What each handler must report: literal frames by content; sized frames by content too when they are
      // the frame written at the same position on that connection, else by size alone.
      const expected = new Map<string, SentFrame[]>();
      for (const [label, frames] of Object.entries(fixture.expect.frames)) {
        const written = sent.get(label) ?? [];
        expected.set(
          label,
          frames.map((fr, i) =>
            'hex' in fr || fr.ref !== undefined
              ? describeFrame(frameBytes(fr))
              : written[i]?.bytes === fr.size
                ? (written[i] as SentFrame)
                : { bytes: fr.size },
          ),
        );
      }
      const handlersWanted = broker.applied.handlers ?? 1;
      await broker.until(() => {
        const all = [...expected].every(([label, frames]) => {
          const byHandler = broker.framesFrom(station(label));
          return byHandler.size >= handlersWanted && [...byHandler.values()].every((l) => l.length >= frames.length);
        });
        return all ? true : broker.proc.exitInfo ? false : undefined;
      }, 12_000);
      let exitNote = '';
      if (fixture.expect.exitWithinMs !== undefined && signalAt !== undefined) {
        const exit = await broker.proc.waitExit(Math.max(0, signalAt + fixture.expect.exitWithinMs + 500 - broker.now()));
        if (!exit || exit.atMs - signalAt > fixture.expect.exitWithinMs) {
          return failed(
            `the process was not gone within ${fixture.expect.exitWithinMs} ms of the signal${exit ? ` (exited after ${Math.round(exit.atMs - signalAt)} ms)` : ''}`,
            { sent: [...stations.values()].flatMap((s) => s.sent), logs: broker.logs() },
          );
        }
        exitNote = `; exited ${Math.round(exit.atMs - signalAt)} ms after the signal (${describeExit(exit)})`;
      }
      for (const [label, frames] of expected) {
        const byHandler = broker.framesFrom(station(label));
        if (byHandler.size < handlersWanted) {
          return failed(
            `connection ${label}: frames reached ${byHandler.size} handler(s), expected ${handlersWanted} (wanted sizes ${frames.map((f) => f.bytes).join(',')})`,
            { sent: [...stations.values()].flatMap((s) => s.sent), observed: broker.linesSince(0), logs: broker.logs() },
          );
        }
        for (const [handler, seen] of byHandler) {
          const diff = compareDelivery(frames, seen);
          if (!diff.ok)
            return failed(`connection ${label}, handler ${handler}: ${diff.problem}`, {
              sent: [...stations.values()].flatMap((s) => s.sent),
              observed: broker.linesSince(0),
              logs: broker.logs(),
            });
        }
      }
      return pass(`replayed ${fixture.steps.length} steps; every expected frame delivered exactly${exitNote}`);
    },
  };
}

/** Every fixtures/broker/*.json (generated ones included) as checks; a malformed file is an error naming it. */
export function loadBrokerFixtures(dir: string): CheckDefinition[] {
  return readFixtureFolder(dir, (raw, name) => fixtureCheck(parseBrokerFixture(raw, name)));
}
