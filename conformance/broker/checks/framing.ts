import fc from 'fast-check';
import { failed, pass, type CheckDefinition } from '../../../harness/checks/check.ts';
import { MAX_FRAME, encodeFrames } from '../../../harness/wire/frame.ts';
import { createRandom } from '../../../harness/common/random.ts';
import { overrunVerdict } from '../excused.ts';
import type { ExcusedWait } from '../broker-under-test.ts';
import { BrokerUnderTest } from '../broker-under-test.ts';
import type { BrokerFixture } from '../fixture.ts';
import { splitStream, type Chunking } from '../split-stream.ts';
import { saveGeneratedFixture } from '../../../harness/checks/generated-fixture.ts';
import { compareDelivery, describeFrame, payloadOf } from '../delivery.ts';

export interface FramingCase {
  sizes: number[];
  chunking: Chunking;
  /** Seeds the payload bytes: part of the case, so a shrunk case (and its saved fixture) carries its own bytes. */
  payloadSeed: number;
}

export const framingCaseArbitrary: fc.Arbitrary<FramingCase> = fc.record({
  sizes: fc.array(
    fc.oneof(
      { weight: 8, arbitrary: fc.integer({ min: 0, max: 3000 }) },
      { weight: 1, arbitrary: fc.constantFrom(0, 1, 3, 4, MAX_FRAME - 1, MAX_FRAME) },
    ),
    { minLength: 1, maxLength: 10 },
  ),
  chunking: fc.oneof(
    fc.constant<Chunking>({ kind: 'coalesced' }),
    fc.constant<Chunking>({ kind: 'bytewise' }),
    fc.array(fc.nat(), { minLength: 1, maxLength: 24 }).map<Chunking>((cuts) => ({ kind: 'cuts', cuts })),
  ),
  payloadSeed: fc.nat({ max: 0x7fffffff }),
});

/** The payloads and the writes of one case: the same bytes for the check and for its saved fixture's replay. */
export function caseWrites(c: FramingCase): { payloads: Buffer[]; writes: Buffer[] } {
  const random = createRandom(c.payloadSeed);
  const payloads = c.sizes.map((size) => payloadOf(size, random));
  return { payloads, writes: splitStream(encodeFrames(payloads), c.chunking) };
}

/** Hand-picked cases, always run first: the seed's shapes. */
export const FRAMING_EXAMPLES: FramingCase[] = [
  { sizes: [0, 1, 5, 0, 300], chunking: { kind: 'bytewise' }, payloadSeed: 1 },
  { sizes: Array.from({ length: 200 }, (_, i) => (i * 7) % 500), chunking: { kind: 'coalesced' }, payloadSeed: 2 },
  { sizes: [MAX_FRAME], chunking: { kind: 'cuts', cuts: [3, 4, 5, 1000, 65535] }, payloadSeed: 3 },
  { sizes: [10, 0, 0, 10], chunking: { kind: 'cuts', cuts: [1, 2, 3, 5, 6, 7, 9, 13] }, payloadSeed: 4 },
];

export const framing: CheckDefinition = {
  id: 'broker.framing',
  system: 'broker',
  level: 'required',
  title: 'Length-prefixed framing is exact',
  criterion:
    'Frames split at every byte boundary, cut at arbitrary points, or coalesced many to a write, zero-length frames and a 65,536-byte frame are parsed exactly (generated with fast-check; failures shrunk to a minimal case).',
  timeoutMs: 120_000,
  async run(ctx) {
    const broker = await BrokerUnderTest.launch(ctx, { knobs: { handlers: 2 } });
    const { handlers, station: warm, warmUp } = await broker.learnHandlers(payloadOf(8, ctx.random));
    if (handlers.length === 0)
      return overrunVerdict(`one 8-byte frame was not delivered to any handler within ${warmUp.waitedMs} ms`, warmUp, {
        sent: warm.sent,
        logs: broker.logs(),
      });

    let runs = 0;
    // What went wrong in the most recent FAILING run: fast-check's counterexample is the last failing
    // case it tried (shrink attempts that pass never overwrite it).
    let lastProblem = '';
    // Whether that failure was a short delivery the environment (not the candidate) explains.
    let lastExcused: ExcusedWait<true> | undefined;
    const runCase = async (c: FramingCase): Promise<boolean> => {
      runs++;
      const { payloads, writes } = caseWrites(c);
      const sent = payloads.map(describeFrame);
      let station;
      try {
        station = await broker.station(`case-${runs}`);
      } catch (error) {
        lastProblem = `could not connect: ${(error as Error).message}`;
        return false;
      }
      for (const chunk of writes) {
        await station.write(chunk, `${chunk.length}`);
        if (writes.length > 1) await new Promise((resolve) => setImmediate(resolve));
      }
      const complete = await broker.untilExcused(
        () => (handlers.every((h) => broker.framesAt(station, h).length >= sent.length) ? true : undefined),
        3000,
      );
      station.destroy();
      for (const h of handlers) {
        const diff = compareDelivery(sent, broker.framesAt(station, h));
        if (!diff.ok) {
          lastProblem = `handler ${h}: ${diff.problem}${complete.value ? '' : ` (after waiting ${complete.waitedMs} ms)`}`;
          // Only a shortfall (frames still missing, every one seen so far right) can be the environment's.
          // A candidate that closed the connection (a rejection) is not waiting for CPU.
          const short = !complete.value && diff.problem?.includes('frames missing') === true && !station.closedByPeer;
          lastExcused = short && complete.excused ? complete : undefined;
          return false;
        }
      }
      return true;
    };
    const result = await fc.check(fc.asyncProperty(framingCaseArbitrary, runCase), {
      seed: ctx.seed | 0,
      numRuns: 30,
      examples: FRAMING_EXAMPLES.map((c) => [c] as [FramingCase]),
      interruptAfterTimeLimit: 60_000,
      markInterruptAsFailure: false,
    });
    const metrics = { casesRun: runs, handlers: handlers.length };
    if (result.failed && result.counterexample) {
      const [c] = result.counterexample as [FramingCase];
      const shape = c.chunking.kind === 'cuts' ? `cut at ${JSON.stringify(c.chunking.cuts)}` : c.chunking.kind;
      if (lastExcused) {
        return overrunVerdict(`frame sizes ${JSON.stringify(c.sizes)} sent ${shape}: ${lastProblem}`, lastExcused, {
          sent: [JSON.stringify(c)],
          observed: broker.linesSince(0, 8),
          logs: broker.logs(),
          metrics,
        });
      }
      const saved = await saveGeneratedFixture(framingFixture(c, ctx.seed, lastProblem));
      return failed(`frame sizes ${JSON.stringify(c.sizes)} sent ${shape}: ${lastProblem}`, {
        sent: [`minimal failing case after ${result.numShrinks} shrinks: ${JSON.stringify(c)}`],
        observed: broker.linesSince(0, 8),
        logs: broker.logs(),
        metrics,
        notes: [`shrunk case saved as ${saved}: copy it into fixtures/broker/ to replay it in every grade`],
        data: { counterexample: c, fastCheckSeed: result.seed, path: result.counterexamplePath, fixture: saved },
      });
    }
    if (result.failed)
      return failed(`framing property failed without a counterexample: ${String(result.errorInstance ?? 'unknown error')}`, {
        metrics,
        logs: broker.logs(),
      });
    return pass(`${runs} cases (${FRAMING_EXAMPLES.length} hand-picked + generated) parsed exactly on ${handlers.length} handlers`, {
      metrics,
    });
  },
};

/** The minimal failing case as a replayable fixture (same sizes, same cuts, same payload bytes). */
export function framingFixture(c: FramingCase, runSeed: number, problem: string): BrokerFixture {
  // Raw cut values: the replayer's splitStream maps them onto the same stream exactly as the check did.
  const split = c.chunking.kind === 'cuts' ? c.chunking.cuts : c.chunking.kind;
  return {
    kind: 'broker-stream',
    name: `generated-framing-${runSeed}`,
    description: `Shrunk by fast-check from broker.framing (run seed ${runSeed}): ${problem}`.slice(0, 400),
    seed: c.payloadSeed,
    knobs: { handlers: 2 },
    steps: [{ connect: 'gs-1' }, { write: 'gs-1', frames: c.sizes.map((size) => ({ size })), split }],
    expect: { frames: { 'gs-1': c.sizes.map((size) => ({ size })) } },
  };
}
