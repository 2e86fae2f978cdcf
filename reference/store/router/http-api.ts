import { isReadMode, READ_MODES } from '../core/router.ts';
import { badRequest } from '../errors.ts';
import type { Route } from '../http/json-server.ts';
import { objectBody } from '../http/json-server.ts';
import { validateKeyValue, MAX_KEY_CHARS } from '../node/data-node.ts';
import type { Router } from './router.ts';

export const MAX_SESSION_CHARS = 256;

function session(value: unknown): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string' || value.length === 0 || value.length > MAX_SESSION_CHARS) {
    throw badRequest('INVALID_SESSION', `"session" must be a non-empty string of at most ${MAX_SESSION_CHARS} characters`);
  }
  return value;
}

/** Client-facing HTTP API of the router. */
export function routerRoutes(router: Router): Route[] {
  return [
    { method: 'GET', path: '/status', handle: () => router.status() },
    {
      method: 'POST',
      path: '/write',
      handle: ({ body }) => {
        const b = objectBody(body);
        const { key, value } = validateKeyValue(b['key'], b['value']);
        return router.write(key, value, session(b['session']));
      },
    },
    {
      method: 'GET',
      path: '/read',
      handle: ({ query }) => {
        const key = query.get('key');
        if (key === null || key === '') throw badRequest('MISSING_KEY', 'query parameter "key" is required');
        if (key.length > MAX_KEY_CHARS) throw badRequest('INVALID_KEY', `"key" must be at most ${MAX_KEY_CHARS} characters`);
        const mode = query.get('mode');
        if (mode === null || mode === '')
          throw badRequest('MISSING_MODE', `query parameter "mode" is required (one of ${READ_MODES.join(', ')})`);
        if (!isReadMode(mode))
          throw badRequest('UNKNOWN_MODE', `unknown mode ${JSON.stringify(mode)}; expected one of ${READ_MODES.join(', ')}`);
        const s = session(query.get('session') ?? undefined);
        const minText = query.get('minLsn');
        let minLsn: number | undefined;
        if (minText !== null) {
          minLsn = /^\d{1,15}$/.test(minText) ? Number(minText) : Number.NaN;
          if (!Number.isSafeInteger(minLsn))
            throw badRequest('INVALID_MIN_LSN', `"minLsn" must be a non-negative integer, got ${JSON.stringify(minText)}`);
        }
        const via = query.get('via') ?? undefined;
        if (via !== undefined) {
          if (!router.core.isNode(via))
            throw badRequest(
              'UNKNOWN_NODE',
              `"via" names ${JSON.stringify(via)}, which is not a data node (known: ${router.core.nodes.join(', ')})`,
            );
          if (mode === 'AnyFollower' && via === router.core.leader)
            throw badRequest('VIA_IS_LEADER', `"via" names the leader ${via}; AnyFollower reads only from followers`);
        }
        if (mode === 'SessionConsistent' && s === undefined && minLsn === undefined) {
          throw badRequest('MISSING_SESSION', 'SessionConsistent needs a "session" or a "minLsn" token');
        }
        return router.read(key, { mode, session: s, minLsn, via });
      },
    },
    {
      method: 'POST',
      path: '/admin/leader',
      handle: ({ body }) => {
        const id = objectBody(body)['id'];
        if (typeof id !== 'string' || id === '') throw badRequest('INVALID_LEADER', '"id" must be a node id');
        if (!router.core.isNode(id))
          throw badRequest('UNKNOWN_NODE', `${JSON.stringify(id)} is not a data node (known: ${router.core.nodes.join(', ')})`);
        return router.setLeader(id);
      },
    },
  ];
}
