import { existsSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Command, CommanderError, Option } from 'commander';
import { KitError } from '../harness/common/errors.ts';
import { newRunSeed } from '../harness/common/random.ts';
import { ROOT } from '../harness/common/root.ts';
import { KIT_VERSION } from '../harness/common/version.ts';
import { parseOnly } from '../harness/grading/select-checks.ts';
import { assertSandboxAllowed, setSandboxMode } from '../harness/process/sandbox-mode.ts';
import { killAll } from '../harness/process/supervisor.ts';
import { intIn, parseDurationMs, parseSeed, parseShardText, parseSystem } from './option-values.ts';
import { DEFAULT_RUNS_DIR, KEEP_RUNS } from './run-history.ts';

/** The bundled references' manifests (reference/<system>/manifest.json). */
export function referenceManifests(systems?: readonly string[]): string[] {
  const dir = join(ROOT, 'reference');
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((name) => !systems || systems.includes(name))
    .map((name) => join(dir, name, 'manifest.json'))
    .filter((path) => existsSync(path));
}

const EXIT_CODES = `
Exit codes: 0 every gated check passes · 1 a check fails (or is FLAKY/UNKNOWN) · 2 bad input, bad manifest,
failed build or a kit fault. Every run prints its seed; --seed N replays it as far as the kit controls it.`;

const ONLY_HELP =
  'run only these checks: comma-separated ids or globs with * (e.g. broker.framing,fixture.*); an id that matches nothing is an error';
const HISTORY_HELP = `keep this run's reports under DIR/<time>-<name>/ (DIR/latest points at the newest, DIR/index.html lists them; the newest ${KEEP_RUNS} are kept)`;

/** One exit code for the action that ran (commander's own results are mapped in {@link main}). */
interface Outcome {
  code: number;
}

/** Options every command that keeps results takes. */
function withHistory(cmd: Command): Command {
  return cmd.option('--runs-dir <dir>', HISTORY_HELP, DEFAULT_RUNS_DIR).option('--no-history', 'keep nothing under the runs folder');
}

const out = (t: string): void => void process.stdout.write(`${t}\n`);
const err = (t: string): void => void process.stderr.write(`${t}\n`);

/** The meridian-kit command line. `outcome.code` is set by the action that runs. */
export function buildProgram(outcome: Outcome): Command {
  const program = new Command('meridian-kit')
    .description('Grade telemetry-system implementations (broker, store, gossip) over real sockets.')
    .version(KIT_VERSION, '-V, --version', 'print the kit version')
    .showSuggestionAfterError(true)
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride()
    .addHelpText('after', EXIT_CODES);
  // Global options, valid before or after the command name.
  program
    .addOption(
      new Option(
        '--sandbox <mode>',
        'candidate processes run in a sandbox (own pid+mount namespaces, uid 65534, scrubbed environment, read-only files, memory/process/file-size limits): auto falls back with a warning where the OS cannot, required exits 2 instead, off runs them bare',
      )
        .choices(['auto', 'required', 'off'])
        .env('MERIDIAN_SANDBOX'),
    )
    .hook('preAction', (_program, action) => {
      const mode = action.optsWithGlobals().sandbox as string | undefined;
      if (mode !== undefined) setSandboxMode(mode);
      if (!['grade', 'flake', 'stress'].includes(action.name())) return;
      // Refuses (exit 2) under `required` where the OS cannot isolate; says so when `auto` falls back. The
      // isolation in force is in every report and in the grade's first progress line.
      const sandbox = assertSandboxAllowed();
      if (sandbox.warning) err(`meridian-kit: ${sandbox.warning}`);
    });

  withHistory(
    program
      .command('grade')
      .description('grade candidates: each manifest given (default: every bundled reference); several make a batch')
      .option('--candidate <manifest...>', 'candidate manifest(s); repeat or list several for a batch')
      .option('--all-references', 'grade every bundled reference (the default without --candidate)')
      .option('--only <ids>', ONLY_HELP)
      .option('--seed <n>', 'run seed (default: random, printed)', parseSeed)
      .option('--strict', 'recommended checks gate too')
      .option('--parallel <n>', 'parallel check slots per candidate', intIn(1, 64), 4)
      .option('--jobs <n>', 'candidates graded at once', intIn(1, 32), 1)
      .option(
        '--time-limit <duration>',
        'wall-time budget per candidate (build + checks), e.g. 10m; checks not started by then read UNKNOWN',
        parseDurationMs,
      )
      .option(
        '--shard <i/n>',
        'grade only the i-th of n shares of the candidates (CI matrix); combine the --json reports with merge',
        parseShardText,
      )
      .option('--json <file>', 'JSON report (schema in harness/report/report.ts)')
      .option('--junit <file>', 'JUnit XML: a testsuite per candidate, a testcase per check')
      .option('--html <file>', 'self-contained HTML report with evidence and plots')
      .option('--markdown <file>', 'Markdown summary (e.g. $GITHUB_STEP_SUMMARY)')
      .option('--csv <file>', 'batch table, one row per candidate; its Markdown twin goes to the same name with .md')
      .option('--watch', "re-grade whenever a file in the candidate's folder changes (last failing checks first)")
      .option('-q, --quiet', 'no progress lines on stderr'),
  ).action(async (opts) => {
    const { grade } = await import('./grade.ts');
    const candidates: string[] = opts.candidate && !opts.allReferences ? opts.candidate : referenceManifests();
    if (candidates.length === 0) throw new KitError('NO_CANDIDATE', 'no candidate given and no bundled reference found');
    const options = {
      candidates,
      seed: opts.seed ?? newRunSeed(),
      ...(opts.only !== undefined ? { only: parseOnly(opts.only) } : {}),
      strict: opts.strict ?? false,
      parallel: opts.parallel,
      jobs: opts.jobs,
      ...(opts.timeLimit !== undefined ? { timeLimitMs: opts.timeLimit } : {}),
      ...(opts.shard !== undefined ? { shard: opts.shard } : {}),
      json: opts.json,
      junit: opts.junit,
      html: opts.html,
      markdown: opts.markdown,
      csv: opts.csv,
      history: opts.history === false ? (false as const) : (opts.runsDir as string),
      progress: !opts.quiet,
      out,
      err,
    };
    if (opts.watch) {
      const { watchGrade } = await import('./watch.ts');
      outcome.code = await watchGrade(options);
      return;
    }
    outcome.code = await grade(options);
  });

  withHistory(
    program
      .command('flake')
      .description('run the checks many times with distinct seeds: PASS, FAIL or FLAKY per check (default: every bundled reference)')
      .option('--candidate <manifest...>', 'candidate manifest(s)')
      .option('--runs <n>', 'runs per check', intIn(1, 100_000), 50)
      .option('--parallel <n>', 'parallel check slots', intIn(1, 64), 4)
      .option('--only <ids>', ONLY_HELP)
      .option('--seed <n>', 'base seed (default: random, printed); required with --shard so every shard runs the same seeds', parseSeed)
      .option('--shard <i/n>', 'run only the i-th of n shares of the runs; combine the --json reports with merge')
      .option('--json <file>', 'JSON report (one --candidate)')
      .option('-q, --quiet', 'no progress lines on stderr'),
  ).action(async (opts) => {
    const { flakeCommand } = await import('./flake-command.ts');
    outcome.code = await flakeCommand({
      candidates: opts.candidate ?? referenceManifests(),
      runs: opts.runs,
      parallel: opts.parallel,
      ...(opts.only !== undefined ? { only: parseOnly(opts.only) } : {}),
      seed: opts.seed ?? newRunSeed(),
      seedGiven: opts.seed !== undefined,
      shard: opts.shard,
      json: opts.json,
      history: opts.history === false ? false : opts.runsDir,
      quiet: opts.quiet ?? false,
    });
  });

  program
    .command('merge')
    .description('combine the JSON reports of a sharded run: flake --shard shards, or grade --shard batches')
    .argument('<reports...>', 'JSON reports')
    .option('--json <file>', 'merged JSON report')
    .option('--junit <file>', 'merged JUnit XML (grade reports)')
    .option('--html <file>', 'merged HTML report (grade reports)')
    .option('--markdown <file>', 'merged Markdown summary (grade reports)')
    .option('--csv <file>', 'merged batch CSV (grade reports)')
    .action(async (reports: string[], opts) => {
      const { mergeCommand } = await import('./flake-command.ts');
      outcome.code = await mergeCommand(reports, opts);
    });

  program
    .command('checks')
    .description('list the check catalogue')
    .option('--system <name>', 'only this system (broker, store, gossip)', parseSystem)
    .action(async (opts) => {
      const { SUITES } = await import('./suites.ts');
      const { renderCatalogue } = await import('./checks-command.ts');
      out(renderCatalogue(SUITES, opts.system, process.stdout.columns ?? 100));
      outcome.code = 0;
    });

  withHistory(
    program
      .command('stress')
      .description(
        'open-loop load on a broker (rate, latency percentiles, loss, CPU, memory) or the store load table (default: the bundled broker and store references)',
      )
      .option('--candidate <manifest...>', 'broker or store manifest; several brokers: one interleaved run, a table of ratios to the first')
      .option('--target <host:port>', 'a broker already running (latency then from kit-side acceptance probes: a lower bound)')
      .option('--max-p99 <duration>', 'threshold: exit 1 when p99 latency is above it, e.g. 5ms')
      .option('--min-delivered <share>', 'threshold: exit 1 when fewer frames were delivered, e.g. 99.9%')
      .option('--floor <duration>', "the kit's own floor (a null broker under the same load) after the run, e.g. 10s; 0: none")
      .option('--rounds <n>', 'interleaved rounds of a comparison (default 2)')
      .option('--conns <n>', 'connections (broker default 48, store 16)')
      .option('--rate <n>', 'frames per second in total (broker)')
      .option('--size <bytes>', 'frame body size (broker)')
      .option('--sizes <dist>', 'size distribution: 1024, uniform:64..4096, realistic (broker)')
      .option('--payload <kind>', 'cbor, random or zeros (broker)')
      .option('--duration <d>', 'load duration, e.g. 30s (store: per row, default 5s)')
      .option('--handlers <n>', 'handlers (broker)')
      .option('--slow-handler <ms>', 'make handler 0 slow by MS per frame (broker)')
      .option('--events <source>', 'auto, frames, probes or stats (broker): where latency comes from')
      .option('--drain <d>', 'how long to wait for handlers to drain (broker)')
      .option('--seed <n>', 'seed (default: random, printed)')
      .option('--json <file>', 'JSON result (default under --out)')
      .option('--html <file>', 'HTML page (default under --out)')
      .option('--out <dir>', 'folder for the default result files', join('.meridian', 'stress'))
      .option('-q, --quiet', 'no progress lines on stderr'),
  ).action(async (opts) => {
    const { stressCommand } = await import('./stress-command.ts');
    const { keepStressRun } = await import('./stress-history.ts');
    const { SYSTEM_MODULES } = await import('../conformance/systems.ts');
    const stressed = SYSTEM_MODULES.filter((m) => m.stress !== undefined).map((m) => m.name);
    // Several --candidate: one comparison run; --target: no manifest; otherwise one run per candidate.
    const given: string[] = opts.candidate ?? [];
    const runs: string[][] =
      opts.target !== undefined
        ? [[]]
        : given.length > 1
          ? [given]
          : given.length === 1
            ? [given]
            : referenceManifests(stressed).map((m) => [m]);
    let code = 0;
    for (const group of runs) {
      const candidate = group[0] ?? `target-${opts.target}`;
      // Each run writes into a folder of its own, so its files can be kept under the runs folder afterwards.
      const startedAt = new Date();
      const outDir = join(opts.out, startedAt.toISOString().replace(/[:.]/g, '-'));
      const one = await stressCommand({
        ...opts,
        'slow-handler': opts.slowHandler,
        'max-p99': opts.maxP99,
        'min-delivered': opts.minDelivered,
        out: outDir,
        ...(group.length > 0 ? { candidate: group } : { candidate: undefined }),
      });
      if (opts.history !== false) await keepStressRun(opts.runsDir, candidate, startedAt, one, [outDir, opts.json, opts.html]);
      code = Math.max(code, one);
    }
    outcome.code = code;
  });

  program
    .command('serve')
    .description('serve the kept runs (index page and reports) on 127.0.0.1 until Ctrl-C')
    .option('--runs-dir <dir>', 'the runs folder', DEFAULT_RUNS_DIR)
    .option('--port <n>', 'port (default: any free one)', intIn(0, 65535), 0)
    .action(async (opts) => {
      const { serveRuns } = await import('./serve.ts');
      if (!existsSync(opts.runsDir)) throw new KitError('NO_RUNS', `${opts.runsDir} does not exist yet: run a grade first`);
      const { server, url } = await serveRuns(opts.runsDir, opts.port);
      out(`serving ${opts.runsDir} at ${url} (Ctrl-C to stop)`);
      await new Promise<void>((done) => {
        const stop = (): void => void server.close(() => done());
        process.once('SIGINT', stop);
        process.once('SIGTERM', stop);
      });
      outcome.code = 0;
    });

  program
    .command('init')
    .description('write a commented starting manifest for a new candidate and print the next command to run')
    .addOption(new Option('--system <name>', 'the system you implement').choices(['broker', 'store', 'gossip']).makeOptionMandatory())
    .addOption(new Option('--lang <lang>', 'your language').choices(['python', 'rust', 'go', 'node']).makeOptionMandatory())
    .option('--out <file>', 'where to write it', 'meridian.json')
    .option('--force', 'overwrite an existing file')
    .action(async (opts) => {
      const { initCommand } = await import('./init.ts');
      outcome.code = await initCommand(opts, out);
    });

  return program;
}

/** Runs the command line; returns the exit code (never calls process.exit on its own). */
export async function main(argv: string[]): Promise<number> {
  const outcome: Outcome = { code: 0 };
  const program = buildProgram(outcome);
  const onSignal = (): void => {
    void killAll().then(() => process.exit(130));
  };
  const serving = argv[0] === 'serve';
  if (!serving) {
    process.once('SIGINT', onSignal);
    process.once('SIGTERM', onSignal);
  }
  try {
    await program.parseAsync(argv, { from: 'user' });
    return outcome.code;
  } catch (error) {
    if (error instanceof CommanderError) {
      // --help and --version: 0; help shown because no command was given, or any usage error: 2.
      return error.code === 'commander.helpDisplayed' || error.code === 'commander.version' ? 0 : 2;
    }
    if (error instanceof KitError) {
      process.stderr.write(`meridian-kit: ${error.code}: ${error.message}\n`);
      return 2;
    }
    throw error;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    await killAll();
  }
}

// Run directly (tsx cli/main.ts …) rather than imported by bin/meridian-kit.js.
if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  process.exitCode = await main(process.argv.slice(2));
}
