import type { Random } from '../common/random.ts';
import { formatAddress, parseAddress, type Address } from './address.ts';
import { NetErrorCode, NetworkError } from './errors.ts';
import type { InFlightTracker } from './in-flight.ts';
import { Link } from './link.ts';

/** A registered node: its id, registration order and real (candidate-owned) address. */
export interface NodeInfo {
  readonly id: string;
  readonly index: number;
  readonly real: Address;
  readonly realText: string;
}

const NODE_ID = /^[^\s=,>]+$/;

/**
 * Nodes, directed links (created lazily on first use) and the cut rules: explicit directed cuts
 * (from `partition`/`oneWay`) and isolated nodes (`isolate`, which also covers nodes added later).
 */
export class Topology {
  readonly nodes = new Map<string, NodeInfo>();
  readonly links = new Map<string, Link>();
  readonly #byReal = new Map<string, string>();
  readonly #cuts = new Set<string>();
  readonly #isolated = new Set<string>();

  constructor(
    private readonly random: Random,
    private readonly tracker: InFlightTracker,
  ) {}

  /** Validates and registers a node (does not open anything). */
  add(id: string, realAddress: string): NodeInfo {
    if (typeof id !== 'string' || !NODE_ID.test(id)) {
      throw new NetworkError(NetErrorCode.BAD_NODE_ID, `bad node id ${JSON.stringify(id)}`, { id });
    }
    if (this.nodes.has(id)) throw new NetworkError(NetErrorCode.DUPLICATE_NODE, `node ${id} already added`, { id });
    const real = parseAddress(realAddress);
    const realText = formatAddress(real);
    const owner = this.#byReal.get(realText);
    if (owner !== undefined) {
      throw new NetworkError(NetErrorCode.DUPLICATE_ADDRESS, `${realText} is already node ${owner}'s address`, {
        id,
        owner,
        address: realText,
      });
    }
    const info: NodeInfo = { id, index: this.nodes.size, real, realText };
    this.nodes.set(id, info);
    this.#byReal.set(realText, id);
    return info;
  }

  /** The node, or `NET_UNKNOWN_NODE`. */
  node(id: string): NodeInfo {
    const info = this.nodes.get(id);
    if (info === undefined) {
      throw new NetworkError(NetErrorCode.UNKNOWN_NODE, `unknown node ${JSON.stringify(id)}`, {
        id,
        known: [...this.nodes.keys()],
      });
    }
    return info;
  }

  /** The directed link, created on first use (ids are not validated here). */
  link(from: string, to: string): Link {
    const key = `${from}->${to}`;
    let link = this.links.get(key);
    if (link === undefined) {
      link = new Link(from, to, this.random, this.tracker);
      link.setCut(this.isCut(from, to));
      this.links.set(key, link);
    }
    return link;
  }

  isCut(from: string, to: string): boolean {
    if (from === to) return false;
    return this.#isolated.has(from) || this.#isolated.has(to) || this.#cuts.has(`${from}->${to}`);
  }

  /** Adds a directed cut. Call {@link refreshCuts} after a batch of changes. */
  cut(from: string, to: string): void {
    if (from !== to) this.#cuts.add(`${from}->${to}`);
  }

  isolate(id: string): void {
    this.#isolated.add(id);
  }

  /** Removes every cut and isolation. */
  clearCuts(): void {
    this.#cuts.clear();
    this.#isolated.clear();
  }

  /** Directed cuts currently in force, as `"a->b"` (isolations listed separately). */
  cutState(): { cuts: string[]; isolated: string[] } {
    return { cuts: [...this.#cuts].sort(), isolated: [...this.#isolated].sort() };
  }

  /** Re-evaluates the `cut` flag of every existing link. */
  refreshCuts(): void {
    for (const link of this.links.values()) {
      const cut = this.isCut(link.from, link.to);
      if (cut !== link.cut) link.setCut(cut);
    }
  }
}
