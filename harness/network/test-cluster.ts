import { ClusterNetwork } from './cluster-network.ts';
import { type Closer, TcpClient, TcpServer } from './test-support.ts';

export interface TcpCluster {
  readonly net: ClusterNetwork;
  readonly servers: Record<string, TcpServer>;
  /** Server of node `id`. */
  server(id: string): TcpServer;
  /** A client acting as node `from`, connected to `to` through the kit. */
  connect(from: string, to: string): TcpClient;
}

/** A TCP network with one recording (optionally echoing) server per node. */
export async function tcpCluster(closer: Closer, ids: string[], options: { echo?: boolean; seed?: number } = {}): Promise<TcpCluster> {
  const net = await ClusterNetwork.create({ seed: options.seed ?? 11, transport: 'tcp' });
  closer.add(() => net.close());
  const servers: Record<string, TcpServer> = {};
  for (const id of ids) {
    const server = await TcpServer.open(closer, { echo: options.echo ?? false });
    servers[id] = server;
    await net.addNode(id, server.address);
  }
  return {
    net,
    servers,
    server(id) {
      const s = servers[id];
      if (s === undefined) throw new Error(`no server ${id}`);
      return s;
    },
    connect(from, to) {
      return TcpClient.connect(closer, net.endpoint(from, to));
    },
  };
}
