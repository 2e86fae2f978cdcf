import type { CheckDefinition } from '../../../harness/checks/check.ts';
import { checkLinearizableByKey } from '../../../harness/checks/history/linearizability.ts';
import { LEADER, StoreUnderTest, clip } from '../store-under-test.ts';
import { lineOf } from '../violations.ts';

const CLIENTS = 4;
const OPS_PER_CLIENT = 40;
const KEYS = 3;
const MAX_STATES = 200_000;
const TIME_BUDGET_MS = 10_000;
/** Clients stop issuing operations after this long (a candidate whose writes crawl is judged on what it did). */
const RUN_BUDGET_MS = 25_000;

export const leaderLinearizable: CheckDefinition = {
  id: 'store.leader-linearizable',
  system: 'store',
  level: 'required',
  title: 'Leader reads are linearizable under lag',
  criterion: `${CLIENTS} concurrent clients each issue ${OPS_PER_CLIENT} random writes (unique values) and Leader reads over ${KEYS} keys while the sync follower lags 20–60 ms and the async one 300–600 ms. The history, restricted to Leader reads, must be linearizable key by key (linearizability checker; over its budget the verdict is UNKNOWN, never PASS), and every Leader read must be served by the leader.`,
  timeoutMs: 90_000,
  async run(ctx) {
    const sut = await StoreUnderTest.launch(ctx, { sync: ['n1'], async: ['n2'] });
    sut.lagInto('n1', 20, 40);
    sut.lagInto('n2', 300, 300);
    const malformed: string[] = [];
    const started = performance.now();
    await Promise.all(
      Array.from({ length: CLIENTS }, async (_, c) => {
        const random = ctx.random.fork(`client-${c}`);
        for (let i = 0; i < OPS_PER_CLIENT && !ctx.scope.signal.aborted && performance.now() - started < RUN_BUDGET_MS; i++) {
          const key = `lin/${random.int(0, KEYS - 1)}`;
          if (random.chance(0.5)) {
            const w = await sut.write(key, `c${c}-${i}`, { client: `c${c}` });
            if (w.malformed) malformed.push(`${w.op.id}: ${w.malformed}`);
          } else {
            const r = await sut.read(key, 'Leader', { client: `c${c}` });
            if (r.malformed) malformed.push(`${r.op.id}: ${r.malformed}`);
          }
        }
      }),
    );
    if (malformed.length > 0) return sut.fail(`malformed answers: ${malformed[0]}`, { observed: malformed.slice(0, 10) });
    const history = sut.recorded();
    const reads = history.filter((op) => op.kind === 'read');
    const answered = reads.filter((op) => op.completeMs !== undefined);
    const writes = history.filter((op) => op.kind === 'write');
    const acked = writes.filter((op) => op.ok === true).length;
    const metrics = { clients: CLIENTS, writes: writes.length, acknowledged: acked, leaderReads: answered.length };
    const notLeader = answered.filter((op) => op.servedBy !== LEADER);
    const plots = [sut.latencyPlot('Latency of writes and Leader reads under follower lag')];
    const result = checkLinearizableByKey(history, { readModes: ['Leader'], maxStates: MAX_STATES, timeBudgetMs: TIME_BUDGET_MS });
    if (result.verdict === 'not-linearizable') {
      const witness = (result.witness ?? []).map((op) => lineOf(sut, op.id) ?? op.id);
      return sut.fail(`Leader reads are not linearizable on ${result.key}: ${result.explanation}`, {
        observed: [
          ...witness.map((l) => `witness: ${l}`),
          ...notLeader.slice(0, 3).map((op) => `served by ${op.servedBy}: ${lineOf(sut, op.id)}`),
          ...clip(sut.lines, 5, 10),
        ],
        metrics: { ...metrics, statesExplored: result.statesExplored, method: result.method ?? '' },
        plots,
      });
    }
    if (notLeader.length > 0) {
      return sut.fail(
        `${notLeader.length} of ${answered.length} Leader reads were served by another node (first: ${lineOf(sut, notLeader[0]?.id) ?? '?'}): Leader mode reads the leader only`,
        { observed: notLeader.slice(0, 10).map((op) => lineOf(sut, op.id) ?? op.id), metrics, plots },
      );
    }
    if (answered.length < reads.length / 2 || acked < writes.length / 2) {
      return sut.fail(
        `too few operations succeeded to judge (Leader reads answered: ${answered.length} of ${reads.length}, writes acknowledged: ${acked} of ${writes.length}) with only lag injected`,
        { observed: clip(sut.lines), metrics },
      );
    }
    if (result.verdict === 'unknown') {
      return sut.unknown(
        `the linearizability checker could not decide within its budget (${MAX_STATES} states per key, ${TIME_BUDGET_MS} ms): ${result.explanation ?? ''} (undecided keys: ${result.unknownKeys.join(', ')})`,
        { metrics: { ...metrics, statesExplored: result.statesExplored } },
      );
    }
    return sut.pass(
      `${history.length} operations (${acked} acknowledged writes, ${answered.length} Leader reads) from ${CLIENTS} concurrent clients are linearizable on all ${result.keysChecked} keys (${result.method})`,
      {
        metrics: { ...metrics, statesExplored: result.statesExplored },
        plots,
      },
    );
  },
};
