import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { validateOutputs } from './output-paths.ts';
import { basename, dirname, relative, resolve } from 'node:path';
import { KitError } from '../harness/common/errors.ts';

type System = 'broker' | 'store' | 'gossip';
type Lang = 'python' | 'rust' | 'go' | 'node';

const LANGS: Record<Lang, { build?: string; command: string[]; env: Record<string, string>; format: 'json' | 'tracing'; note: string }> = {
  python: {
    command: ['python3', 'main.py'],
    env: { PYTHONUNBUFFERED: '1' },
    format: 'json',
    note: 'PYTHONUNBUFFERED=1 so every log line reaches the kit at once (unflushed stdout looks like silence)',
  },
  rust: {
    build: 'cargo build --release',
    command: ['./target/release/CANDIDATE'],
    env: {},
    format: 'tracing',
    note: 'log with tracing_subscriber::fmt() (ANSI is fine); the command is your release binary',
  },
  go: {
    build: 'go build -o candidate .',
    command: ['./candidate'],
    env: {},
    format: 'json',
    note: 'log one JSON object per line on stdout (log/slog with a JSON handler)',
  },
  node: { command: ['node', 'main.js'], env: {}, format: 'json', note: 'log one JSON object per line on stdout' },
};

const SYSTEM_ENV: Record<System, Record<string, string>> = {
  broker: { MERIDIAN_BIND: '{bind}' },
  store: {
    MERIDIAN_NODE_ID: '{id}',
    MERIDIAN_ROLE: '{role}',
    MERIDIAN_LISTEN: '{listen}',
    MERIDIAN_HTTP: '{http}',
    MERIDIAN_PEERS: '{peers}',
    MERIDIAN_LEADER: '{leader}',
    MERIDIAN_SYNC: '{sync}',
    MERIDIAN_QUORUM: '{quorum}',
    MERIDIAN_FOLLOWERS: '{followers}',
  },
  gossip: {
    MERIDIAN_HTTP: '{http}',
    MERIDIAN_NODE_ID: '{id}',
    MERIDIAN_LISTEN: '{listen}',
    MERIDIAN_PEERS: '{peers}',
    MERIDIAN_NODES_FILE: '{nodesFile}',
    GOSSIP_SEED: '{seed}',
  },
};

const SYSTEM_KNOBS: Record<System, Record<string, { env: string }>> = {
  broker: {
    handlers: { env: 'MERIDIAN_HANDLERS' },
    slowHandlerMs: { env: 'MERIDIAN_SLOW_HANDLER_MS' },
    capacity: { env: 'MERIDIAN_CAPACITY' },
  },
  store: { quorum: { env: 'MERIDIAN_QUORUM' }, writeTimeoutMs: { env: 'MERIDIAN_WRITE_TIMEOUT_MS' } },
  gossip: { periodMs: { env: 'GOSSIP_PERIOD_MS' }, suspicionRounds: { env: 'GOSSIP_SUSPICION_ROUNDS' } },
};

/** The starting manifest for a system and language (strict JSON: the explanations go in `description` and on the terminal). */
export function starterManifest(system: System, lang: Lang, name: string): Record<string, unknown> {
  const l = LANGS[lang];
  return {
    system,
    name,
    description: `My ${system} in ${lang}. The kit fills {placeholders} in env; knobs it needs are set through the env variables named under "knobs" (read them, or a check says NOT TESTABLE). Contract: conformance/${system}/README.md.`,
    ...(l.build ? { build: l.build } : {}),
    command: l.command.map((c) => c.replace('CANDIDATE', name)),
    env: { ...SYSTEM_ENV[system], ...l.env },
    log: { format: l.format },
    knobs: SYSTEM_KNOBS[system],
    source: '.',
  };
}

/** `meridian-kit init`: writes the manifest (never over an existing file without --force) and says what to run next. */
export async function initCommand(
  opts: { system: System; lang: Lang; out: string; force?: boolean },
  out: (t: string) => void,
): Promise<number> {
  const path = resolve(opts.out);
  if (existsSync(path) && !opts.force) throw new KitError('INIT_EXISTS', `${opts.out} exists; pass --force to overwrite it`);
  validateOutputs([{ flag: '--out', path }]);
  await mkdir(dirname(path), { recursive: true });
  const name = (basename(dirname(path)).replace(/[^\w.@+-]+/g, '-') || `my-${opts.system}`).slice(0, 80);
  const manifest = starterManifest(opts.system, opts.lang, name);
  await writeFile(path, `${JSON.stringify(manifest, null, 2)}\n`);
  const shown = relative(process.cwd(), path) || path;
  out(`wrote ${shown} (${opts.system}, ${opts.lang})
  command   how the kit starts your program, in the manifest's folder${LANGS[opts.lang].build ? '\n  build     run once before grading' : ''}
  env       {placeholders} the kit fills in: listen where {bind}/{listen} says, reach peers only through {peers}
  log       ${LANGS[opts.lang].note}
  knobs     settings checks vary; read each env variable named there
Next: npx meridian-kit grade --candidate ${shown} --only ${opts.system === 'broker' ? 'broker.framing' : `${opts.system}.*`}
      then the whole suite: npx meridian-kit grade --candidate ${shown} --watch`);
  return 0;
}
