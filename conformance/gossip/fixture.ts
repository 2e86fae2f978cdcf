/**
 * Replayable gossip scenarios (fixtures/gossip/*.json): a cluster, a schedule of state changes and
 * faults by round, and expectations by round. Each file becomes a check `fixture.<name>` in every gossip
 * grade. The format is documented in fixtures/README.md ("Gossip scenario fixtures").
 */
import { FixtureError, readFixtureFolder } from '../../harness/checks/fixture-files.ts';
import type { CheckDefinition } from '../../harness/checks/check.ts';
import type { Level } from '../../harness/checks/verdict.ts';
import { failWith, passWith } from './checks/common.ts';
import { GossipCluster, nodeIds } from './gossip-cluster.ts';
import { describeEntry, dumpViews, entryIn, STATUSES, viewsData, type Entry, type Status, type Views } from './views.ts';

/** Nodes: an explicit list, or every node ("*"). */
export type Selector = '*' | string[];

/** What a node's view must show about some members. */
export interface ViewCondition {
  members: Selector;
  /** Allowed status(es). */
  status?: Status | Status[];
  /** The member's meta must be exactly this. */
  meta?: string;
  /** The member's meta must not be this. */
  notMeta?: string;
  /** The member's generation must be at least this. */
  minGeneration?: number;
}

export type ScenarioOp =
  | { round: number; state: { node: string; meta?: string; status?: 'alive' | 'dead' } }
  | { round: number; partition: [string[], string[]] }
  | { round: number; oneWay: [string, string] }
  | { round: number; isolate: string }
  | { round: number; heal: true }
  | { round: number; loss: { from: string; to: string; p: number } }
  | { round: number; delay: { from: string; to: string; ms: number; jitterMs?: number } }
  | { round: number; clearFaults: true }
  | { round: number; crash: string };

/**
 * When an expectation is judged: at some boundary of [`from` (default 0), `by`] (eventually); exactly at
 * boundary `at`; or at every boundary of [`from`, `through`] (always).
 */
export type ScenarioExpectation = { nodes: Selector; see: ViewCondition; note?: string } & (
  | { by: number; from?: number }
  | { at: number }
  | { from: number; through: number }
);

export interface GossipScenario {
  kind: 'gossip-scenario';
  name: string;
  description: string;
  level?: Level;
  /** Cluster size (nodes n0…n(N−1)). */
  nodes: number;
  /** Knobs besides mode (kit defaults: fanout 3, indirectChecks 3, pushPullRounds 5). */
  knobs?: Record<string, number>;
  /** Rounds to run at most (the replay stops earlier once every expectation is decided). */
  rounds: number;
  schedule: ScenarioOp[];
  expect: ScenarioExpectation[];
}

export { FixtureError };

const OP_KINDS = ['state', 'partition', 'oneWay', 'isolate', 'heal', 'loss', 'delay', 'clearFaults', 'crash'] as const;
const KNOB_NAMES = new Set(['suspicionRounds', 'indirectChecks', 'fanout', 'pushPullRounds']);

type Fields = Record<string, unknown>;

const isObj = (v: unknown): v is Fields => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Reads the fields of one scenario file: every refusal names the file and the field. */
class ScenarioReader {
  ids = new Set<string>();
  nodes = 0;
  rounds = 0;

  constructor(readonly file: string) {}

  bad(field: string, expected: string): never {
    throw new FixtureError('FIXTURE_INVALID', `${this.file}: field "${field}": expected ${expected}`, { file: this.file, field });
  }

  int(v: unknown, field: string, min: number, max = Number.MAX_SAFE_INTEGER): number {
    if (typeof v === 'number' && Number.isInteger(v) && v >= min && v <= max) return v;
    return this.bad(field, `an integer from ${min}${max < Number.MAX_SAFE_INTEGER ? ` to ${max}` : ''}`);
  }

  node(v: unknown, field: string): string {
    return typeof v === 'string' && this.ids.has(v) ? v : this.bad(field, `a node id n0…n${this.nodes - 1}`);
  }

  nodeList(v: unknown, field: string): string[] {
    if (!Array.isArray(v) || v.length === 0) this.bad(field, 'a non-empty array of node ids');
    return (v as unknown[]).map((x, i) => this.node(x, `${field}[${i}]`));
  }

  selector(v: unknown, field: string): Selector {
    return v === '*' ? '*' : this.nodeList(v, field);
  }

  linkEnd(v: unknown, field: string): string {
    return v === '*' ? '*' : this.node(v, field);
  }
}

/** The scenario's name, description, level, size, length and knobs. */
function readHeader(r: ScenarioReader, raw: Fields): void {
  if (raw.kind !== 'gossip-scenario') r.bad('kind', '"gossip-scenario"');
  if (typeof raw.name !== 'string' || !/^[\w-]+$/.test(raw.name)) r.bad('name', 'a name of letters, digits, _ and -');
  if (typeof raw.description !== 'string' || raw.description.trim() === '') r.bad('description', 'a sentence');
  if (raw.level !== undefined && !['required', 'recommended'].includes(raw.level as string)) r.bad('level', '"required" or "recommended"');
  r.nodes = r.int(raw.nodes, 'nodes', 1, 250);
  r.ids = new Set(nodeIds(r.nodes));
  r.rounds = r.int(raw.rounds, 'rounds', 1, 500);
  if (raw.knobs !== undefined) {
    if (!isObj(raw.knobs)) r.bad('knobs', 'an object of knob → integer');
    for (const [k, v] of Object.entries(raw.knobs as Fields)) {
      if (!KNOB_NAMES.has(k)) r.bad(`knobs.${k}`, `one of ${[...KNOB_NAMES].join(', ')}`);
      r.int(v, `knobs.${k}`, 0);
    }
  }
}

/** One `schedule` entry: a round and exactly one operation with its arguments. */
function readOperation(r: ScenarioReader, op: unknown, i: number): void {
  const f = `schedule[${i}]`;
  if (!isObj(op)) return r.bad(f, 'an object {"round": R, <operation>}');
  r.int(op.round, `${f}.round`, 1, r.rounds);
  const kinds = OP_KINDS.filter((k) => k in op);
  if (kinds.length !== 1) r.bad(f, `exactly one operation of ${OP_KINDS.join(', ')}`);
  const kind = kinds[0] as (typeof OP_KINDS)[number];
  const v = op[kind];
  const at = `${f}.${kind}`;
  switch (kind) {
    case 'state': {
      if (!isObj(v)) return r.bad(at, '{"node", "meta"?, "status"?}');
      r.node(v.node, `${at}.node`);
      if (v.meta !== undefined && typeof v.meta !== 'string') r.bad(`${at}.meta`, 'a string');
      if (v.status !== undefined && !['alive', 'dead'].includes(v.status as string)) r.bad(`${at}.status`, '"alive" or "dead"');
      break;
    }
    case 'partition': {
      if (!Array.isArray(v) || v.length !== 2) r.bad(at, 'two groups [[ids…], [ids…]]');
      const [g1, g2] = [r.nodeList((v as unknown[])[0], `${at}[0]`), r.nodeList((v as unknown[])[1], `${at}[1]`)];
      if (g1.some((x) => g2.includes(x))) r.bad(at, 'two disjoint groups');
      break;
    }
    case 'oneWay':
      if (!Array.isArray(v) || v.length !== 2) r.bad(at, '[from, to]');
      r.node((v as unknown[])[0], `${at}[0]`);
      r.node((v as unknown[])[1], `${at}[1]`);
      break;
    case 'isolate':
    case 'crash':
      r.node(v, at);
      break;
    case 'heal':
    case 'clearFaults':
      if (v !== true) r.bad(at, 'true');
      break;
    case 'loss':
    case 'delay':
      readLinkFault(r, kind, v, at);
      break;
  }
}

/** A `loss` or `delay` operation: a directed link (ends may be `*`) and its parameter. */
function readLinkFault(r: ScenarioReader, kind: 'loss' | 'delay', v: unknown, at: string): void {
  if (!isObj(v)) return r.bad(at, kind === 'loss' ? '{"from", "to", "p"}' : '{"from", "to", "ms", "jitterMs"?}');
  r.linkEnd(v.from, `${at}.from`);
  r.linkEnd(v.to, `${at}.to`);
  if (kind === 'loss' && (typeof v.p !== 'number' || !(v.p >= 0 && v.p <= 1))) r.bad(`${at}.p`, 'a probability from 0 to 1');
  if (kind === 'delay') {
    r.int(v.ms, `${at}.ms`, 0, 2000);
    if (v.jitterMs !== undefined) r.int(v.jitterMs, `${at}.jitterMs`, 0, 2000);
  }
}

/** One `expect` entry: when (by / at / from…through), which nodes, and the view condition they must see. */
function readExpectation(r: ScenarioReader, x: unknown, i: number): void {
  const f = `expect[${i}]`;
  if (!isObj(x)) return r.bad(f, 'an object');
  const when = ['by', 'at', 'through'].filter((k) => k in x);
  if (when.length !== 1) r.bad(f, 'exactly one of "by": R (with "from"?), "at": R, or "from": R1 with "through": R2');
  if ('at' in x && 'from' in x) r.bad(`${f}.from`, 'nothing: "at" names one round');
  const from = 'from' in x ? r.int(x.from, `${f}.from`, 0, r.rounds) : 0;
  if ('through' in x && !('from' in x)) r.bad(`${f}.from`, 'the first round of the "through" window');
  if ('by' in x) r.int(x.by, `${f}.by`, from, r.rounds);
  if ('at' in x) r.int(x.at, `${f}.at`, 0, r.rounds);
  if ('through' in x) r.int(x.through, `${f}.through`, from, r.rounds);
  r.selector(x.nodes, `${f}.nodes`);
  readViewCondition(r, x.see, `${f}.see`);
}

const SEE_FIELDS = new Set(['members', 'status', 'meta', 'notMeta', 'minGeneration']);

/** An expectation's `see`: the members and at least one thing about them (status, meta, generation). */
function readViewCondition(r: ScenarioReader, see: unknown, at: string): void {
  if (!isObj(see)) return r.bad(at, 'a view condition {"members", "status"?, "meta"?, "notMeta"?, "minGeneration"?}');
  r.selector(see.members, `${at}.members`);
  if (see.status !== undefined) {
    const list = Array.isArray(see.status) ? see.status : [see.status];
    if (list.length === 0 || !list.every((s) => (STATUSES as readonly unknown[]).includes(s)))
      r.bad(`${at}.status`, 'alive, suspected, dead or a list of them');
  }
  for (const k of ['meta', 'notMeta'] as const) if (see[k] !== undefined && typeof see[k] !== 'string') r.bad(`${at}.${k}`, 'a string');
  if (see.minGeneration !== undefined) r.int(see.minGeneration, `${at}.minGeneration`, 0);
  for (const k of Object.keys(see)) if (!SEE_FIELDS.has(k)) r.bad(`${at}.${k}`, `one of ${[...SEE_FIELDS].join(', ')}`);
  if (see.status === undefined && see.meta === undefined && see.notMeta === undefined && see.minGeneration === undefined)
    r.bad(at, 'at least one of status, meta, notMeta, minGeneration');
}

/** Validates a parsed scenario file; every problem is FIXTURE_INVALID naming the file and the field. */
export function parseGossipScenario(raw: unknown, file: string): GossipScenario {
  const r = new ScenarioReader(file);
  if (!isObj(raw)) return r.bad('(root)', 'an object');
  readHeader(r, raw);
  if (!Array.isArray(raw.schedule)) r.bad('schedule', 'an array of operations');
  (raw.schedule as unknown[]).forEach((op, i) => readOperation(r, op, i));
  if (!Array.isArray(raw.expect) || raw.expect.length === 0) r.bad('expect', 'a non-empty array of expectations');
  (raw.expect as unknown[]).forEach((x, i) => readExpectation(r, x, i));
  return raw as unknown as GossipScenario;
}

/** Why `e` fails `cond`, or undefined when it holds. */
export function conditionProblem(e: Entry | undefined, cond: ViewCondition): string | undefined {
  if (e === undefined) {
    const status = cond.status === undefined ? undefined : Array.isArray(cond.status) ? cond.status.join(' or ') : cond.status;
    return `want it listed${status ? ` ${status}` : ''}; a member once listed must stay listed`;
  }
  if (cond.status !== undefined) {
    const ok = Array.isArray(cond.status) ? cond.status : [cond.status];
    if (!ok.includes(e.status)) return `want ${ok.join(' or ')}`;
  }
  if (cond.meta !== undefined && e.meta !== cond.meta) return `want meta ${JSON.stringify(cond.meta)}`;
  if (cond.notMeta !== undefined && e.meta === cond.notMeta) return `must not have meta ${JSON.stringify(cond.notMeta)} yet`;
  if (cond.minGeneration !== undefined && e.generation < cond.minGeneration) return `want generation ≥ ${cond.minGeneration}`;
  return undefined;
}

const expand = (s: Selector, all: readonly string[]): string[] => (s === '*' ? [...all] : s);

/** The first violation of `x` in `views` (viewers restricted to those read), or undefined. */
export function expectationProblem(x: ScenarioExpectation, views: Views, all: readonly string[]): string | undefined {
  for (const v of expand(x.nodes, all)) {
    if (!views.has(v)) continue; // crashed: not judged
    for (const m of expand(x.see.members, all)) {
      const e = entryIn(views, v, m);
      const why = conditionProblem(e, x.see);
      if (why) return e === undefined ? `${v}'s view does not list ${m} (${why})` : `${v} sees ${describeEntry(e, m)} (${why})`;
    }
  }
  return undefined;
}

/** `by 36: n0…n6 see n7,n8,n9 dead`. */
export function describeExpectation(x: ScenarioExpectation): string {
  const when =
    'by' in x
      ? `${x.from ? `from round ${x.from}, ` : ''}by round ${x.by}`
      : 'at' in x
        ? `at round ${x.at}`
        : `rounds ${x.from}–${x.through}`;
  const c = x.see;
  const what = [
    c.status ? (Array.isArray(c.status) ? c.status.join('/') : c.status) : '',
    c.meta ? `meta ${JSON.stringify(c.meta)}` : '',
    c.notMeta ? `not meta ${JSON.stringify(c.notMeta)}` : '',
    c.minGeneration !== undefined ? `@≥${c.minGeneration}` : '',
  ]
    .filter(Boolean)
    .join(' ');
  const sel = (s: Selector) => (s === '*' ? 'every node' : s.join(','));
  return `${when}: ${sel(x.nodes)} ${x.nodes === '*' || x.nodes.length === 1 ? 'sees' : 'see'} ${c.members === '*' ? 'every member' : c.members.join(',')} ${what}${x.note ? ` (${x.note})` : ''}`;
}

/**
 * Pure bookkeeping of one replay: feed it each boundary's views; it says which expectations are met,
 * violated or still open, and when the replay can stop.
 */
export class ScenarioJudge {
  readonly met = new Map<number, number>();
  readonly violated = new Map<number, { round: number; problem: string }>();

  constructor(
    readonly scenario: GossipScenario,
    readonly all: readonly string[],
  ) {}

  observe(round: number, views: Views): void {
    this.scenario.expect.forEach((x, i) => {
      if (this.met.has(i) || this.violated.has(i)) return;
      const problem = expectationProblem(x, views, this.all);
      if ('by' in x) {
        if (round < (x.from ?? 0)) return;
        if (problem === undefined) this.met.set(i, round);
        else if (round >= x.by) this.violated.set(i, { round, problem: `not by round ${x.by}: ${problem}` });
      } else if ('at' in x) {
        if (round === x.at) {
          if (problem === undefined) this.met.set(i, round);
          else this.violated.set(i, { round, problem });
        }
      } else if (round >= x.from && round <= x.through) {
        if (problem !== undefined) this.violated.set(i, { round, problem });
        else if (round === x.through) this.met.set(i, round);
      }
    });
  }

  /** Every expectation decided (or one violated: no need to go on). */
  get finished(): boolean {
    return this.violated.size > 0 || this.met.size === this.scenario.expect.length;
  }
}

/** The operations due before round `r`'s tick. */
export function opsAt(scenario: GossipScenario, r: number): ScenarioOp[] {
  return scenario.schedule.filter((op) => op.round === r);
}

function describeOp(op: ScenarioOp): string {
  const { round, ...rest } = op;
  return `before round ${round}: ${JSON.stringify(rest)}`;
}

/** Turns a scenario into a check `fixture.NAME`. */
export function scenarioCheck(scenario: GossipScenario): CheckDefinition {
  const needs = ['mode', ...Object.keys(scenario.knobs ?? {}).filter((k) => k === 'suspicionRounds' || k === 'indirectChecks')];
  return {
    id: `fixture.${scenario.name}`,
    system: 'gossip',
    level: scenario.level ?? 'required',
    title: `Gossip scenario ${scenario.name}`,
    criterion: `${scenario.description} Expectations: ${scenario.expect.map(describeExpectation).join('; ')}.`,
    needsKnobs: needs,
    timeoutMs: 60_000 + scenario.rounds * 1500,
    async run(ctx) {
      const c = await GossipCluster.start(ctx, { size: scenario.nodes, mode: 'round', knobs: scenario.knobs ?? {} });
      const judge = new ScenarioJudge(scenario, c.ids);
      const sent: string[] = [];
      const measure = (v: Views) => ({
        'views all alive': c.ids.filter((x) => v.has(x) && c.ids.every((m) => entryIn(v, x, m)?.status === 'alive')).length,
      });
      judge.observe(0, await c.record(measure));
      const apply = async (op: ScenarioOp): Promise<void> => {
        sent.push(describeOp(op));
        const all = c.ids;
        const ends = (s: string) => (s === '*' ? all : [s]);
        if ('state' in op) {
          const body: { meta?: string; status?: 'alive' | 'dead' } = {};
          if (op.state.meta !== undefined) body.meta = op.state.meta;
          if (op.state.status !== undefined) body.status = op.state.status;
          const e = await c.state(op.state.node, body);
          sent.push(`  → ${describeEntry(e)}`);
        } else if ('partition' in op) c.net.partition(op.partition[0], op.partition[1]);
        else if ('oneWay' in op) c.net.oneWay(op.oneWay[0], op.oneWay[1]);
        else if ('isolate' in op) c.net.isolate(op.isolate);
        else if ('heal' in op) c.net.heal();
        else if ('clearFaults' in op) c.net.clearFaults();
        else if ('loss' in op) {
          for (const a of ends(op.loss.from)) for (const b of ends(op.loss.to)) if (a !== b) c.net.loss(a, b, op.loss.p);
        } else if ('delay' in op) {
          for (const a of ends(op.delay.from))
            for (const b of ends(op.delay.to)) if (a !== b) c.net.delay(a, b, op.delay.ms, op.delay.jitterMs ?? 0);
        } else if ('crash' in op) {
          const how = await c.crash(op.crash);
          sent.push(
            `  → ${op.crash} ${how === 'process' ? 'process killed' : 'shares its process: every link cut instead'}; its view is no longer judged`,
          );
        }
      };
      while (c.round < scenario.rounds && !judge.finished) {
        for (const op of opsAt(scenario, c.round + 1)) await apply(op);
        judge.observe(c.round + 1, await c.step(measure));
      }
      const lines = scenario.expect.map((x, i) => {
        const v = judge.violated.get(i);
        const m = judge.met.get(i);
        return `${v ? 'VIOLATED' : m !== undefined ? 'met' : 'open'}: ${describeExpectation(x)}${v ? ` — round ${v.round}: ${v.problem}` : m !== undefined ? ` (round ${m})` : ''}`;
      });
      const plots = [
        {
          title: `${scenario.name}: views holding every member alive`,
          xLabel: 'round',
          yLabel: 'views',
          series: [{ name: 'views all alive', points: c.log.series('views all alive') }],
        },
      ];
      const clusters: Array<[string, GossipCluster]> = [['cluster', c]];
      const firstBad = [...judge.violated.entries()].sort((a, b) => a[1].round - b[1].round)[0];
      const open = scenario.expect.findIndex((_, i) => !judge.met.has(i) && !judge.violated.has(i));
      if (firstBad || open >= 0) {
        const [i, v] = firstBad ?? [open, { round: c.round, problem: 'the scenario ended before it was decided' }];
        return failWith(`round ${v.round}: ${describeExpectation(scenario.expect[i] as ScenarioExpectation)} — ${v.problem}`, clusters, {
          sent,
          observed: [...dumpViews(c.lastViews), ...lines],
          data: { plots, views: viewsData(c.lastViews) },
        });
      }
      return passWith(
        `replayed ${c.round} rounds, ${scenario.schedule.length} operations; all ${scenario.expect.length} expectations met`,
        clusters,
        { sent, observed: lines, data: { plots } },
      );
    },
  };
}

/** Every fixtures/gossip/*.json as a check; a malformed file is a FIXTURE_INVALID error naming it. */
export function loadGossipFixtures(dir: string): CheckDefinition[] {
  return readFixtureFolder(dir, (raw, name, file) => {
    const scenario = parseGossipScenario(raw, name);
    if (`${scenario.name}.json` !== name)
      throw new FixtureError('FIXTURE_INVALID', `${name}: field "name": expected "${name.replace(/\.json$/, '')}" (the file name)`, {
        file,
        field: 'name',
      });
    return scenarioCheck(scenario);
  });
}
