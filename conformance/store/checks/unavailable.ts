import type { CheckDefinition } from '../../../harness/checks/check.ts';
import { parseError, StoreHttpError } from '../../../harness/wire/store-http.ts';
import { LEADER, ROUTER, StoreUnderTest, clip } from '../store-under-test.ts';

/** How long the router may take to give up on a dead node (a refused connection is immediate). */
const ANSWER_MS = 10_000;
const FOLLOWERS = ['n1', 'n2'] as const;

interface UnavailableCase {
  readonly what: string;
  readonly method: 'GET' | 'POST';
  readonly path: string;
  readonly body?: unknown;
  /** The contract's code for this case (§8); the kit grades the 503 and that a code is present. */
  readonly contractCode: string;
}

export const unavailable: CheckDefinition = {
  id: 'store.unavailable',
  system: 'store',
  level: 'required',
  title: 'A router that cannot reach the nodes it needs answers 503 with an error code',
  criterion: `With both followers (${FOLLOWERS.join(', ')}) killed, an AnyFollower read through the router is answered 503 with a body {"error": {"code", "message"}} (the contract's code: NO_FOLLOWER_AVAILABLE); with the leader ${LEADER} killed too, a write and a Leader read are answered 503 with a code (LEADER_UNAVAILABLE; a write's outcome is unknown), each within ${ANSWER_MS / 1000} s, and the router keeps serving (it answers /status).`,
  timeoutMs: 60_000,
  async run(ctx) {
    const sut = await StoreUnderTest.launch(ctx, { sync: ['n1'], async: ['n2'] });
    const before = await sut.write('unavailable/before', `b-${ctx.random.int(0, 1e9)}`);
    if (before.outcome !== 'ack')
      return sut.fail(`a valid write was not acknowledged without any fault (${before.status ?? 'no answer'} ${before.code ?? ''})`, {
        observed: clip(sut.lines),
      });
    const wrong: string[] = [];
    const seen: string[] = [];
    const ask = async (c: UnavailableCase): Promise<void> => {
      let status: number;
      let response: unknown;
      const startedAt = performance.now();
      try {
        const answer = await sut.request(ROUTER, c.method, c.path, c.body, ANSWER_MS);
        status = answer.status;
        response = answer.response;
      } catch (error) {
        if (!(error instanceof StoreHttpError)) throw error;
        wrong.push(`${c.what}: no answer from the router (${error.code}: ${error.message}); expected 503 ${c.contractCode}`);
        return;
      }
      const ms = Math.round(performance.now() - startedAt);
      const body = parseError(response);
      seen.push(`${c.what}: ${status} ${body.code ?? JSON.stringify(response)?.slice(0, 80)} after ${ms} ms`);
      if (status !== 503)
        wrong.push(`${c.what}: status ${status}, expected 503 ${c.contractCode} (body ${JSON.stringify(response)?.slice(0, 120)})`);
      else if (!body.ok) wrong.push(`${c.what}: 503 with a malformed error body: ${body.problem}`);
    };
    for (const f of FOLLOWERS) {
      await sut.cluster.crash(f);
      sut.act(`SIGKILL ${f}`);
    }
    await ask({
      what: 'AnyFollower read with every follower dead',
      method: 'GET',
      path: '/read?key=unavailable/before&mode=AnyFollower',
      contractCode: 'NO_FOLLOWER_AVAILABLE',
    });
    await sut.cluster.crash(LEADER);
    sut.act(`SIGKILL ${LEADER}`);
    await ask({
      what: 'write with the leader dead',
      method: 'POST',
      path: '/write',
      body: { key: 'unavailable/after', value: 'x' },
      contractCode: 'LEADER_UNAVAILABLE',
    });
    await ask({
      what: 'Leader read with the leader dead',
      method: 'GET',
      path: '/read?key=unavailable/before&mode=Leader',
      contractCode: 'LEADER_UNAVAILABLE',
    });
    const routerStatus = await sut.status(ROUTER);
    if (routerStatus === undefined) wrong.push('the router did not answer /status after the nodes died: it must keep serving');
    if (wrong.length > 0) {
      return sut.fail(`${wrong.length} request(s) the router could not serve got the wrong answer; first: ${wrong[0]}`, {
        observed: [...wrong, ...seen, ...clip(sut.lines)],
        proof: wrong.slice(0, 1),
      });
    }
    return sut.pass(`every request the router could not serve was answered 503 with an error code: ${seen.join('; ')}`, { observed: seen });
  },
};
