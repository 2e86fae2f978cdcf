import type { CheckDefinition } from '../../../harness/checks/check.ts';
import { parseError, StoreHttpError } from '../../../harness/wire/store-http.ts';
import { isDump } from '../dump.ts';
import { LEADER, ROUTER, StoreUnderTest, clip } from '../store-under-test.ts';

const MAX_KEY = 1024;
const MAX_VALUE = 65_536;
const MAX_SESSION = 256;
const MAX_BODY = 1 << 20;
/** A follower the admin cases are sent to: every one of them must leave it a follower of n0. */
const FOLLOWER = 'n2';

/** One request that must be refused with a 4xx status and one of the listed codes (contract §8). */
interface ErrorCase {
  readonly what: string;
  readonly node: string;
  readonly method: 'GET' | 'POST';
  readonly path: string;
  readonly body?: unknown;
  readonly rawBody?: string;
  readonly status: number;
  /** Accepted codes: more than one where the contract leaves the choice open (conformance/store/README.md §8). */
  readonly codes: readonly string[];
}

const write = (what: string, body: unknown, codes: readonly string[], status = 400): ErrorCase => ({
  what,
  node: ROUTER,
  method: 'POST',
  path: '/write',
  body,
  status,
  codes,
});
const read = (what: string, query: string, codes: readonly string[]): ErrorCase => ({
  what,
  node: ROUTER,
  method: 'GET',
  path: `/read?${query}`,
  status: 400,
  codes,
});

/** The graded 4xx cases of contract §8, each with the code(s) a correct candidate may answer. */
export function errorCases(): ErrorCase[] {
  return [
    {
      what: 'write body that is not JSON',
      node: ROUTER,
      method: 'POST',
      path: '/write',
      rawBody: '{"key": "k", "value": ',
      status: 400,
      codes: ['MALFORMED_JSON'],
    },
    {
      what: 'write body that is a JSON array',
      node: ROUTER,
      method: 'POST',
      path: '/write',
      rawBody: '["k", "v"]',
      status: 400,
      codes: ['INVALID_BODY'],
    },
    {
      what: 'write body that is a JSON string',
      node: ROUTER,
      method: 'POST',
      path: '/write',
      rawBody: '"k=v"',
      status: 400,
      codes: ['INVALID_BODY'],
    },
    write('write without a key', { value: 'v' }, ['MISSING_KEY', 'INVALID_KEY']),
    write('write with an empty key', { key: '', value: 'v' }, ['MISSING_KEY', 'INVALID_KEY']),
    write('write with a numeric key', { key: 7, value: 'v' }, ['INVALID_KEY']),
    write(`write with a ${MAX_KEY + 1}-character key`, { key: 'k'.repeat(MAX_KEY + 1), value: 'v' }, ['INVALID_KEY']),
    write('write without a value', { key: 'errors/k' }, ['INVALID_VALUE']),
    write('write with a numeric value', { key: 'errors/k', value: 5 }, ['INVALID_VALUE']),
    write(`write with a ${MAX_VALUE + 1}-character value`, { key: 'errors/k', value: 'v'.repeat(MAX_VALUE + 1) }, ['INVALID_VALUE']),
    write('write with an empty session id', { key: 'errors/k', value: 'v', session: '' }, ['INVALID_SESSION']),
    write(`write with a ${MAX_SESSION + 1}-character session id`, { key: 'errors/k', value: 'v', session: 's'.repeat(MAX_SESSION + 1) }, [
      'INVALID_SESSION',
    ]),
    {
      what: `write body over ${MAX_BODY} bytes`,
      node: ROUTER,
      method: 'POST',
      path: '/write',
      rawBody: JSON.stringify({ key: 'errors/big', value: 'x'.repeat(MAX_BODY) }),
      status: 413,
      codes: ['BODY_TOO_LARGE'],
    },
    read('read without a key', 'mode=Leader', ['MISSING_KEY', 'INVALID_KEY']),
    read('read with an empty key', 'key=&mode=Leader', ['MISSING_KEY', 'INVALID_KEY']),
    read(`read with a ${MAX_KEY + 1}-character key`, `key=${'k'.repeat(MAX_KEY + 1)}&mode=Leader`, ['INVALID_KEY']),
    read('read without a mode', 'key=errors/k', ['MISSING_MODE']),
    read('read with mode=leader (modes are case-sensitive)', 'key=errors/k&mode=leader', ['UNKNOWN_MODE']),
    read('read with mode=Eventual', 'key=errors/k&mode=Eventual', ['UNKNOWN_MODE']),
    read('SessionConsistent read without session or minLsn', 'key=errors/k&mode=SessionConsistent', ['MISSING_SESSION']),
    read('read with an empty session id', 'key=errors/k&mode=SessionConsistent&session=', ['INVALID_SESSION']),
    read(
      `read with a ${MAX_SESSION + 1}-character session id`,
      `key=errors/k&mode=SessionConsistent&session=${'s'.repeat(MAX_SESSION + 1)}`,
      ['INVALID_SESSION'],
    ),
    read('read with minLsn=-1', 'key=errors/k&mode=SessionConsistent&minLsn=-1', ['INVALID_MIN_LSN']),
    read('read with minLsn=abc', 'key=errors/k&mode=SessionConsistent&minLsn=abc', ['INVALID_MIN_LSN']),
    read('read with minLsn=1.5', 'key=errors/k&mode=SessionConsistent&minLsn=1.5', ['INVALID_MIN_LSN']),
    read('AnyFollower read via a node that does not exist', 'key=errors/k&mode=AnyFollower&via=n9', ['UNKNOWN_NODE']),
    read('SessionConsistent read via a node that does not exist', 'key=errors/k&mode=SessionConsistent&minLsn=0&via=n9', ['UNKNOWN_NODE']),
    read(`AnyFollower read via the leader ${LEADER}`, `key=errors/k&mode=AnyFollower&via=${LEADER}`, ['VIA_IS_LEADER']),
    { what: 'unknown route on the router', node: ROUTER, method: 'GET', path: '/no-such-route', status: 404, codes: ['NOT_FOUND'] },
    { what: 'GET /write on the router', node: ROUTER, method: 'GET', path: '/write', status: 405, codes: ['METHOD_NOT_ALLOWED'] },
    {
      what: 'POST /read on the router',
      node: ROUTER,
      method: 'POST',
      path: '/read?key=errors/k&mode=Leader',
      body: {},
      status: 405,
      codes: ['METHOD_NOT_ALLOWED'],
    },
    {
      what: '/admin/leader naming a node that does not exist',
      node: ROUTER,
      method: 'POST',
      path: '/admin/leader',
      body: { id: 'n9' },
      status: 400,
      codes: ['UNKNOWN_NODE'],
    },
    {
      what: '/admin/leader without an id',
      node: ROUTER,
      method: 'POST',
      path: '/admin/leader',
      body: {},
      status: 400,
      codes: ['INVALID_LEADER'],
    },
    {
      what: `/promote on ${FOLLOWER} with quorum 2 of 1 sync follower`,
      node: FOLLOWER,
      method: 'POST',
      path: '/promote',
      body: { sync: ['n1'], quorum: 2 },
      status: 400,
      codes: ['INVALID_QUORUM'],
    },
    {
      what: `/promote on ${FOLLOWER} with quorum -1`,
      node: FOLLOWER,
      method: 'POST',
      path: '/promote',
      body: { sync: ['n1'], quorum: -1 },
      status: 400,
      codes: ['INVALID_QUORUM'],
    },
    {
      what: `/promote on ${FOLLOWER} with sync naming a node that does not exist`,
      node: FOLLOWER,
      method: 'POST',
      path: '/promote',
      body: { sync: ['n9'] },
      status: 400,
      codes: ['UNKNOWN_NODE'],
    },
    {
      what: `/promote on ${FOLLOWER} with sync that is not a list`,
      node: FOLLOWER,
      method: 'POST',
      path: '/promote',
      body: { sync: 'n1' },
      status: 400,
      codes: ['INVALID_SYNC'],
    },
    {
      what: `/follow on ${FOLLOWER} without a leader`,
      node: FOLLOWER,
      method: 'POST',
      path: '/follow',
      body: {},
      status: 400,
      codes: ['INVALID_LEADER'],
    },
    {
      what: `/follow on ${FOLLOWER} naming a node that does not exist`,
      node: FOLLOWER,
      method: 'POST',
      path: '/follow',
      body: { leader: 'n9' },
      status: 400,
      codes: ['UNKNOWN_NODE'],
    },
    {
      what: `/follow on ${FOLLOWER} naming ${FOLLOWER} itself`,
      node: FOLLOWER,
      method: 'POST',
      path: '/follow',
      body: { leader: FOLLOWER },
      status: 400,
      codes: ['INVALID_LEADER', 'UNKNOWN_NODE'],
    },
    { what: `unknown route on ${FOLLOWER}`, node: FOLLOWER, method: 'GET', path: '/no-such-route', status: 404, codes: ['NOT_FOUND'] },
    { what: `GET /promote on ${FOLLOWER}`, node: FOLLOWER, method: 'GET', path: '/promote', status: 405, codes: ['METHOD_NOT_ALLOWED'] },
  ];
}

export const errors: CheckDefinition = {
  id: 'store.errors',
  system: 'store',
  level: 'required',
  title: 'Bad requests get the 4xx status and error code of the contract, and change nothing',
  criterion: `Every 4xx case of contract §8 (${errorCases().length} requests to the router and to follower ${FOLLOWER}: malformed and non-object bodies, missing/empty/too-long keys, bad values, sessions, modes, minLsn, via, admin bodies, an oversized body, unknown routes and methods) is answered with its status and a body {"error": {"code", "message"}} whose code is the contract's (where §8 leaves a choice, either listed code) and whose message is non-empty. Nothing was applied: the next valid write gets the LSN right after the last acknowledged one, no refused key is in the leader's log, the router still routes to ${LEADER} and ${FOLLOWER} is still a follower of ${LEADER}.`,
  timeoutMs: 60_000,
  async run(ctx) {
    const sut = await StoreUnderTest.launch(ctx, { sync: ['n1'], async: [FOLLOWER] });
    const before = await sut.write('errors/before', `b-${ctx.random.int(0, 1e9)}`);
    if (before.outcome !== 'ack' || before.lsn === undefined)
      return sut.fail(
        `a valid write was not acknowledged without any fault (${before.status ?? 'no answer'} ${before.code ?? ''}${before.malformed ? `: ${before.malformed}` : ''})`,
        { observed: clip(sut.lines) },
      );
    const wrong: string[] = [];
    const seen: string[] = [];
    for (const c of errorCases()) {
      const shown = `${c.method} ${c.node} ${c.path.length > 80 ? `${c.path.slice(0, 80)}…` : c.path}`;
      let status: number;
      let response: unknown;
      try {
        const answer = await sut.request(c.node, c.method, c.path, c.body, 10_000, c.rawBody !== undefined ? { rawBody: c.rawBody } : {});
        status = answer.status;
        response = answer.response;
      } catch (error) {
        if (!(error instanceof StoreHttpError)) throw error;
        // An oversized body may be refused by closing the connection before it is all sent: still no 413.
        wrong.push(`${c.what} (${shown}): no answer (${error.code}: ${error.message}); expected ${c.status} ${c.codes.join(' or ')}`);
        continue;
      }
      const body = parseError(response);
      const line = `${c.what}: ${status} ${body.code ?? JSON.stringify(response)?.slice(0, 80)}`;
      seen.push(line);
      if (status !== c.status)
        wrong.push(
          `${c.what} (${shown}): status ${status}, expected ${c.status} ${c.codes.join(' or ')} (body ${JSON.stringify(response)?.slice(0, 120)})`,
        );
      else if (!body.ok) wrong.push(`${c.what} (${shown}): ${status} with a malformed error body: ${body.problem}`);
      else if (!c.codes.includes(body.code)) wrong.push(`${c.what} (${shown}): ${status} ${body.code}, expected ${c.codes.join(' or ')}`);
    }
    // 4xx means nothing was applied.
    const after = await sut.write('errors/after', `a-${ctx.random.int(0, 1e9)}`);
    const applied: string[] = [];
    if (after.outcome !== 'ack' || after.lsn === undefined)
      applied.push(
        `a valid write after the refused requests was not acknowledged (${after.status ?? 'no answer'} ${after.code ?? ''}), served by ${after.servedBy ?? '?'}`,
      );
    else {
      if (after.lsn !== before.lsn + 1)
        applied.push(`the valid write after the refused requests got LSN ${after.lsn}, not ${before.lsn + 1}: a refused write took an LSN`);
      if (after.servedBy !== undefined && after.servedBy !== LEADER)
        applied.push(
          `the valid write after the refused requests was served by ${after.servedBy}, not ${LEADER}: a refused admin request changed the router's leader`,
        );
    }
    const dump = await sut.dump(LEADER);
    if (isDump(dump)) {
      const refused = dump.entries.filter((e) => e.key !== 'errors/before' && e.key !== 'errors/after' && !e.key.startsWith('__meridian'));
      if (refused.length > 0)
        applied.push(
          `the leader's log holds entries of refused writes: ${refused
            .slice(0, 3)
            .map((e) => `LSN ${e.lsn} ${e.key.slice(0, 40)}=${JSON.stringify(e.value.slice(0, 40))}`)
            .join(', ')}`,
        );
    } else applied.push(dump.problem);
    const status = await sut.status(FOLLOWER);
    if (status?.['role'] !== 'follower' || status['leader'] !== LEADER)
      applied.push(
        `${FOLLOWER}'s /status after the refused /promote and /follow requests shows role ${JSON.stringify(status?.['role'])}, leader ${JSON.stringify(status?.['leader'])}: expected a follower of ${LEADER}`,
      );
    const routerStatus = await sut.status(ROUTER);
    if (routerStatus?.['leader'] !== LEADER)
      applied.push(
        `the router's /status after the refused /admin/leader requests names leader ${JSON.stringify(routerStatus?.['leader'])}, not ${LEADER}`,
      );
    const problems = [...wrong, ...applied];
    if (problems.length > 0) {
      return sut.fail(
        `${wrong.length} of ${errorCases().length} bad requests got the wrong answer${applied.length > 0 ? `, and ${applied.length} sign(s) that a refused request was applied` : ''}; first: ${problems[0]}`,
        {
          observed: [...problems, ...seen],
          proof: problems.slice(0, 1),
        },
      );
    }
    return sut.pass(
      `all ${errorCases().length} bad requests got their 4xx status and code with a message; none was applied (next write at LSN ${before.lsn + 1}, ${FOLLOWER} still follows ${LEADER})`,
      {
        observed: seen,
        metrics: { cases: errorCases().length },
      },
    );
  },
};
