import type { BrokerUnderTest } from '../broker-under-test.ts';

/** Frames a handler reported as missed in `lagged` events logged at or after `sinceMs` (kit log clock). */
export function lagMissed(broker: BrokerUnderTest, handler: number, sinceMs = 0): number {
  return broker.events
    .filter((e) => e.event === 'lagged' && e.handler === handler && e.atMs >= sinceMs)
    .reduce((sum, e) => sum + (e.missed ?? 0), 0);
}
