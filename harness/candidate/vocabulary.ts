/**
 * What each system's suites can set and fill in, for checking a manifest at load: the knobs the kit may set
 * (conformance/<system>/README.md, "Knobs") and the placeholders it fills in `command` and `env`
 * (broker: conformance/broker/README.md; store and gossip: CLUSTER.md and their READMEs). A check that sets
 * a knob or fills a placeholder missing here would have its manifests refused: keep the lists in step.
 *
 * @module
 */
const CLUSTER_PLACEHOLDERS = ['id', 'role', 'listen', 'http', 'httpPort', 'peers', 'seed', 'nodes', 'nodesFile'] as const;

/** What a manifest of one system may declare: the knobs the kit sets and the placeholders it fills. */
export interface SystemVocabulary {
  readonly knobs: readonly string[];
  readonly placeholders: readonly string[];
}

/**
 * The systems the kit can grade, each with its manifest vocabulary: the one table a new system adds a row
 * to (its suite registers in conformance/systems.ts; see docs/architecture.md).
 */
const VOCABULARY = {
  broker: {
    knobs: ['handlers', 'slowHandlerMs', 'capacity', 'logFrames', 'logProbes', 'statsMs'],
    placeholders: ['bind', 'host', 'port', 'seed'],
  },
  store: {
    knobs: ['quorum', 'writeTimeoutMs'],
    placeholders: [...CLUSTER_PLACEHOLDERS, 'leader', 'sync', 'quorum', 'followers'],
  },
  gossip: {
    knobs: ['mode', 'periodMs', 'probeTimeoutMs', 'suspicionMs', 'suspicionRounds', 'indirectChecks', 'fanout', 'pushPullRounds'],
    placeholders: CLUSTER_PLACEHOLDERS,
  },
} as const satisfies Record<string, SystemVocabulary>;

export type SystemName = keyof typeof VOCABULARY;

/** The systems the kit can grade, in the order reports list them. */
export const SYSTEMS = Object.keys(VOCABULARY) as readonly SystemName[];

/** The manifest vocabulary of `system`. */
export function vocabularyOf(system: SystemName): SystemVocabulary {
  return VOCABULARY[system];
}

/** Edit distance (insert, delete, substitute, swap of neighbours), case-insensitive. */
function distance(a: string, b: string): number {
  const x = a.toLowerCase();
  const y = b.toLowerCase();
  const d: number[][] = Array.from({ length: x.length + 1 }, (_, i) =>
    Array.from({ length: y.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)),
  );
  for (let i = 1; i <= x.length; i++) {
    for (let j = 1; j <= y.length; j++) {
      const row = d[i] as number[];
      const up = d[i - 1] as number[];
      row[j] = Math.min((up[j] as number) + 1, (row[j - 1] as number) + 1, (up[j - 1] as number) + (x[i - 1] === y[j - 1] ? 0 : 1));
      if (i > 1 && j > 1 && x[i - 1] === y[j - 2] && x[i - 2] === y[j - 1])
        row[j] = Math.min(row[j] as number, ((d[i - 2] as number[])[j - 2] as number) + 1);
    }
  }
  return (d[x.length] as number[])[y.length] as number;
}

/** The closest of `known` to `word`, when it is close enough to be a likely typo. */
export function closest(word: string, known: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const candidate of known) {
    const dist = distance(word, candidate);
    if (dist < bestDistance) {
      best = candidate;
      bestDistance = dist;
    }
  }
  return best !== undefined && bestDistance <= Math.max(2, Math.floor(word.length / 3)) ? best : undefined;
}
