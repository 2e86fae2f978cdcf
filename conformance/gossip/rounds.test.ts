import { describe, expect, it } from 'vitest';
import { compactTimeline } from './gossip-cluster.ts';
import {
  arrowLine,
  convergenceLine,
  counterDiffs,
  counterMismatch,
  describeDiff,
  kib,
  kitTraffic,
  nodeCountOf,
  outsideBook,
  RoundLog,
  statsTraffic,
  type CounterDiff,
  type NodeTraffic,
} from './rounds.ts';
import { countAware, offending, parseViews, ViewShapeError, type NodeView } from './views.ts';

describe('end of a round: node counters against the kit', () => {
  const kit = new Map([
    ['n0', { sent: 5, delivered: 4 }],
    ['n1', { sent: 4, delivered: 5 }],
  ]);

  it('matches when every node sent what reached the kit and read what the kit delivered', () => {
    const nodes = new Map([
      ['n0', { sent: 5, received: 4 }],
      ['n1', { sent: 4, received: 5 }],
    ]);
    expect(counterMismatch(kit, nodes)).toBeUndefined();
  });

  it('names the first node still sending or reading', () => {
    expect(counterMismatch(kit, new Map([['n0', { sent: 6, received: 4 }]]))).toBe('n0: sent 6 by its stats, 5 reached the kit');
    expect(counterMismatch(kit, new Map([['n1', { sent: 4, received: 3 }]]))).toBe('n1: received 3 by its stats, kit delivered 5');
  });

  it('treats a node the kit never saw as zero traffic', () => {
    expect(counterMismatch(kit, new Map([['n9', { sent: 0, received: 0 }]]))).toBeUndefined();
    expect(counterMismatch(kit, new Map([['n9', { sent: 1, received: 0 }]]))).toMatch(/^n9: sent 1/);
  });

  it('reads the counters from /stats and refuses a stats object without them', () => {
    expect(nodeCountOf({ sent: { messages: 3, bytes: 9 }, received: { messages: 2 } })).toEqual({ sent: 3, received: 2 });
    expect(nodeCountOf({ sent: { messages: 3 } })).toBeUndefined();
    expect(nodeCountOf(null)).toBeUndefined();
  });
});

describe('round log', () => {
  const log = new RoundLog();
  log.add({ round: 2, counts: { aware: 1 }, bytes: 0, messages: 0, ms: 0 });
  log.add({ round: 3, counts: { aware: 8 }, bytes: 3000, messages: 40, ms: 50 });
  log.add({ round: 4, counts: { aware: 19, other: 1 }, bytes: 2000, messages: 30, ms: 40 });
  log.add({ round: 5, counts: { aware: 20 }, bytes: 1000, messages: 20, ms: 30 });

  it('keeps per-round series and finds the first round a condition holds', () => {
    expect(log.series('aware')).toEqual([
      [2, 1],
      [3, 8],
      [4, 19],
      [5, 20],
    ]);
    expect(log.series('other')).toEqual([[4, 1]]);
    expect(log.firstRound('aware', (n) => n === 20)).toBe(5);
    expect(log.firstRound('aware', (n) => n > 100)).toBeUndefined();
    expect(log.firstRound('aware', (n) => n >= 1, 3)).toBe(3);
  });

  it('averages kit bytes over a window of rounds', () => {
    expect(log.meanBytes(3)).toBe(2000);
    expect(log.meanBytes(3, 4)).toBe(2500);
    expect(log.meanBytes(10)).toBe(0);
  });

  it('prints the seed’s convergence table and the plot the HTML report draws', () => {
    expect(log.table('aware')).toBe('round 2: 1 aware, round 3: 8, round 4: 19, round 5: 20');
    expect(
      convergenceLine([
        [0, 1],
        [1, 3],
        [2, 9],
      ]),
    ).toBe('round 0: 1 aware, round 1: 3, round 2: 9');
    expect(
      arrowLine([
        [0, 1],
        [1, 3],
        [2, 9],
      ]),
    ).toBe('1→3→9');
    expect(log.plot('p', ['aware'])).toEqual({
      title: 'p',
      xLabel: 'round',
      yLabel: 'nodes aware',
      series: [{ name: 'aware', points: log.series('aware') }],
    });
  });

  it('formats bytes', () => {
    expect(kib(512)).toBe('512 B');
    expect(kib(2048)).toBe('2.0 KiB');
  });
});

describe('fault timeline for evidence', () => {
  const at = (atMs: number, kind: string, details: Record<string, unknown>) => ({ atMs, wallTime: '', kind, details });
  it('folds a control applied to hundreds of links into one row with the count', () => {
    const entries = [
      at(0, 'net.add-node', { id: 'n0' }),
      ...Array.from({ length: 380 }, (_, i) => at(10 + i / 100, 'net.loss', { from: `n${i}`, to: 'x', loss: 0.1 })),
      at(20, 'net.heal', {}),
    ];
    const rows = compactTimeline(entries);
    expect(rows.map((r) => r.kind)).toEqual(['net.add-node', 'net.loss', 'net.heal']);
    expect(rows[1]?.details).toMatchObject({ loss: 0.1, count: 380, first: { from: 'n0', to: 'x', loss: 0.1 } });
  });
  it('keeps short runs and kit marks as they are', () => {
    const entries = [
      at(1, 'gossip.mark', { what: 'a' }),
      at(2, 'gossip.mark', { what: 'b' }),
      at(3, 'gossip.mark', { what: 'c' }),
      at(4, 'gossip.mark', { what: 'd' }),
      at(5, 'net.partition', {}),
    ];
    expect(compactTimeline(entries)).toHaveLength(5);
  });
});

describe('views', () => {
  const view = (id: string, members: NodeView['members']): NodeView => ({ id, round: 3, members });
  it('validates the /views answer and names the bad field', () => {
    expect(
      parseViews({ nodes: [{ id: 'n0', round: 1, members: [{ id: 'n0', status: 'alive', generation: 0 }] }] }, 'GET /views'),
    ).toHaveLength(1);
    expect(() =>
      parseViews({ nodes: [{ id: 'n0', round: 1, members: [{ id: 'n1', status: 'zombie', generation: 0 }] }] }, 'GET /views'),
    ).toThrow(ViewShapeError);
    expect(() => parseViews({ nodes: [{ id: 'n0', members: [{ id: 'n1', status: 'alive', generation: -1 }] }] }, 'GET /views')).toThrow(
      /nodes\[0\]\.members\[0\]\.generation/,
    );
    expect(() => parseViews({ views: [] }, 'GET /views')).toThrow(/\{"nodes"/);
  });
  it('counts the nodes aware of an update and lists the offending entries', () => {
    const views = new Map([
      ['n0', view('n0', [{ id: 'n0', status: 'alive', generation: 2, meta: 'x' }])],
      ['n1', view('n1', [{ id: 'n0', status: 'alive', generation: 1 }])],
      ['n2', view('n2', [])],
    ]);
    const news = (e: { generation: number; meta?: string } | undefined) => e !== undefined && e.generation >= 2 && e.meta === 'x';
    expect(countAware(views, ['n0', 'n1', 'n2', 'n3'], 'n0', news)).toBe(1);
    expect(offending(views, ['n0', 'n1', 'n2', 'n3'], ['n0'], (e) => (news(e) ? undefined : 'stale'))).toEqual([
      'n1 (round 3) sees n0 alive@1 (stale)',
      'n2 (round 3) sees n0 (not listed) (stale)',
      'n3: no view read',
    ]);
  });
});

describe('free-running clock', () => {
  it('takes the median of the rounds each node ran between two readings of the views', async () => {
    const { medianRoundsSince } = await import('./checks/convergence.ts');
    const at = (rounds: Record<string, number>) => new Map(Object.entries(rounds).map(([id, round]) => [id, { id, round, members: [] }]));
    expect(medianRoundsSince(at({ n0: 3, n1: 4, n2: 5 }), at({ n0: 9, n1: 6, n2: 12 }))).toBe(6);
    expect(medianRoundsSince(at({ n0: 3 }), at({ n1: 9 }))).toBe(0);
    expect(medianRoundsSince(at({ n0: -1 }), at({ n0: 9 }))).toBe(0);
  });
});

describe('kit traffic vs /stats', () => {
  const links = [
    { from: 'a', to: 'b', sent: { messages: 3, bytes: 30 }, delivered: { messages: 2, bytes: 20 } },
    { from: 'b', to: 'a', sent: { messages: 1, bytes: 7 }, delivered: { messages: 1, bytes: 7 } },
  ];
  it('sums per node and finds every differing field, and which ones show traffic outside the book', () => {
    const kit = kitTraffic(links);
    expect(kit.get('a')).toEqual({ sent: { messages: 3, bytes: 30 }, received: { messages: 1, bytes: 7 } });
    const a = statsTraffic({ sent: { messages: 3, bytes: 30 }, received: { messages: 1, bytes: 7 } });
    const b = statsTraffic({ sent: { messages: 2, bytes: 14 }, received: { messages: 2, bytes: 20 } });
    expect(typeof a).toBe('object');
    const diffs = counterDiffs(
      kit,
      new Map([
        ['a', a as NodeTraffic],
        ['b', b as NodeTraffic],
      ]),
    );
    expect(diffs).toEqual([
      { node: 'b', field: 'sent.messages', stats: 2, kit: 1 },
      { node: 'b', field: 'sent.bytes', stats: 14, kit: 7 },
    ]);
    expect(outsideBook(diffs).map((d) => d.field)).toEqual(['sent.messages']);
    expect(describeDiff(diffs[0] as CounterDiff)).toBe('b sent.messages: 2 by its /stats, 1 reached the kit');
  });
  it('names the first missing /stats field', () => {
    expect(statsTraffic({ sent: { messages: 1, bytes: 2 }, received: { messages: 1 } })).toBe('received.bytes');
    expect(statsTraffic(null)).toBe('sent.messages');
  });
});
