import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join, relative } from 'node:path';
import { buildCandidate } from '../harness/candidate/build.ts';
import { loadCandidate } from '../harness/candidate/candidate.ts';
import { KitError } from '../harness/common/errors.ts';
import { SYSTEM_MODULES } from '../conformance/systems.ts';
import { optionValue, parseSeed } from './option-values.ts';
import { newRunSeed } from '../harness/common/random.ts';
import type { PayloadKind } from '../harness/load/payload-factory.ts';
import {
  NULL_BROKER_MANIFEST,
  STRESS_DEFAULTS,
  formatProgress,
  parseDuration,
  parsePositive,
  parseSizes,
  renderStoreHtml,
  renderStoreSummary,
  renderStressHtml,
  renderStressSummary,
  runStoreLoad,
  runStress,
} from '../harness/load/stress/index.ts';
import {
  checkThresholds,
  parseStressExtras,
  renderComparison,
  renderThresholds,
  runComparison,
  runTargetStress,
} from '../harness/load/stress/index.ts';
import type { EventSource, StressExtraValues, StressProgress, StressResult } from '../harness/load/stress/index.ts';

export interface StressValues extends StressExtraValues {
  candidate?: string[];
  conns?: string;
  rate?: string;
  size?: string;
  sizes?: string;
  payload?: string;
  duration?: string;
  handlers?: string;
  'slow-handler'?: string;
  events?: string;
  drain?: string;
  seed?: string;
  json?: string;
  html?: string;
  out?: string;
  quiet?: boolean;
}

const PAYLOADS: readonly PayloadKind[] = ['cbor', 'random', 'zeros'];
const EVENTS: readonly EventSource[] = ['auto', 'frames', 'stats', 'probes'];

async function writeOut(path: string, text: string): Promise<string> {
  await mkdir(dirname(path), { recursive: true });
  await writeFile(path, text);
  return relative(process.cwd(), path) || path;
}

/**
 * `meridian-kit stress`: a broker stress run or, for a store manifest, the store load table.
 * Exit 0 for a valid run, 1 for a run that fell short of the target rate (the summary says why),
 * 2 for bad input or a kit fault.
 */
export async function stressCommand(
  values: StressValues,
  out: (t: string) => void = (t) => process.stdout.write(`${t}\n`),
): Promise<number> {
  try {
    const extras = parseStressExtras(values);
    const paths = values.candidate ?? [];
    if (extras.target !== undefined && paths.length > 0)
      throw new KitError('BAD_ARGUMENT', 'give --target host:port or --candidate manifests, not both');
    const path = extras.target !== undefined ? NULL_BROKER_MANIFEST : paths[0];
    if (!path) throw new KitError('BAD_ARGUMENT', 'stress takes a --candidate manifest (several to compare them) or --target host:port');
    if (values.size !== undefined && values.sizes !== undefined) throw new KitError('BAD_ARGUMENT', 'give --size or --sizes, not both');
    const seed = values.seed !== undefined ? optionValue('seed', values.seed, parseSeed) : newRunSeed();
    const candidate = await loadCandidate(path);
    const stamp = new Date().toISOString().replace(/[:.]/g, '-');
    const label = extras.target !== undefined ? `target-${extras.target.replace(/[^\w.-]/g, '_')}` : candidate.manifest.name;
    const base = join(values.out ?? join('.meridian', 'stress'), `${label}-${stamp}`);
    const quiet = values.quiet ?? false;
    const tty = process.stderr.isTTY === true;
    const say = (line: string): void => {
      if (!quiet) process.stderr.write(`${line}\n`);
    };
    const system = candidate.manifest.system;
    const driver = SYSTEM_MODULES.find((m) => m.name === system)?.stress;
    if (driver === undefined) {
      const supported = SYSTEM_MODULES.filter((m) => m.stress !== undefined).map((m) => m.name);
      throw new KitError('BAD_ARGUMENT', `stress supports ${supported.join(' and ')} candidates, not ${system}`);
    }
    const durationMs =
      values.duration !== undefined ? parseDuration(values.duration) : driver === 'store-table' ? 5000 : STRESS_DEFAULTS.durationMs;
    const payload = (values.payload ?? STRESS_DEFAULTS.payload) as PayloadKind;
    if (!PAYLOADS.includes(payload))
      throw new KitError('BAD_ARGUMENT', `--payload must be one of ${PAYLOADS.join(', ')}, got "${values.payload}"`);
    const events = (values.events ?? 'auto') as EventSource;
    if (!EVENTS.includes(events))
      throw new KitError('BAD_ARGUMENT', `--events must be one of ${EVENTS.join(', ')}, got "${values.events}"`);
    const sizes = values.sizes !== undefined ? parseSizes(values.sizes) : parseSizes(values.size ?? String(STRESS_DEFAULTS.size));
    const connections = parsePositive(values.conns, driver === 'store-table' ? 16 : STRESS_DEFAULTS.connections, 'conns', {
      max: driver === 'store-table' ? 1024 : 10_000,
    });
    const rate = parsePositive(values.rate, STRESS_DEFAULTS.rate, 'rate', { integer: false, max: 10_000_000 });
    const handlers = parsePositive(values.handlers, STRESS_DEFAULTS.handlers, 'handlers', { max: 64 });
    const slowHandlerMs = parsePositive(values['slow-handler'], 0, 'slow-handler', { zero: true, max: 600_000 });
    const drainMs = values.drain !== undefined ? parseDuration(values.drain) : STRESS_DEFAULTS.drainMs;
    await buildCandidate(candidate);
    say(`[stress] ${extras.target !== undefined ? `target ${extras.target}` : paths.join(' vs ')} (${system}), seed ${seed}`);

    if (driver === 'store-table') {
      const result = await runStoreLoad({ candidate, seed, connections, durationMs, log: say });
      out(renderStoreSummary(result));
      const json = await writeOut(values.json ?? `${base}.json`, `${JSON.stringify(result, null, 2)}\n`);
      const html = await writeOut(values.html ?? `${base}.html`, renderStoreHtml(result));
      out(`\nresult     ${json}\npage       ${html}`);
      return result.rows.some((r) => r.errors > 0) ? 1 : 0;
    }
    let lastPrinted = 0;
    const common = {
      candidate,
      seed,
      connections,
      rate,
      sizes,
      payload,
      durationMs,
      handlers,
      slowHandlerMs,
      events,
      drainMs,
      ...(extras.floorMs !== undefined ? { floorMs: extras.floorMs } : {}),
      onProgress: (p: StressProgress) => {
        if (quiet) return;
        if (tty) process.stderr.write(`\r\x1b[2K${formatProgress(p)}`);
        else if (p.elapsedMs - lastPrinted >= 5000 || p.phase === 'drain') {
          lastPrinted = p.elapsedMs;
          process.stderr.write(`${formatProgress(p)}\n`);
        }
      },
    };
    if (paths.length > 1) {
      const candidates = [candidate];
      for (const other of paths.slice(1)) {
        const c = await loadCandidate(other);
        await buildCandidate(c);
        candidates.push(c);
      }
      const comparison = await runComparison({
        ...common,
        candidates,
        rounds: extras.rounds,
        onRun: (name, round) => say(`[stress] round ${round + 1}/${extras.rounds}: ${name}`),
      });
      if (tty && !quiet) process.stderr.write('\r\x1b[2K');
      out(renderComparison(comparison));
      const json = await writeOut(values.json ?? `${base}-comparison.json`, `${JSON.stringify(comparison, null, 2)}\n`);
      out(`result     ${json}`);
      return comparison.candidates.every((c) => c.validRounds === c.rounds.length) ? 0 : 1;
    }
    const result: StressResult =
      extras.target !== undefined ? await runTargetStress({ ...common, target: extras.target }) : await runStress({ ...common, candidate });
    if (tty && !quiet) process.stderr.write('\r\x1b[2K');
    out(renderStressSummary(result));
    const outcomes = checkThresholds(result, extras.thresholds);
    if (outcomes.length > 0) out(renderThresholds(outcomes));
    const json = await writeOut(values.json ?? `${base}.json`, `${JSON.stringify(result, null, 2)}\n`);
    const html = await writeOut(values.html ?? `${base}.html`, renderStressHtml(result));
    out(`result     ${json}\npage       ${html}`);
    return result.load.valid && outcomes.every((o) => o.verdict === 'met') ? 0 : 1;
  } catch (error) {
    if (!(error instanceof KitError)) throw error;
    process.stderr.write(`meridian-kit: ${error.code}: ${error.message}\n`);
    return 2;
  }
}
