/**
 * 250-node simulation (in-memory, round-driven, deterministic). Reports the three figures the seed
 * asks for: membership memory per node, network bytes per round, and convergence of a state change.
 */
import { describe, expect, it } from 'vitest';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { SimCluster } from './sim.ts';
import type { RoundTraffic } from './sim.ts';
import { encodeMessage } from './core/codec.ts';

const SIZE = 250;

function gc(): void {
  setFlagsFromString('--expose-gc');
  (runInNewContext('gc') as () => void)();
}

const kb = (n: number) => `${(n / 1024).toFixed(1)} KiB`;
const mean = (xs: readonly number[]) => xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length);

describe('250-node scale simulation', () => {
  it('reports per-node membership memory, bytes per round and convergence rounds', () => {
    gc();
    const heapBefore = process.memoryUsage().heapUsed;
    const c = new SimCluster({ size: SIZE, seed: 250 });
    gc();
    const heapPerNode = (process.memoryUsage().heapUsed - heapBefore) / SIZE;

    // Steady state: no news, only probes/acks and periodic push-pull.
    for (let i = 0; i < 10; i++) c.step();
    const steady = c.traffic.slice(-10);
    const steadyBytes = mean(steady.map((t) => t.bytes));

    // Convergence of state changes made by 10 different nodes, one after another.
    const rounds: number[] = [];
    const during: RoundTraffic[] = [];
    for (let k = 0; k < 10; k++) {
      const id = `n${k * 25}`;
      const g = c.node(id).updateSelf({ meta: `load=${k}` }).generation;
      const took = c.runUntil(() => c.count(id, (m) => m?.generation === g) === SIZE, 20);
      expect(took, `update of ${id}`).toBeGreaterThan(0);
      rounds.push(took);
      during.push(...c.traffic.slice(-took));
    }

    // Failure detection at scale.
    c.crashed.add('n123');
    const start = c.round;
    const firstSuspect = c.runUntil(() => c.count('n123', (m) => m?.status !== 'alive') > 0, 30);
    const allDead = c.runUntil(() => c.count('n123', (m) => m?.status === 'dead') === SIZE - 1, 60);
    expect(firstSuspect).toBeGreaterThan(0);
    expect(allDead).toBeGreaterThan(0);
    expect(c.ids.filter((id) => id !== 'n123').every((v) => c.ids.every((id) => id === 'n123' || c.entry(v, id)?.status === 'alive'))).toBe(
      true,
    );

    const n0 = c.node('n0');
    const tableWire = encodeMessage({ type: 'push-pull', from: 'n0', seq: 1, reply: false, members: n0.view(), part: 0, parts: 1 }).length;
    const byType = (ts: readonly RoundTraffic[]) =>
      Object.entries(ts[0]?.byType ?? {})
        .map(([t]) => `${t} ${kb(mean(ts.map((x) => x.byType[t as keyof RoundTraffic['byType']].bytes)))}`)
        .join(', ');
    const report = [
      `[scale] ${SIZE} nodes, fanout 3, K 3, push-pull every 5 rounds, S = ${n0.config.suspicionTimeout} rounds`,
      `[scale] membership state per node: ${n0.view().length} entries ≈ ${kb(n0.membershipBytes())} (estimate), full table on the wire ${kb(tableWire)}, measured heap ≈ ${kb(heapPerNode)} per node (whole core)`,
      `[scale] steady state: ${kb(steadyBytes)} per round for the cluster (${Math.round(steadyBytes / SIZE)} B per node), ${Math.round(mean(steady.map((t) => t.messages)))} datagrams; ${byType(steady)}`,
      `[scale] while an update spreads: ${kb(mean(during.map((t) => t.bytes)))} per round (${Math.round(mean(during.map((t) => t.bytes)) / SIZE)} B per node)`,
      `[scale] convergence of a state change: mean ${mean(rounds).toFixed(1)} rounds, max ${Math.max(...rounds)} (per update: ${rounds.join(', ')}); log2(${SIZE}) ≈ ${Math.log2(SIZE).toFixed(1)}`,
      `[scale] crash of n123 at round ${start}: first Suspected after ${firstSuspect} rounds, Dead in all ${SIZE - 1} views ${allDead} rounds later`,
    ];
    // The same steady state with memberlist's push-pull/probe ratio (30 rounds): anti-entropy dominates the bill.
    const sparse = new SimCluster({ size: SIZE, seed: 251, knobs: { pushPullRounds: 30 } });
    for (let i = 0; i < 30; i++) sparse.step();
    const sparseBytes = mean(sparse.traffic.slice(-30).map((t) => t.bytes));
    report.push(
      `[scale] same steady state with GOSSIP_PUSHPULL_ROUNDS=30: ${kb(sparseBytes)} per round (${Math.round(sparseBytes / SIZE)} B per node)`,
    );
    console.log(report.join('\n'));
    expect(Math.max(...rounds)).toBeLessThanOrEqual(8);
    expect(n0.membershipBytes() / SIZE).toBeLessThan(200);
  });
});
