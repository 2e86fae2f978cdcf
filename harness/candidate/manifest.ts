import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Ajv, type ErrorObject } from 'ajv';
import { findNodeAtLocation, parse as parseJsonc, parseTree, printParseErrorCode, type Node, type ParseError } from 'jsonc-parser';
import { KitError } from '../common/errors.ts';
import { ROOT } from '../common/root.ts';
import { isLimitsProblem, parseLimits, type Limits } from './limits.ts';
import { patternProblem } from './log-patterns.ts';
import { closest, SYSTEMS, vocabularyOf, type SystemName } from './vocabulary.ts';

export { SYSTEMS, type SystemName } from './vocabulary.ts';

/** The event layouts the kit can read from a candidate's logs. */
export const LOG_FORMATS = ['json', 'tracing'] as const;
export type LogFormat = (typeof LOG_FORMATS)[number];

/** How the kit sets a knob: through an environment variable, or as `[arg, value]` appended to the command. */
export type KnobBinding = { env: string } | { arg: string };

/** What a candidate was built to fail: used by the kill matrix, ignored when grading. */
export interface Expectation {
  fail: string[];
  flaky: string[];
  advisory: string[];
}

/**
 * A candidate manifest, validated. Paths are as written; `loadCandidate` (candidate.ts) resolves them.
 * See README.md ("Candidate manifest") for the file format.
 */
export interface Manifest {
  system: SystemName;
  name: string;
  description?: string;
  /** Shell command run once in the manifest's folder before any check. */
  build?: string;
  /** argv; relative paths are relative to the manifest's folder, which is also the working directory. */
  command: string[];
  /** Extra environment; `{bind}`, `{host}`, `{port}` and cluster placeholders are filled in. */
  env: Record<string, string>;
  log: { format: LogFormat; patterns: Record<string, string> };
  knobs: Record<string, KnobBinding>;
  /** Source folder for advisory static checks. */
  source?: string;
  /** Named shell commands run once after the build; each becomes check `build.NAME`. */
  checks: Record<string, string>;
  /** How long the kit waits for the port to accept connections. Default 20000 ms. */
  startupTimeoutMs: number;
  /** Cluster systems: how many nodes one process hosts (gossip). Default 1. */
  nodesPerProcess: number;
  expect: Expectation;
  /** Resource limits of every process started for it (see limits.ts). Defaults: 1 GiB, 256 processes, 256 MiB files, 15 min build. */
  limits: Limits;
}

/** Stable codes of the problems a manifest can have; every one is reported at once, in one ManifestError. */
export type ManifestProblemCode =
  | 'MANIFEST_UNREADABLE'
  | 'MANIFEST_JSON_SYNTAX'
  | 'MANIFEST_SCHEMA'
  | 'MANIFEST_UNKNOWN_FIELD'
  | 'MANIFEST_KNOB_UNKNOWN'
  | 'MANIFEST_PLACEHOLDER_UNKNOWN'
  | 'MANIFEST_PLACEHOLDER_MISPLACED'
  | 'MANIFEST_PATTERN_UNSAFE'
  | 'MANIFEST_SOURCE_MISSING'
  | 'MANIFEST_COMMAND_MISSING';

/** One problem: `path` is the field (`env.A`, `command[0]`, `(root)`, `(file)`), with line:column when known. */
export interface ManifestProblem {
  code: ManifestProblemCode;
  path: string;
  message: string;
  line?: number;
  column?: number;
}

/**
 * Thrown for any problem with a manifest file (exit 2). `details.problems` lists every problem found (each
 * with its own stable code); `details.field` names the first, for callers that show one.
 */
export class ManifestError extends KitError {
  constructor(message: string, details: Record<string, unknown> = {}) {
    super('MANIFEST_INVALID', message, details);
  }

  /** Every problem, in document order. */
  get problems(): ManifestProblem[] {
    return (this.details.problems as ManifestProblem[] | undefined) ?? [];
  }

  static of(problems: ManifestProblem[], file?: string): ManifestError {
    const where = (p: ManifestProblem): string => (p.line !== undefined ? `${file ?? 'manifest'}:${p.line}:${p.column ?? 1}: ` : '');
    const lines = problems.map((p) => `  ${where(p)}${p.path}: ${p.message} [${p.code}]`);
    const title = `${file ?? 'manifest'}: ${problems.length === 1 ? '1 problem' : `${problems.length} problems`}`;
    return new ManifestError([title, ...lines].join('\n'), {
      field: problems[0]?.path,
      problems,
      ...(file === undefined ? {} : { path: file }),
    });
  }
}

type Json = unknown;
const isRecord = (v: Json): v is Record<string, Json> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** The manifest's JSON Schema: published beside this file for editors (`"$schema"`), and what the kit validates with. */
export const MANIFEST_SCHEMA_URL = pathToFileURL(join(ROOT, 'harness/candidate/manifest.schema.json'));
const SCHEMA = JSON.parse(readFileSync(MANIFEST_SCHEMA_URL, 'utf8')) as Record<string, unknown>;
const ajv = new Ajv({ allErrors: true, verbose: true, strict: true, allowUnionTypes: true });
ajv.addVocabulary(['x-expected']);
const validate = ajv.compile(SCHEMA);

const shown = (v: Json): string => (v === undefined ? 'nothing' : (JSON.stringify(v) ?? String(v)).slice(0, 80));

/** `/env/A` → `env.A`, `/command/0` → `command[0]`, `` → `(root)`. */
function dotted(segments: (string | number)[]): string {
  let out = '';
  for (const s of segments) out += typeof s === 'number' ? `[${s}]` : out === '' ? s : `.${s}`;
  return out === '' ? '(root)' : out;
}
const pointerSegments = (pointer: string): (string | number)[] =>
  pointer === ''
    ? []
    : pointer
        .slice(1)
        .split('/')
        .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'))
        .map((s) => (/^\d+$/.test(s) ? Number(s) : s));

/** The innermost `x-expected` wording on the way to a schema location. */
function expectedAt(schemaPath: string): string | undefined {
  let node: unknown = SCHEMA;
  let found: string | undefined;
  for (const part of schemaPath.replace(/^#\/?/, '').split('/')) {
    if (!isRecord(node) && !Array.isArray(node)) break;
    if (isRecord(node) && typeof node['x-expected'] === 'string') found = node['x-expected'];
    node = (node as Record<string, unknown>)[part.replace(/~1/g, '/').replace(/~0/g, '~')];
  }
  if (isRecord(node) && typeof node['x-expected'] === 'string') found = node['x-expected'];
  return found;
}

/** Schema errors as problems: one per field, `oneOf` branches folded into their one expectation. */
function schemaProblems(errors: ErrorObject[]): { problem: ManifestProblem; segments: (string | number)[] }[] {
  const folded = errors.filter((e) => e.keyword === 'oneOf' || e.keyword === 'anyOf').map((e) => `${e.schemaPath}/`);
  const out: { problem: ManifestProblem; segments: (string | number)[] }[] = [];
  const seen = new Set<string>();
  for (const e of errors) {
    if (folded.some((prefix) => e.schemaPath.startsWith(prefix))) continue;
    if (e.propertyName !== undefined) continue; // the inner half of a propertyNames error
    let segments = pointerSegments(e.instancePath);
    let code: ManifestProblemCode = 'MANIFEST_SCHEMA';
    let message: string;
    if (e.keyword === 'additionalProperties') {
      const name = String((e.params as { additionalProperty: string }).additionalProperty);
      segments = [...segments, name];
      const known = Object.keys((e.parentSchema as { properties?: object } | undefined)?.properties ?? {}).filter((k) => k !== '$schema');
      const guess = closest(name, known);
      code = 'MANIFEST_UNKNOWN_FIELD';
      message = `unknown field${guess ? ` (did you mean "${guess}"?)` : ''}; known: ${known.join(', ')}`;
    } else if (e.keyword === 'propertyNames') {
      const name = String((e.params as { propertyName: string }).propertyName);
      segments = [...segments, name];
      const names = (e.parentSchema as { propertyNames?: { enum?: string[]; pattern?: string } }).propertyNames;
      const guess = names?.enum ? closest(name, names.enum) : undefined;
      code = 'MANIFEST_UNKNOWN_FIELD';
      message = names?.enum
        ? `not a known name${guess ? ` (did you mean "${guess}"?)` : ''}; known: ${names.enum.join(', ')}`
        : `name must match ${names?.pattern ?? 'the schema'}`;
    } else if (e.keyword === 'required') {
      segments = [...segments, String((e.params as { missingProperty: string }).missingProperty)];
      message = `missing; expected ${expectedAt(`${e.schemaPath.replace(/\/required$/, '')}/properties/${segments.at(-1)}`) ?? 'this field'}`;
    } else {
      const expected =
        e.keyword === 'enum' ? `one of ${(e.params as { allowedValues: unknown[] }).allowedValues.join(', ')}` : expectedAt(e.schemaPath);
      message = `${expected === undefined ? (e.message ?? e.keyword) : `expected ${expected}`}, got ${shown(e.data)}`;
    }
    const problem: ManifestProblem = { code, path: dotted(segments), message };
    const key = `${problem.path}\u0000${message}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push({ problem, segments });
  }
  return out;
}

const PLACEHOLDER = /\{([A-Za-z][\w]*)\}/g;

/** Problems the schema cannot see: knob names and placeholders of this system, catastrophic log patterns. */
function meaningProblems(raw: Record<string, Json>): { problem: ManifestProblem; segments: (string | number)[] }[] {
  const out: { problem: ManifestProblem; segments: (string | number)[] }[] = [];
  const system = raw.system;
  const known = typeof system === 'string' && (SYSTEMS as readonly string[]).includes(system) ? (system as SystemName) : undefined;
  if (known && isRecord(raw.knobs)) {
    for (const knob of Object.keys(raw.knobs)) {
      const knobs = vocabularyOf(known).knobs;
      if (knobs.includes(knob)) continue;
      const guess = closest(knob, knobs);
      const other = SYSTEMS.filter((s) => s !== known && vocabularyOf(s).knobs.includes(knob));
      const hint = guess ? ` (did you mean "${guess}"?)` : other.length > 0 ? ` (a ${other.join('/')} knob)` : '';
      out.push({
        problem: {
          code: 'MANIFEST_KNOB_UNKNOWN',
          path: `knobs.${knob}`,
          message: `the kit sets no knob "${knob}" on a ${known}${hint}; ${known} knobs: ${knobs.join(', ')}`,
        },
        segments: ['knobs', knob],
      });
    }
  }
  if (known) {
    const texts: { segments: (string | number)[]; text: string }[] = [];
    if (Array.isArray(raw.command))
      raw.command.forEach((part, i) => typeof part === 'string' && texts.push({ segments: ['command', i], text: part }));
    if (isRecord(raw.env))
      for (const [key, value] of Object.entries(raw.env))
        if (typeof value === 'string') texts.push({ segments: ['env', key], text: value });
    const offered = vocabularyOf(known).placeholders;
    for (const { segments, text } of texts) {
      for (const match of text.matchAll(PLACEHOLDER)) {
        const name = match[1] as string;
        if (offered.includes(name)) continue;
        const elsewhere = SYSTEMS.filter((s) => s !== known && vocabularyOf(s).placeholders.includes(name));
        const list = offered.map((p) => `{${p}}`).join(', ');
        const problem: ManifestProblem =
          elsewhere.length > 0
            ? {
                code: 'MANIFEST_PLACEHOLDER_MISPLACED',
                path: dotted(segments),
                message: `{${name}} is filled only for ${elsewhere.join('/')} manifests; a ${known} process gets ${list}`,
              }
            : {
                code: 'MANIFEST_PLACEHOLDER_UNKNOWN',
                path: dotted(segments),
                message: `unknown placeholder {${name}}${closest(name, offered) ? ` (did you mean {${closest(name, offered)}}?)` : ''}; a ${known} process gets ${list}`,
              };
        out.push({ problem, segments });
      }
    }
  }
  if (isRecord(raw.log) && isRecord(raw.log.patterns)) {
    for (const [event, source] of Object.entries(raw.log.patterns)) {
      if (typeof source !== 'string') continue;
      const why = patternProblem(source);
      if (why)
        out.push({
          problem: { code: 'MANIFEST_PATTERN_UNSAFE', path: `log.patterns.${event}`, message: `pattern ${JSON.stringify(source)} ${why}` },
          segments: ['log', 'patterns', event],
        });
    }
  }
  return out;
}

/** Line starts of `text`, for offset → line:column. */
function locator(text: string): (segments: (string | number)[], key: boolean) => { line: number; column: number } | undefined {
  const starts = [0];
  for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) starts.push(i + 1);
  const at = (offset: number): { line: number; column: number } => {
    let lo = 0;
    let hi = starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if ((starts[mid] as number) <= offset) lo = mid;
      else hi = mid - 1;
    }
    return { line: lo + 1, column: offset - (starts[lo] as number) + 1 };
  };
  const root = parseTree(text);
  return (segments, key) => {
    if (!root) return undefined;
    let node: Node | undefined;
    for (let n = segments.length; n >= 0 && node === undefined; n--) node = findNodeAtLocation(root, segments.slice(0, n));
    if (!node) return undefined;
    const target = key && node.parent?.type === 'property' ? node.parent : node;
    return at(target.offset);
  };
}

/** Validates parsed JSON into a Manifest; every problem in one ManifestError. */
export function parseManifest(raw: Json, source?: { text: string; file?: string }): Manifest {
  const problems = manifestProblems(raw, source?.text);
  if (problems.length > 0) throw ManifestError.of(problems, source?.file);
  return build(raw as Record<string, Json>);
}

/** Every problem of a manifest's parsed JSON, located in `text` when given. */
export function manifestProblems(raw: Json, text?: string): ManifestProblem[] {
  const found: { problem: ManifestProblem; segments: (string | number)[] }[] = [];
  if (!validate(raw)) found.push(...schemaProblems(validate.errors ?? []));
  if (isRecord(raw)) found.push(...meaningProblems(raw));
  if (text === undefined) return found.map((f) => f.problem);
  const locate = locator(text);
  const located = found.map(({ problem, segments }) => ({ ...problem, ...locate(segments, problem.code === 'MANIFEST_UNKNOWN_FIELD') }));
  return located.sort((a, b) => (a.line ?? 0) - (b.line ?? 0) || (a.column ?? 0) - (b.column ?? 0));
}

/** Reads a manifest's text: JSON syntax errors (every one, with line:column), then every other problem. */
export function parseManifestText(text: string, file?: string): Manifest {
  const found: ParseError[] = [];
  parseJsonc(text, found, { disallowComments: true, allowTrailingComma: false, allowEmptyContent: false });
  const errors: { what: string; offset: number }[] = found.map((e) => ({
    what: printParseErrorCode(e.error)
      .replace(/([a-z])([A-Z])/g, '$1 $2')
      .toLowerCase(),
    offset: e.offset,
  }));
  let raw: Json;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    // Only where the tolerant scanner saw nothing wrong (it should not happen): take Node's own position.
    if (errors.length === 0)
      errors.push({ what: (error as Error).message, offset: Number(/position (\d+)/.exec((error as Error).message)?.[1] ?? 0) });
  }
  if (errors.length > 0) {
    const starts = [0];
    for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) starts.push(i + 1);
    const problems = errors.map((e): ManifestProblem => {
      let line = 0;
      while (line + 1 < starts.length && (starts[line + 1] as number) <= e.offset) line++;
      return {
        code: 'MANIFEST_JSON_SYNTAX',
        path: '(file)',
        message: `JSON syntax: ${e.what}`,
        line: line + 1,
        column: e.offset - (starts[line] as number) + 1,
      };
    });
    throw ManifestError.of(problems, file);
  }
  return parseManifest(raw, file === undefined ? { text } : { text, file });
}

function build(raw: Record<string, Json>): Manifest {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(isRecord(raw.env) ? raw.env : {})) env[k] = String(v);
  const log = isRecord(raw.log) ? raw.log : {};
  const hosting = isRecord(raw.hosting) ? raw.hosting : {};
  const expect = isRecord(raw.expect) ? raw.expect : {};
  const manifest: Manifest = {
    system: raw.system as SystemName,
    name: raw.name as string,
    command: raw.command as string[],
    env,
    log: {
      format: (log.format as LogFormat | undefined) ?? 'json',
      patterns: { ...((log.patterns as Record<string, string> | undefined) ?? {}) },
    },
    knobs: { ...((raw.knobs as Record<string, KnobBinding> | undefined) ?? {}) },
    checks: { ...((raw.checks as Record<string, string> | undefined) ?? {}) },
    startupTimeoutMs: (raw.startupTimeoutMs as number | undefined) ?? 20_000,
    nodesPerProcess: (raw.nodesPerProcess as number | undefined) ?? (hosting.nodesPerProcess as number | undefined) ?? 1,
    limits: limitsOf(raw.limits),
    expect: {
      fail: (expect.fail as string[] | undefined) ?? [],
      flaky: (expect.flaky as string[] | undefined) ?? [],
      advisory: (expect.advisory as string[] | undefined) ?? [],
    },
  };
  if (typeof raw.description === 'string') manifest.description = raw.description;
  if (typeof raw.build === 'string') manifest.build = raw.build;
  if (typeof raw.source === 'string') manifest.source = raw.source;
  return manifest;
}

/** The schema has already checked names and ranges, so a problem here is a schema/limits.ts mismatch: a kit bug. */
function limitsOf(raw: Json | undefined): Limits {
  const limits = parseLimits(raw);
  if (isLimitsProblem(limits))
    throw new KitError(
      'KIT_LIMITS_SCHEMA_MISMATCH',
      `limits passed the schema but not limits.ts: ${limits.field} expected ${limits.expected}`,
    );
  return limits;
}
