import { failed, unknown, type CheckOutcome } from '../../harness/checks/check.ts';
import type { Evidence } from '../../harness/checks/evidence.ts';
import type { ExcusedWait } from './broker-under-test.ts';

/**
 * The verdict on a wait that came up short ({@link BrokerUnderTest.untilExcused}): UNKNOWN with the
 * environment's evidence when the environment limited the check and explains the whole overrun, else FAIL
 * (with the environment's figures as notes when it was loaded but explains less than the overrun).
 */
export function overrunVerdict(summary: string, wait: ExcusedWait<unknown>, evidence: Omit<Evidence, 'summary'> = {}): CheckOutcome {
  const metrics = {
    ...(evidence.metrics ?? {}),
    waitedMs: wait.waitedMs,
    boundMs: wait.boundMs,
    environmentExplainsMs: wait.explainableMs,
  };
  const notes = [...(evidence.notes ?? []), ...wait.limits];
  if (wait.excused) {
    return unknown(
      `${summary}; but the environment limited the run and can explain up to ${wait.explainableMs} ms of the ${wait.waitedMs - wait.boundMs} ms overrun: ${wait.limits.join('; ')}`,
      { ...evidence, metrics, notes },
    );
  }
  const loaded =
    wait.limits.length > 0
      ? ` (the environment was loaded but explains at most ${wait.explainableMs} ms of the ${wait.waitedMs - wait.boundMs} ms overrun)`
      : '';
  return failed(`${summary}${loaded}`, { ...evidence, metrics, notes });
}
