/** A message count and the bytes they carried. */
export interface Tally {
  readonly messages: number;
  readonly bytes: number;
}

/** TCP connection counts of one directed link (all zero on UDP). */
export interface ConnectionTally {
  /** Connections accepted on the link's kit endpoint. */
  readonly opened: number;
  /** Accepted connections whose upstream connect failed (refused, reset): the client side was reset. */
  readonly failed: number;
  /** Connections destroyed by the `reset` control. */
  readonly reset: number;
  /** Connections not yet fully closed (client side or upstream side still open, or held by a cut). */
  readonly active: number;
}

/**
 * Counters of one directed link `from->to`. A "message" is a datagram on UDP and a chunk as read from
 * the sending socket on TCP. At any instant:
 * `sent + duplicated = delivered + dropped + held + inFlight` (messages and bytes alike; a TCP chunk
 * being delivered in bandwidth slices counts its bytes progressively and its message once, when done).
 */
export interface LinkCounters {
  /** `"from->to"`. */
  readonly link: string;
  readonly from: string;
  readonly to: string;
  /** Entered the kit (read from the sender). */
  readonly sent: Tally;
  /** Handed to the socket toward the receiver's real address. */
  readonly delivered: Tally;
  /** Lost on purpose (loss, partition on UDP) or discarded because a connection died. */
  readonly dropped: Tally;
  /** Extra copies created by `duplicate` (UDP). */
  readonly duplicated: Tally;
  /** Currently held by a partition / one-way cut (TCP only; UDP drops instead). */
  readonly held: Tally;
  /** Currently waiting for delivery (delay, bandwidth, upstream connect, receiver backpressure). */
  readonly inFlight: Tally;
  readonly connections: ConnectionTally;
}

/** Sum over links (the same tallies, without a link's identity), plus traffic the kit could not attribute to a link. */
export type NetworkTotals = Omit<LinkCounters, 'link' | 'from' | 'to'> & {
  /** UDP datagrams that reached a kit socket from an address that is no node's real address (dropped). */
  readonly unattributed: Tally;
};
