/**
 * Load-generation and measurement primitives for the broker stress run: the pure pieces.
 *
 * Typical assembly:
 * 1. `createPayloadFactory({ kind: 'cbor', seed, sizes })`: payloads.
 * 2. Open N sockets → `socketSink(socket)` each.
 * 3. `startPacedLoad({ sinks, rate, durationMs, payloads })`: its `schedules` feed an `OrderMatcher`
 *    keyed by local port (or a `ProbeMatcher` when payloads come back), which feeds a `LatencyRecorder`.
 * 4. `startProcSampler({ pid, scope: 'tree' })` on the candidate meanwhile.
 * 5. Report `done` (achieved vs target rate, `valid`), `recorder.summary()`, `recorder.series()`, the sampler summary.
 *
 * All times are µs on `nowUs()` (clock.ts). The wire codec lives in `harness/wire/frame.ts` and is
 * re-exported here. The `stress` command's drivers (broker frames, the store load table) are `harness/load/stress/`,
 * imported separately so that this module stays free of process and HTTP machinery; see README.md.
 *
 * @module
 */
export * from './clock.ts';
export * from './sizes.ts';
export * from './probe.ts';
export * from './probe-sample.ts';
export { FRAME_HEADER_SIZE, MAX_FRAME, FrameDecoder, encodeFrame, encodeFrameHeader, encodeFrames, frameHeader } from '../wire/frame.ts';
export type { EncodeFrameOptions, FrameDecoderOptions } from '../wire/frame.ts';
export {
  SAMPLE_CHANNELS,
  SPACECRAFT_MODES,
  decodeCbor,
  decodeTelemetry,
  encodeRecord,
  keepSamples,
  minimumSizedLength,
  randomRecord,
  satelliteIdArb,
  sizedPayload,
  sizedTelemetryArb,
  stationIdArb,
  telemetryRecordArb,
  telemetryValuesArb,
} from './telemetry.ts';
export type {
  DecodedTelemetry,
  RandomRecordOptions,
  SizedPayload,
  SizedPayloadOptions,
  SizedTelemetryCase,
  SpacecraftMode,
  TelemetryRecord,
  TelemetryRecordArbOptions,
  TelemetrySamples,
  TelemetryValues,
} from './telemetry.ts';
export * from './payload-factory.ts';
export * from './sink.ts';
export * from './schedule-plan.ts';
export { runPacedLoad, startPacedLoad } from './schedule.ts';
export type { ConnectionReport, LoadLimit, PacedLoad, PacedLoadOptions, PacedLoadReport } from './schedule.ts';
export * from './latency.ts';
export * from './latency-match.ts';
export * from './proc-stat.ts';
export * from './proc-sampler.ts';
