import type { CheckDefinition } from '../../harness/checks/check.ts';
import { concurrent } from './checks/concurrent.ts';
import { fanout } from './checks/fanout.ts';
import { framing } from './checks/framing.ts';
import { maxFrame } from './checks/max-frame.ts';
import { memory } from './checks/memory.ts';
import { reconnect } from './checks/reconnect.ts';
import { scale48 } from './checks/scale.ts';
import { drainQueues } from './checks/drain-queues.ts';
import { drainBound, midFrameCheck, sigtermCheck, stopAccepting } from './checks/shutdown.ts';
import { slowHandler } from './checks/slow-handler.ts';
import { noUnwrap, spawnBlocking } from './checks/static-review.ts';

/** The broker suite, in report order. IDs are stable: reports, fixtures and CI configs refer to them. */
export const brokerChecks: CheckDefinition[] = [
  concurrent,
  fanout,
  slowHandler,
  midFrameCheck,
  drainBound,
  drainQueues,
  noUnwrap,
  spawnBlocking,
  stopAccepting,
  framing,
  maxFrame,
  reconnect,
  scale48,
  memory,
  sigtermCheck,
];
