/**
 * Wire format: one CBOR array per datagram, positional fields, no keys.
 *
 *   ping      [0, from, seq, to, updates]
 *   ack       [1, from, seq, of, updates]
 *   ping-req  [2, from, seq, target, updates]
 *   gossip    [3, from, updates]
 *   push-pull [4, from, seq, reply(0|1), members, part, parts]
 *   member    [id, status(0 alive|1 suspected|2 dead), generation] or [id, status, generation, meta]
 *
 * The format is private to this implementation: the kit relays datagrams without reading them.
 */
import { decode as cborDecode, encode as cborEncode } from 'cbor-x';
import type { Member, MemberStatus, Message } from './types.ts';

const STATUS_CODE: Readonly<Record<MemberStatus, number>> = { alive: 0, suspected: 1, dead: 2 };
const CODE_STATUS: readonly MemberStatus[] = ['alive', 'suspected', 'dead'];

type WireMember = [string, number, number] | [string, number, number, string];

function packMember(m: Member): WireMember {
  return m.meta === undefined ? [m.id, STATUS_CODE[m.status], m.generation] : [m.id, STATUS_CODE[m.status], m.generation, m.meta];
}

export function encodeMessage(msg: Message): Uint8Array {
  switch (msg.type) {
    case 'ping':
      return cborEncode([0, msg.from, msg.seq, msg.to, msg.updates.map(packMember)]);
    case 'ack':
      return cborEncode([1, msg.from, msg.seq, msg.of, msg.updates.map(packMember)]);
    case 'ping-req':
      return cborEncode([2, msg.from, msg.seq, msg.target, msg.updates.map(packMember)]);
    case 'gossip':
      return cborEncode([3, msg.from, msg.updates.map(packMember)]);
    case 'push-pull':
      return cborEncode([4, msg.from, msg.seq, msg.reply ? 1 : 0, msg.members.map(packMember), msg.part, msg.parts]);
  }
}

export class DecodeError extends Error {}

function str(v: unknown, what: string): string {
  if (typeof v !== 'string' || v.length === 0 || v.length > 256) throw new DecodeError(`bad ${what}`);
  return v;
}

function uint(v: unknown, what: string): number {
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 0) throw new DecodeError(`bad ${what}`);
  return v;
}

function unpackMember(v: unknown): Member {
  if (!Array.isArray(v) || v.length < 3 || v.length > 4) throw new DecodeError('bad member');
  const status = CODE_STATUS[uint(v[1], 'status')];
  if (status === undefined) throw new DecodeError('bad status');
  const base = { id: str(v[0], 'member id'), status, generation: uint(v[2], 'generation') };
  if (v.length === 3) return base;
  if (typeof v[3] !== 'string') throw new DecodeError('bad meta');
  return { ...base, meta: v[3] };
}

function members(v: unknown): Member[] {
  if (!Array.isArray(v)) throw new DecodeError('bad member list');
  return v.map(unpackMember);
}

/** Decode one datagram; throws DecodeError on anything malformed. */
export function decodeMessage(buf: Uint8Array): Message {
  let v: unknown;
  try {
    v = cborDecode(buf);
  } catch (error) {
    throw new DecodeError(`not CBOR: ${(error as Error).message}`);
  }
  if (!Array.isArray(v) || v.length < 3) throw new DecodeError('not a message');
  const from = str(v[1], 'from');
  switch (v[0]) {
    case 0:
      return { type: 'ping', from, seq: uint(v[2], 'seq'), to: str(v[3], 'to'), updates: members(v[4]) };
    case 1:
      return { type: 'ack', from, seq: uint(v[2], 'seq'), of: str(v[3], 'of'), updates: members(v[4]) };
    case 2:
      return { type: 'ping-req', from, seq: uint(v[2], 'seq'), target: str(v[3], 'target'), updates: members(v[4]) };
    case 3:
      return { type: 'gossip', from, updates: members(v[2]) };
    case 4: {
      const parts = uint(v[6], 'parts');
      const part = uint(v[5], 'part');
      if (parts < 1 || part >= parts) throw new DecodeError('bad part');
      return { type: 'push-pull', from, seq: uint(v[2], 'seq'), reply: v[3] === 1, members: members(v[4]), part, parts };
    }
    default:
      throw new DecodeError('unknown message type');
  }
}
