import { rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Candidate } from '../candidate/candidate.ts';
import { KitError } from '../common/errors.ts';
import type { Scope } from '../common/scope.ts';
import { ClusterNetwork, type FaultTimeline, type Transport } from '../network/index.ts';
import { declaredKnobs, startCandidate } from '../process/launcher.ts';
import { mkdtempForCandidates } from '../process/sandbox.ts';
import { freePort } from '../process/ports.ts';
import type { Supervised } from '../process/supervisor.ts';
import { httpJson, type HttpExchange } from './http-client.ts';
import { holdPort, type HeldPort } from './held-ports.ts';

export interface ClusterNodeSpec {
  id: string;
  /** Filled into `{role}`. */
  role?: string;
}

export interface ClusterOptions {
  /** How nodes talk to each other: the network puts itself on every link. */
  transport: Transport;
  nodes: ClusterNodeSpec[];
  /** Knob values, applied when the manifest declares the knob. */
  knobs?: Record<string, number | string>;
  /** Extra placeholders for every node (store: `{leader}`, `{sync}`, `{quorum}`…). */
  placeholders?: Record<string, string>;
  /** Label for process names. */
  label?: string;
}

/** A node of the cluster: its id, addresses, and the process hosting it. */
export interface ClusterNode {
  id: string;
  role: string;
  /** Real peer-protocol address (what the network forwards to). */
  listen: string;
  /** Base URL of the HTTP API serving this node. */
  baseUrl: string;
  host: HostProcess;
}

/** One OS process hosting one or more nodes (the manifest's `nodesPerProcess`). */
export interface HostProcess {
  index: number;
  nodeIds: string[];
  http: string;
  argsValues: Record<string, string>;
  proc: Supervised;
}

/**
 * What a cluster needs from whoever starts it: the candidate, a seed for the network's randomness, and the
 * scope that releases the processes, ports and network when the caller is done. A check's context is one.
 */
export interface ClusterHost {
  candidate: Candidate;
  seed: number;
  scope: Scope;
}

/** A process-level fault was asked for a node the cluster does not have. */
export class ClusterError extends KitError {}

/**
 * Launches a cluster candidate: free ports for each node, the kit network on every link, an address book
 * per node made of kit endpoints only, one process per node (or per group of nodes), readiness by the HTTP
 * port. Process faults (crash, pause, resume, restart) go through here and land on the same timeline as
 * network faults. Everything is released with the check's scope.
 */
export class Cluster {
  readonly nodes = new Map<string, ClusterNode>();
  readonly hosts: HostProcess[] = [];
  private tempDir: string | undefined;
  /** UDP clusters: listen and HTTP ports held below the ephemeral range (see held-ports.ts), freed on close. */
  private readonly heldPorts = new Map<string, HeldPort>();

  private constructor(
    readonly ctx: ClusterHost,
    readonly net: ClusterNetwork,
    readonly options: ClusterOptions,
  ) {}

  get timeline(): FaultTimeline {
    return this.net.timeline;
  }

  static async start(ctx: ClusterHost, options: ClusterOptions): Promise<Cluster> {
    const net = await ClusterNetwork.create({ seed: ctx.seed, transport: options.transport });
    const cluster = new Cluster(ctx, net, options);
    ctx.scope.defer(() => cluster.close());
    const perProcess = Math.max(1, ctx.candidate.manifest.nodesPerProcess);
    const listens = new Map<string, string>();
    for (const spec of options.nodes) {
      const held = options.transport === 'udp' ? await holdPort('udp') : undefined;
      if (held) cluster.heldPorts.set(spec.id, held);
      const listen = `127.0.0.1:${held ? held.port : await freePort()}`;
      listens.set(spec.id, listen);
      await net.addNode(spec.id, listen);
    }
    for (let start = 0, index = 0; start < options.nodes.length; start += perProcess, index++) {
      const group = options.nodes.slice(start, start + perProcess);
      const heldHttp = options.transport === 'udp' ? await holdPort('tcp') : undefined;
      if (heldHttp) cluster.heldPorts.set(`http:${index}`, heldHttp);
      const http = `127.0.0.1:${heldHttp ? heldHttp.port : await freePort()}`;
      const first = group[0] as ClusterNodeSpec;
      const values: Record<string, string> = {
        ...(options.placeholders ?? {}),
        id: first.id,
        role: first.role ?? 'node',
        listen: listens.get(first.id) as string,
        http,
        httpPort: http.split(':')[1] as string,
        peers: net.bookString(first.id),
        seed: String(ctx.seed),
        nodes: group.map((n) => n.id).join(','),
        nodesFile: '',
      };
      if (perProcess > 1) {
        cluster.tempDir ??= mkdtempForCandidates('meridian-cluster-');
        const file = join(cluster.tempDir, `host-${index}.json`);
        await writeFile(
          file,
          JSON.stringify(
            group.map((n) => ({ id: n.id, role: n.role ?? 'node', listen: listens.get(n.id), peers: net.bookFor(n.id) })),
            null,
            2,
          ),
        );
        values.nodesFile = file;
      }
      await Promise.all([...group.map((n) => cluster.heldPorts.get(n.id)?.unhold()), heldHttp?.unhold()]);
      const host: HostProcess = { index, nodeIds: group.map((n) => n.id), http, argsValues: values, proc: cluster.spawn(values, index) };
      cluster.hosts.push(host);
      for (const spec of group) {
        cluster.nodes.set(spec.id, {
          id: spec.id,
          role: spec.role ?? 'node',
          listen: listens.get(spec.id) as string,
          baseUrl: `http://${http}`,
          host,
        });
      }
    }
    try {
      await Promise.all(cluster.hosts.map((h) => cluster.waitReady(h)));
    } catch (error) {
      // Release the half-started cluster now (a caller may retry, e.g. after a port collision).
      await cluster.close();
      throw error;
    }
    return cluster;
  }

  private spawn(values: Record<string, string>, index: number): Supervised {
    const { candidate } = this.ctx;
    const { applied: knobs } = declaredKnobs(candidate, this.options.knobs);
    return startCandidate(candidate, { name: `${candidate.manifest.name}/${values.nodes ?? index}`, values, knobs, scope: this.ctx.scope });
  }

  private async waitReady(host: HostProcess): Promise<void> {
    const [h, p] = host.http.split(':') as [string, string];
    await host.proc.waitForPort(h, Number(p), this.ctx.candidate.manifest.startupTimeoutMs);
  }

  node(id: string): ClusterNode {
    const node = this.nodes.get(id);
    if (!node)
      throw new ClusterError('CLUSTER_UNKNOWN_NODE', `no node "${id}" in this cluster (nodes: ${[...this.nodes.keys()].join(', ')})`);
    return node;
  }

  /** A JSON request to a node's API. Throws NoAnswerError when there is no answer. */
  request(id: string, method: 'GET' | 'POST', path: string, body?: unknown, timeoutMs = 5000): Promise<HttpExchange> {
    return httpJson(method, `${this.node(id).baseUrl}${path}`, body, timeoutMs);
  }

  /**
   * A JSON request to one host process's API (process-scoped routes, e.g. gossip's `POST /tick` and
   * `GET /views`, which cover every node the process hosts). Throws NoAnswerError when there is no answer.
   */
  requestHost(host: HostProcess, method: 'GET' | 'POST', path: string, body?: unknown, timeoutMs = 5000): Promise<HttpExchange> {
    return httpJson(method, `http://${host.http}${path}`, body, timeoutMs);
  }

  /** SIGKILL the process hosting the node (all nodes it hosts go down with it). */
  async crash(id: string): Promise<void> {
    const host = this.node(id).host;
    this.timeline.record('process.crash', { node: id, hosts: host.nodeIds });
    await host.proc.kill();
  }

  /** SIGSTOP: the process freezes, its sockets stay open (a GC pause, an overloaded VM). */
  pause(id: string): void {
    const host = this.node(id).host;
    this.timeline.record('process.pause', { node: id });
    host.proc.signal('SIGSTOP');
  }

  resume(id: string): void {
    const host = this.node(id).host;
    this.timeline.record('process.resume', { node: id });
    host.proc.signal('SIGCONT');
  }

  /**
   * Starts the node's process again with the same ports and address book (after a crash).
   * `placeholderOverrides` replaces placeholders for this and later starts: a store node restarted after
   * a failover gets the current topology (`{role}`, `{leader}`, `{sync}`…), as the store contract says.
   */
  async restart(id: string, placeholderOverrides: Record<string, string> = {}): Promise<void> {
    const host = this.node(id).host;
    if (host.proc.running) await host.proc.kill();
    const overridden = Object.keys(placeholderOverrides).length > 0;
    this.timeline.record('process.restart', overridden ? { node: id, placeholders: { ...placeholderOverrides } } : { node: id });
    if (overridden) {
      host.argsValues = { ...host.argsValues, ...placeholderOverrides };
      const role = placeholderOverrides.role;
      if (role !== undefined) for (const nodeId of host.nodeIds) (this.nodes.get(nodeId) as ClusterNode).role = role;
    }
    host.proc = this.spawn(host.argsValues, host.index);
    await this.waitReady(host);
  }

  /** Last log lines of every process, prefixed by the nodes they host. */
  logs(perProcess = 6): string[] {
    return this.hosts.flatMap((h) =>
      h.proc.tail(perProcess).map((line) => `${h.nodeIds.length > 1 ? `host${h.index}` : h.nodeIds[0]}: ${line}`),
    );
  }

  async close(): Promise<void> {
    await Promise.all(this.hosts.map((h) => h.proc.kill()));
    await this.net.close();
    for (const held of this.heldPorts.values()) held.free();
    if (this.tempDir) await rm(this.tempDir, { recursive: true, force: true });
  }
}
