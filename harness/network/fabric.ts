import type { Tally } from './counters.ts';
import type { Link } from './link.ts';
import type { NodeInfo } from './topology.ts';

/** The transport-specific half of a ClusterNetwork: endpoints, forwarding, teardown. */
export interface Fabric {
  /** Opens the kit endpoints a new node needs (and the ones other nodes need to reach it). */
  addNode(node: NodeInfo): Promise<void>;
  /** The kit address node `from` must use to reach `to` (what `from`'s book says for `to`). */
  endpoint(from: string, to: string): string;
  /** Cut rules changed (partition, heal…): release or re-check held traffic. */
  cutsChanged(): void;
  /** A link's fault settings changed: wake anything waiting on the old settings. */
  faultsChanged(link: Link): void;
  /** TCP: resets the link's current connections, returns how many. UDP: unsupported. */
  reset(from: string, to: string): number;
  /** Datagrams that could not be attributed to a node (dropped). */
  unattributed(): Tally;
  /** UDP: hold every datagram that reaches the kit until {@link releaseBarrier}. Absent on TCP. */
  raiseBarrier?(): void;
  /** UDP: forward the held datagrams; returns how many there were. */
  releaseBarrier?(): number;
  /** Closes every socket and server the fabric opened. */
  close(): Promise<void>;
}
