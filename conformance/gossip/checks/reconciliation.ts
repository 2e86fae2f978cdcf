import type { CheckDefinition } from '../../../harness/checks/check.ts';
import { GossipCluster } from '../gossip-cluster.ts';
import { describeEntry, type Entry, type Status } from '../views.ts';
import { failWith, passWith } from './common.ts';

const A = 'n0';
const B = 'n1';
const X = 'n2';

interface Case {
  name: string;
  onA: Entry;
  onB: Entry;
  /** Who calls POST …/pushpull. */
  initiator: string;
  /** The entry both must hold; undefined = any, as long as both are identical (meta tiebreak). */
  want?: Entry;
}

const e = (status: Status, generation: number, meta?: string): Entry =>
  meta === undefined ? { id: X, status, generation } : { id: X, status, generation, meta };
const same = (a: Entry | undefined, b: Entry | undefined): boolean =>
  a !== undefined && b !== undefined && a.status === b.status && a.generation === b.generation && (a.meta ?? null) === (b.meta ?? null);

/** The cases, generations spaced so every case writes entries no node held before. */
export function reconciliationCases(): Case[] {
  const cases: Case[] = [];
  let g = 10;
  const both = (name: string, onA: (g: number) => Entry, onB: (g: number) => Entry, want: ((g: number) => Entry) | undefined): void => {
    for (const initiator of [A, B]) {
      const w = want?.(g);
      cases.push({ name: `${name}, ${initiator} starts`, onA: onA(g), onB: onB(g), initiator, ...(w ? { want: w } : {}) });
      g += 10;
    }
  };
  both(
    'Alive vs Dead, the Dead one higher',
    (g) => e('alive', g),
    (g) => e('dead', g + 1),
    (g) => e('dead', g + 1),
  );
  both(
    'Dead vs Alive, the Alive one higher',
    (g) => e('dead', g),
    (g) => e('alive', g + 1),
    (g) => e('alive', g + 1),
  );
  both(
    'equal generation: Alive vs Dead',
    (g) => e('alive', g),
    (g) => e('dead', g),
    (g) => e('dead', g),
  );
  both(
    'equal generation: Suspected vs Alive',
    (g) => e('suspected', g),
    (g) => e('alive', g),
    (g) => e('suspected', g),
  );
  both(
    'equal generation: Dead vs Suspected',
    (g) => e('dead', g),
    (g) => e('suspected', g),
    (g) => e('dead', g),
  );
  both(
    'equal generation and status, different meta',
    (g) => e('alive', g, 'a'),
    (g) => e('alive', g, 'b'),
    undefined,
  );
  return cases;
}

export const reconciliation: CheckDefinition = {
  id: 'gossip.reconciliation',
  system: 'gossip',
  level: 'required',
  title: 'Push-pull reconciles divergent views by generation, ties by the documented order',
  criterion: `3 nodes, no ticks. ${A} and ${B} are given divergent entries about ${X} (POST …/debug/upsert), then one of them runs one push-pull with the other (POST …/pushpull). After that single exchange both hold the higher-generation entry (Alive vs Dead, both ways round); at equal generation both hold the more severe status (dead > suspected > alive), and with equal status both hold the same entry, whichever node started the exchange.`,
  needsKnobs: ['mode'],
  timeoutMs: 60_000,
  async run(ctx) {
    const c = await GossipCluster.start(ctx, { size: 3, mode: 'round' });
    const rows: string[] = [];
    const sent: string[] = [];
    const results: Array<Record<string, unknown>> = [];
    for (const k of reconciliationCases()) {
      await c.upsert(A, k.onA);
      await c.upsert(B, k.onB);
      const other = k.initiator === A ? B : A;
      sent.push(
        `upsert ${A}: ${describeEntry(k.onA)}; upsert ${B}: ${describeEntry(k.onB)}; POST /nodes/${k.initiator}/pushpull {"peer":"${other}"}`,
      );
      await c.pushPull(k.initiator, other);
      const [va, vb] = [await c.view(A), await c.view(B)];
      const ea = va.members.find((m) => m.id === X);
      const eb = vb.members.find((m) => m.id === X);
      const row = `${k.name}: ${A} ${describeEntry(k.onA)} + ${B} ${describeEntry(k.onB)} → ${A} ${describeEntry(ea, X)}, ${B} ${describeEntry(eb, X)}${k.want ? ` (want ${describeEntry(k.want)})` : ' (want identical)'}`;
      rows.push(row);
      results.push({
        case: k.name,
        onA: k.onA,
        onB: k.onB,
        initiator: k.initiator,
        afterA: ea ?? null,
        afterB: eb ?? null,
        want: k.want ?? 'identical',
      });
      const ok = k.want ? same(ea, k.want) && same(eb, k.want) : same(ea, eb);
      if (!ok) {
        const what = !same(ea, eb) ? `${A} and ${B} disagree after the exchange` : `both hold ${describeEntry(ea, X)}`;
        return failWith(
          `${k.name}: ${what} (${A} ${describeEntry(ea, X)}, ${B} ${describeEntry(eb, X)}; want ${k.want ? describeEntry(k.want) : 'identical entries'})`,
          [['cluster', c]],
          {
            sent,
            observed: rows,
            data: { cases: results, views: { [A]: va.members, [B]: vb.members } },
          },
        );
      }
    }
    return passWith(
      `${rows.length} push-pull exchanges: higher generation wins, ties by dead > suspected > alive, both sides identical`,
      [['cluster', c]],
      {
        sent,
        observed: rows,
        data: { cases: results },
      },
    );
  },
};
