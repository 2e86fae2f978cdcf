/**
 * Protocol scenarios on the in-memory, round-driven network (deterministic: seeded nodes and network).
 * Each mirrors a check of the black-box conformance suite.
 */
import { describe, expect, it } from 'vitest';
import { SimCluster } from './sim.ts';
import type { Member } from './core/types.ts';

const everyView = (c: SimCluster, ids: readonly string[], pred: (viewer: string, m: Member | undefined, id: string) => boolean) =>
  c.ids.every((v) => c.crashed.has(v) || ids.every((id) => pred(v, c.entry(v, id), id)));

describe('dissemination', () => {
  it('20 nodes learn node 0’s update within 5 rounds', () => {
    const rounds: number[] = [];
    for (const seed of [1, 2, 3, 4, 5, 6, 7, 8]) {
      const c = new SimCluster({ size: 20, seed });
      c.step();
      c.step();
      const g = c.node('n0').updateSelf({ meta: 'load=0.7' }).generation;
      const aware = [c.count('n0', (m) => (m?.generation ?? 0) >= g)];
      const took = c.runUntil(() => {
        aware.push(c.count('n0', (m) => m?.generation === g && m.meta === 'load=0.7'));
        return aware.at(-1) === 20;
      }, 5);
      if (seed === 1) console.log(`[convergence] 20 nodes, nodes aware per round: ${aware.join(' → ')}`);
      expect(took, `seed ${seed}: ${aware.join('→')}`).toBeGreaterThan(0);
      rounds.push(took);
    }
    console.log(`[convergence] rounds to reach all 20 over 8 seeds: ${rounds.join(', ')}`);
  });
});

describe('reconciliation (push-pull)', () => {
  it('Alive vs Dead divergent views: one exchange, both hold the higher generation', () => {
    const c = new SimCluster({ size: 3, seed: 11 });
    c.node('n0').debugUpsert({ id: 'n2', status: 'alive', generation: 4 }, 0);
    c.node('n1').debugUpsert({ id: 'n2', status: 'dead', generation: 5 }, 0);
    expect(c.pushPull('n0', 'n1')).toBe(true);
    expect(c.entry('n0', 'n2')).toEqual({ id: 'n2', status: 'dead', generation: 5 });
    expect(c.entry('n1', 'n2')).toEqual({ id: 'n2', status: 'dead', generation: 5 });
    // And the other way round: the higher generation is the Alive one.
    c.node('n0').debugUpsert({ id: 'n2', status: 'alive', generation: 9 }, 0);
    expect(c.pushPull('n1', 'n0')).toBe(true);
    expect(c.entry('n1', 'n2')).toEqual({ id: 'n2', status: 'alive', generation: 9 });
    expect(c.entry('n0', 'n2')).toEqual({ id: 'n2', status: 'alive', generation: 9 });
  });

  it('equal generations: the tiebreaker (dead > suspected > alive, then meta) gives both sides the same entry', () => {
    const pairs: [Member, Member, Member][] = [
      [
        { id: 'n2', status: 'alive', generation: 6 },
        { id: 'n2', status: 'dead', generation: 6 },
        { id: 'n2', status: 'dead', generation: 6 },
      ],
      [
        { id: 'n2', status: 'suspected', generation: 6 },
        { id: 'n2', status: 'alive', generation: 6 },
        { id: 'n2', status: 'suspected', generation: 6 },
      ],
      [
        { id: 'n2', status: 'alive', generation: 6, meta: 'a' },
        { id: 'n2', status: 'alive', generation: 6, meta: 'b' },
        { id: 'n2', status: 'alive', generation: 6, meta: 'b' },
      ],
    ];
    for (const [x, y, want] of pairs) {
      for (const [a, b] of [
        ['n0', 'n1'],
        ['n1', 'n0'],
      ] as const) {
        const c = new SimCluster({ size: 3, seed: 12 });
        c.node('n0').debugUpsert(x, 0);
        c.node('n1').debugUpsert(y, 0);
        expect(c.pushPull(a, b)).toBe(true);
        expect(c.entry('n0', 'n2')).toEqual(want);
        expect(c.entry('n1', 'n2')).toEqual(want);
      }
    }
  });
});

describe('failure detection', () => {
  it('indirect probe: A→B dropped, B stays Alive in A’s view through K helpers', () => {
    const c = new SimCluster({ size: 5, seed: 21, knobs: { indirectChecks: 2 } });
    c.blocked.add('n0>n1');
    for (let i = 0; i < 30; i++) c.step();
    const a = c.node('n0').stats;
    expect(c.entry('n0', 'n1')).toEqual({ id: 'n1', status: 'alive', generation: 0 });
    expect(a.probes.indirectOk).toBeGreaterThan(0);
    expect(a.probes.failed).toBe(0);
    expect(a.suspicions).toBe(0);
    expect(a.probes.pingReqSent).toBe(2 * a.probes.indirectOk); // exactly K helpers per indirect probe
    expect(everyView(c, c.ids, (_, m) => m?.status === 'alive')).toBe(true);
    console.log(`[indirect] n0: probes ${JSON.stringify(a.probes)}`);
  });

  it('a crashed node goes Suspected, then Dead everywhere after the suspicion timeout', () => {
    const c = new SimCluster({ size: 10, seed: 31, knobs: { suspicionRounds: 5 } });
    c.step();
    c.crashed.add('n4');
    const firstSuspect = c.runUntil(() => c.count('n4', (m) => m?.status === 'suspected') > 0, 15);
    expect(firstSuspect).toBeGreaterThan(0);
    const suspectedAt = c.round;
    const gen = c.ids.map((v) => c.entry(v, 'n4')).find((m) => m?.status === 'suspected')?.generation;
    expect(gen).toBe(1); // prober proposes G+1
    const allDead = c.runUntil(() => c.count('n4', (m) => m?.status === 'dead') === 9, 30);
    expect(allDead).toBeGreaterThanOrEqual(5); // nobody declares Dead before S rounds of suspicion
    console.log(`[suspicion] first Suspected at round ${suspectedAt}, Dead in all 9 views at round ${c.round} (S = 5)`);
  });

  it('a suspect that comes back within the window refutes with G+2 and nobody declares it Dead', () => {
    const c = new SimCluster({ size: 10, seed: 41, knobs: { suspicionRounds: 8 } });
    c.step();
    c.partition(
      ['n7'],
      c.ids.filter((id) => id !== 'n7'),
    );
    expect(c.runUntil(() => c.count('n7', (m) => m?.status === 'suspected') > 0, 15)).toBeGreaterThan(0);
    c.heal();
    const took = c.runUntil(() => everyView(c, c.ids, (_, m) => m?.status === 'alive'), 8);
    expect(took).toBeGreaterThan(0);
    expect(c.node('n7').self()).toEqual({ id: 'n7', status: 'alive', generation: 2 });
    expect(c.ids.every((v) => c.node(v).stats.deaths === 0)).toBe(true);
    console.log(`[refutation] n7 Alive at generation 2 in every view ${took} round(s) after the heal`);
  });

  it('7+3 partition: the 7 side declares the 3 Dead; after the heal everyone is Alive everywhere', () => {
    const c = new SimCluster({ size: 10, seed: 51, knobs: { suspicionRounds: 4 } });
    const seven = c.ids.slice(0, 7);
    const three = c.ids.slice(7);
    for (let i = 0; i < 3; i++) c.step();
    c.node('n0').updateSelf({ meta: 'before' });
    c.step();
    c.partition(seven, three);
    c.node('n0').updateSelf({ meta: 'during' });
    const detect = c.runUntil(() => seven.every((v) => three.every((id) => c.entry(v, id)?.status === 'dead')), 30);
    expect(detect).toBeGreaterThan(0);
    // The minority cannot hear the majority's news: its view of n0 is frozen at 'before'.
    expect(three.every((v) => c.entry(v, 'n0')?.meta === 'before')).toBe(true);
    expect(everyView(c, three, (v, m) => !three.includes(v) || m?.status === 'alive')).toBe(true);
    c.heal();
    const recover = c.runUntil(() => everyView(c, c.ids, (_, m) => m?.status === 'alive'), 30);
    expect(recover).toBeGreaterThan(0);
    expect(three.every((v) => c.entry(v, 'n0')?.meta === 'during')).toBe(true);
    console.log(`[partition] 7 side saw the 3 Dead after ${detect} rounds; all Alive everywhere ${recover} rounds after the heal`);
  });
});

describe('lossy network', () => {
  it('10% loss for 30 rounds: no healthy node is ever declared Dead', () => {
    let suspicions = 0;
    for (const [size, seed] of [
      [10, 61],
      [20, 62],
      [20, 63],
      [50, 64],
    ] as const) {
      const c = new SimCluster({ size, seed, loss: 0.1 });
      for (let i = 0; i < 30; i++) {
        c.step();
        expect(
          everyView(c, c.ids, (_, m) => m?.status !== 'dead'),
          `size ${size} seed ${seed} round ${i + 1}`,
        ).toBe(true);
      }
      suspicions += c.ids.reduce((a, id) => a + c.node(id).stats.suspicions, 0);
      expect(c.ids.reduce((a, id) => a + c.node(id).stats.deaths, 0)).toBe(0);
    }
    console.log(`[loss] 4 clusters × 30 rounds at 10% loss: ${suspicions} transient suspicion(s), all refuted, 0 Dead`);
  });
});
