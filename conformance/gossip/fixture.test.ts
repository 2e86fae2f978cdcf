import { describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { hasCode } from '../../harness/common/errors.ts';
import { ROOT } from '../kill-matrix.ts';
import {
  conditionProblem,
  describeExpectation,
  expectationProblem,
  FixtureError,
  loadGossipFixtures,
  opsAt,
  parseGossipScenario,
  ScenarioJudge,
  type GossipScenario,
} from './fixture.ts';
import type { NodeView, Views } from './views.ts';

const valid = (): Record<string, unknown> => ({
  kind: 'gossip-scenario',
  name: 'tiny',
  description: 'three nodes, one cut',
  nodes: 3,
  knobs: { suspicionRounds: 3 },
  rounds: 10,
  schedule: [
    { round: 2, isolate: 'n2' },
    { round: 2, state: { node: 'n0', meta: 'x' } },
    { round: 6, heal: true },
    { round: 3, loss: { from: '*', to: 'n1', p: 0.1 } },
  ],
  expect: [
    { from: 2, by: 5, nodes: ['n0', 'n1'], see: { members: ['n2'], status: 'dead' } },
    { from: 7, by: 10, nodes: '*', see: { members: '*', status: 'alive' } },
    { at: 1, nodes: '*', see: { members: ['n0'], notMeta: 'x' } },
    { from: 2, through: 5, nodes: ['n2'], see: { members: ['n0'], notMeta: 'x' } },
  ],
});

/** The FixtureError a parse throws (its code and the field it names). */
function parseError(mutate: (raw: Record<string, unknown>) => void): { code: string; field: unknown; message: string } {
  const raw = valid();
  mutate(raw);
  try {
    parseGossipScenario(raw, 'tiny.json');
  } catch (error) {
    if (error instanceof FixtureError) return { code: error.code, field: error.details.field, message: error.message };
    throw error;
  }
  throw new Error('parsed without error');
}

describe('gossip scenario fixtures: parsing', () => {
  it('accepts a valid scenario', () => {
    const s = parseGossipScenario(valid(), 'tiny.json');
    expect(s.name).toBe('tiny');
    expect(opsAt(s, 2)).toHaveLength(2);
    expect(opsAt(s, 4)).toHaveLength(0);
  });

  it.each([
    ['kind', (r: Record<string, unknown>) => (r.kind = 'broker-stream')],
    ['name', (r: Record<string, unknown>) => (r.name = 'has space')],
    ['nodes', (r: Record<string, unknown>) => (r.nodes = 0)],
    ['rounds', (r: Record<string, unknown>) => (r.rounds = 'ten')],
    ['knobs.speed', (r: Record<string, unknown>) => (r.knobs = { speed: 1 })],
    ['schedule[0].round', (r: Record<string, unknown>) => ((r.schedule as Array<Record<string, unknown>>)[0]!.round = 11)],
    ['schedule[0].isolate', (r: Record<string, unknown>) => ((r.schedule as Array<Record<string, unknown>>)[0]!.isolate = 'n7')],
    ['schedule[1]', (r: Record<string, unknown>) => ((r.schedule as Array<Record<string, unknown>>)[1]!.heal = true)],
    [
      'schedule[3].loss.p',
      (r: Record<string, unknown>) => ((r.schedule as Array<Record<string, unknown>>)[3]!.loss = { from: '*', to: 'n1', p: 2 }),
    ],
    [
      'schedule[4].partition',
      (r: Record<string, unknown>) => (r.schedule as unknown[]).push({ round: 2, partition: [['n0'], ['n0', 'n1']] }),
    ],
    ['expect', (r: Record<string, unknown>) => (r.expect = [])],
    ['expect[0]', (r: Record<string, unknown>) => ((r.expect as Array<Record<string, unknown>>)[0]!.at = 3)],
    ['expect[0].by', (r: Record<string, unknown>) => ((r.expect as Array<Record<string, unknown>>)[0]!.by = 1)],
    ['expect[3].from', (r: Record<string, unknown>) => delete (r.expect as Array<Record<string, unknown>>)[3]!.from],
    ['expect[1].nodes', (r: Record<string, unknown>) => ((r.expect as Array<Record<string, unknown>>)[1]!.nodes = 'all')],
    [
      'expect[0].see.status',
      (r: Record<string, unknown>) => ((r.expect as Array<Record<string, unknown>>)[0]!.see = { members: ['n2'], status: 'gone' }),
    ],
    [
      'expect[0].see.colour',
      (r: Record<string, unknown>) =>
        ((r.expect as Array<Record<string, unknown>>)[0]!.see = { members: ['n2'], status: 'dead', colour: 1 }),
    ],
    ['expect[0].see', (r: Record<string, unknown>) => ((r.expect as Array<Record<string, unknown>>)[0]!.see = { members: ['n2'] })],
  ])('rejects a bad %s with FIXTURE_INVALID naming the file and field', (field, mutate) => {
    const e = parseError(mutate);
    expect(e.code).toBe('FIXTURE_INVALID');
    expect(e.field).toBe(field);
    expect(e.message).toContain('tiny.json');
    expect(e.message).toContain(`"${field}"`);
  });

  it('loads the shipped fixtures as checks named fixture.<name>', () => {
    const checks = loadGossipFixtures(join(ROOT, 'fixtures', 'gossip'));
    expect(checks.map((c) => c.id)).toContain('fixture.partition-7-3-heal');
    const partition = checks.find((c) => c.id === 'fixture.partition-7-3-heal');
    expect(partition?.system).toBe('gossip');
    expect(partition?.needsKnobs).toEqual(['mode', 'suspicionRounds', 'indirectChecks']);
  });

  it('names the file of a broken fixture, and a name that does not match its file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'gossip-fixtures-'));
    try {
      writeFileSync(join(dir, 'broken.json'), '{ not json');
      expect(() => loadGossipFixtures(dir)).toThrow(/broken\.json: not valid JSON/);
      rmSync(join(dir, 'broken.json'));
      writeFileSync(join(dir, 'other.json'), JSON.stringify(valid()));
      let caught: unknown;
      try {
        loadGossipFixtures(dir);
      } catch (error) {
        caught = error;
      }
      expect(hasCode(caught, 'FIXTURE_INVALID')).toBe(true);
      expect((caught as FixtureError).details).toMatchObject({ field: 'name' });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('gossip scenario fixtures: judging by round', () => {
  const scenario = parseGossipScenario(valid(), 'tiny.json') as GossipScenario;
  const views = (entries: Record<string, Record<string, string>>): Views => {
    const out = new Map<string, NodeView>();
    for (const [viewer, members] of Object.entries(entries)) {
      out.set(viewer, {
        id: viewer,
        round: 0,
        members: Object.entries(members).map(([id, s]) => {
          const [status, meta] = s.split(':');
          return { id, status: status as 'alive', generation: 1, ...(meta ? { meta } : {}) };
        }),
      });
    }
    return out;
  };
  const all = { n0: 'alive', n1: 'alive', n2: 'alive' };

  it('meets "by" expectations at the first round they hold, not before "from"', () => {
    const j = new ScenarioJudge(scenario, ['n0', 'n1', 'n2']);
    j.observe(0, views({ n0: all, n1: all, n2: all }));
    j.observe(1, views({ n0: all, n1: all, n2: all }));
    expect(j.met.get(2)).toBe(1); // at 1
    expect(j.met.has(1)).toBe(false); // all alive, but only judged from round 7
    j.observe(3, views({ n0: { ...all, n2: 'dead' }, n1: { ...all, n2: 'dead' }, n2: { n0: 'alive', n1: 'dead', n2: 'alive' } }));
    expect(j.met.get(0)).toBe(3);
    expect(j.finished).toBe(false);
  });

  it('a violated window or a missed deadline is reported with its round and the offending entry', () => {
    const j = new ScenarioJudge(scenario, ['n0', 'n1', 'n2']);
    j.observe(2, views({ n0: all, n1: all, n2: { n0: 'alive:x' } }));
    expect(j.violated.get(3)).toEqual({ round: 2, problem: 'n2 sees n0 alive@1 "x" (must not have meta "x" yet)' });
    expect(j.finished).toBe(true);
    const k = new ScenarioJudge(scenario, ['n0', 'n1', 'n2']);
    k.observe(5, views({ n0: all, n1: all, n2: all }));
    expect(k.violated.get(0)?.problem).toBe('not by round 5: n0 sees n2 alive@1 (want dead)');
  });

  it('does not judge the view of a crashed node (no view read)', () => {
    const j = new ScenarioJudge(scenario, ['n0', 'n1', 'n2']);
    j.observe(8, views({ n0: all, n1: all }));
    expect(j.met.get(1)).toBe(8);
  });

  it('describes conditions and expectations in words', () => {
    expect(conditionProblem(undefined, { members: '*', status: 'alive' })).toBe(
      'want it listed alive; a member once listed must stay listed',
    );
    const views = new Map([['n9', { id: 'n9', round: 3, members: [{ id: 'n9', status: 'alive' as const, generation: 0 }] }]]);
    const problem = expectationProblem({ by: 3, nodes: ['n9'], see: { members: ['n0'], status: 'dead' } }, views, ['n0', 'n9']);
    expect(problem).toBe("n9's view does not list n0 (want it listed dead; a member once listed must stay listed)");
    expect(problem).not.toContain('(not listed) (not listed)');
    expect(conditionProblem({ id: 'n0', status: 'alive', generation: 1 }, { members: '*', minGeneration: 2 })).toBe('want generation ≥ 2');
    expect(
      conditionProblem({ id: 'n0', status: 'suspected', generation: 1 }, { members: '*', status: ['alive', 'suspected'] }),
    ).toBeUndefined();
    expect(describeExpectation(scenario.expect[0]!)).toBe('from round 2, by round 5: n0,n1 see n2 dead');
    expect(describeExpectation(scenario.expect[1]!)).toBe('from round 7, by round 10: every node sees every member alive');
  });
});
