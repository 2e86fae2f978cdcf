/** Shared vocabulary of the sans-IO gossip core: member entries, wire messages, effects. */

export type MemberStatus = 'alive' | 'suspected' | 'dead';

/** Severity rank used by the equal-generation tiebreaker: dead > suspected > alive. */
export const STATUS_RANK: Readonly<Record<MemberStatus, number>> = { alive: 0, suspected: 1, dead: 2 };

/**
 * One claim about one member: "member `id` has `status` at `generation`". The same shape is the
 * table entry, the piggybacked update and the push-pull record.
 */
export interface Member {
  readonly id: string;
  readonly status: MemberStatus;
  /** Lamport-style counter owned by the member; probers write generation+1 when they suspect it. */
  readonly generation: number;
  /** Free-form application state owned by the member (health/load), set with its own updates. */
  readonly meta?: string;
}

/** Direct probe. `to` is the id the sender means to reach (a node ignores pings not meant for it). */
export interface PingMsg {
  readonly type: 'ping';
  readonly from: string;
  readonly seq: number;
  readonly to: string;
  readonly updates: readonly Member[];
}
/** Answer to a ping; `of` is the member whose liveness it proves (≠ `from` when forwarded for a ping-req). */
export interface AckMsg {
  readonly type: 'ack';
  readonly from: string;
  readonly seq: number;
  readonly of: string;
  readonly updates: readonly Member[];
}
/** "Please ping `target` for me and forward its ack with my `seq`." */
export interface PingReqMsg {
  readonly type: 'ping-req';
  readonly from: string;
  readonly seq: number;
  readonly target: string;
  readonly updates: readonly Member[];
}
/** Pure dissemination: a batch of recent updates. */
export interface GossipMsg {
  readonly type: 'gossip';
  readonly from: string;
  readonly updates: readonly Member[];
}
/** Anti-entropy: the sender's full table. A request (`reply: false`) is answered with the receiver's full table. */
export interface PushPullMsg {
  readonly type: 'push-pull';
  readonly from: string;
  readonly seq: number;
  readonly reply: boolean;
  readonly members: readonly Member[];
  /** A large table travels in several datagrams: this is part `part` of `parts` (0-based). */
  readonly part: number;
  readonly parts: number;
}

export type Message = PingMsg | AckMsg | PingReqMsg | GossipMsg | PushPullMsg;
export type MessageType = Message['type'];
export const MESSAGE_TYPES: readonly MessageType[] = ['ping', 'ack', 'ping-req', 'gossip', 'push-pull'];

/** A datagram the driver must send to peer `to` (resolved through the address book). */
export interface Outbound {
  readonly to: string;
  readonly msg: Message;
}

export type GossipEvent =
  | { readonly type: 'suspect'; readonly id: string; readonly generation: number; readonly by: 'probe' | 'gossip' }
  | { readonly type: 'dead'; readonly id: string; readonly generation: number }
  | { readonly type: 'alive'; readonly id: string; readonly generation: number }
  | { readonly type: 'refute'; readonly generation: number; readonly claim: Member }
  | { readonly type: 'pushpull-done'; readonly seq: number; readonly peer: string };

/** What one call into the core asks the driver to do. */
export interface Effects {
  readonly out: Outbound[];
  readonly events: GossipEvent[];
}

/** Knobs of the core. Durations are in the driver's clock unit: milliseconds (free mode) or rounds (round mode). */
export interface CoreConfig {
  readonly id: string;
  /** Peers this node may contact: exactly the ids of its address book (self excluded). */
  readonly peers: readonly string[];
  /** K: how many other members are asked to ping-req a target that missed its direct ack. */
  readonly indirectChecks: number;
  /** How many members receive a gossip message each round. */
  readonly fanout: number;
  /** T: direct ack wait. ping-req goes out at start+T, the probe fails at start+2T. */
  readonly probeTimeout: number;
  /** S: how long an entry stays Suspected before this node declares it Dead. */
  readonly suspicionTimeout: number;
  /** Every this many rounds a node does one push-pull with a random live peer (and one with a random Dead one). */
  readonly pushPullEvery: number;
  /** λ: an update is piggybacked at most λ·⌈log10(n+1)⌉ times by each node (n = members known). */
  readonly retransmitMult: number;
  /** At most this many updates ride on one message… */
  readonly maxPiggyback: number;
  /** …and at most this many bytes of them (the entries the message must carry excepted). */
  readonly maxPiggybackBytes: number;
  /** A push-pull datagram carries at most this many bytes of members; larger tables are split. */
  readonly maxPushPullBytes: number;
  /** Seed of this node's random stream. */
  readonly seed: number;
}
