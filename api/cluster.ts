/**
 * The cluster launcher: start a cluster candidate (a manifest with `{listen}`, `{peers}`, `{http}`) with the
 * fault network on every link, then crash, pause, restart nodes and cut links on one timeline.
 *
 * @module
 */
import { loadCandidate } from '../harness/candidate/candidate.ts';
import { Scope } from '../harness/common/scope.ts';
import { newRunSeed } from '../harness/common/random.ts';
import { Cluster, type ClusterOptions } from '../harness/cluster/cluster.ts';

export { Cluster, ClusterError } from '../harness/cluster/cluster.ts';
export type { ClusterNode, ClusterNodeSpec, ClusterOptions, HostProcess } from '../harness/cluster/cluster.ts';

/** Options of {@link launchCluster}. */
export interface LaunchClusterOptions extends ClusterOptions {
  /** The candidate's manifest (JSON or JSONC). */
  manifest: string;
  /** Seed of the network's random faults. Default: random. */
  seed?: number;
}

/** A started cluster and the one call that releases everything it opened (processes, ports, sockets). */
export interface LaunchedCluster {
  cluster: Cluster;
  close(): Promise<void>;
}

/** Starts the manifest's cluster outside a grade (for your own tests): one process per node, the kit's network between them. */
export async function launchCluster(options: LaunchClusterOptions): Promise<LaunchedCluster> {
  const { manifest, seed = newRunSeed(), ...clusterOptions } = options;
  const candidate = await loadCandidate(manifest);
  const scope = new Scope();
  try {
    const cluster = await Cluster.start({ candidate, seed, scope }, clusterOptions);
    return { cluster, close: () => scope.close() };
  } catch (error) {
    await scope.close();
    throw error;
  }
}
