import type { Route } from '../http/json-server.ts';
import { objectBody } from '../http/json-server.ts';
import { badRequest } from '../errors.ts';
import { type DataNode, validateKeyValue } from './data-node.ts';

/** Admin HTTP API of a data node (the kit's view into it, plus promote/follow). */
export function nodeRoutes(node: DataNode): Route[] {
  return [
    { method: 'GET', path: '/status', handle: () => node.status() },
    {
      method: 'GET',
      path: '/read',
      handle: ({ query }) => {
        const key = query.get('key');
        if (key === null || key === '') throw badRequest('MISSING_KEY', 'query parameter "key" is required');
        return node.read(key);
      },
    },
    { method: 'GET', path: '/dump', handle: () => node.dump() },
    {
      method: 'POST',
      path: '/write',
      handle: async ({ body }) => {
        const b = objectBody(body);
        const { key, value } = validateKeyValue(b['key'], b['value']);
        return { lsn: await node.write(key, value), servedBy: node.id };
      },
    },
    {
      method: 'POST',
      path: '/promote',
      handle: ({ body }) => {
        const b = objectBody(body, true);
        const sync = b['sync'] ?? [];
        if (!Array.isArray(sync) || !sync.every((s): s is string => typeof s === 'string')) {
          throw badRequest('INVALID_SYNC', '"sync" must be an array of node ids');
        }
        if (new Set(sync).size !== sync.length) throw badRequest('INVALID_SYNC', '"sync" lists a node twice');
        const quorum = b['quorum'];
        if (quorum !== undefined && (typeof quorum !== 'number' || !Number.isSafeInteger(quorum))) {
          throw badRequest('INVALID_QUORUM', '"quorum" must be an integer');
        }
        return node.promote(sync, quorum);
      },
    },
    {
      method: 'POST',
      path: '/follow',
      handle: ({ body }) => {
        const leader = objectBody(body)['leader'];
        if (typeof leader !== 'string' || leader === '') throw badRequest('INVALID_LEADER', '"leader" must be a node id');
        return node.follow(leader);
      },
    },
  ];
}
