export { ClusterNetwork, type ClusterNetworkOptions } from './cluster-network.ts';
export type { ConnectionTally, LinkCounters, NetworkTotals, Tally } from './counters.ts';
export { NetErrorCode, NetworkError, type NetErrorCodeValue } from './errors.ts';
export { NO_FAULTS, type LinkFaults, type Transport } from './faults.ts';
export type { QuiescentOptions } from './in-flight.ts';
export { FaultTimeline, type FaultTimelineOptions, type TimelineEntry } from './timeline.ts';
