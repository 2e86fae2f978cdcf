/**
 * The reference peer protocol: newline-delimited JSON over TCP, one object per line, field `t` = type.
 * (Candidates may use any protocol; this is only the reference's.)
 *
 * Replication (the follower dials its leader through its book):
 *   F→L {t:"subscribe", from, applied, history:[[term,by,start],...]}
 *   L→F {t:"start", leader, term, common}       — agree up to `common`; entries follow from common+1
 *   L→F {t:"refuse", code, message, leader}      — not a leader (or a stale one); F retries with backoff
 *   L→F {t:"entry", lsn, key, value, term, by}
 *   L→F {t:"hb", leader, term, end, commit}      — every heartbeat interval
 *   F→L {t:"ack", from, lsn}                     — applied LSN, after progress and every heartbeat interval
 * Requests (the router, or anyone, on any connection):
 *   {t:"rpc", rid, op:"read"|"write"|"status", key?, value?} → {t:"reply", rid, ok, body? | error?}
 */
import { isValidHistory, type TermRange } from './core/history.ts';
import type { Entry } from './core/replica-log.ts';

export interface SubscribeMsg {
  t: 'subscribe';
  from: string;
  applied: number;
  history: Array<[number, string, number]>;
}
export interface StartMsg {
  t: 'start';
  leader: string;
  term: number;
  common: number;
}
export interface RefuseMsg {
  t: 'refuse';
  code: string;
  message: string;
  leader: string | null;
}
export interface EntryMsg extends Entry {
  t: 'entry';
}
export interface HeartbeatMsg {
  t: 'hb';
  leader: string;
  term: number;
  end: number;
  commit: number;
}
export interface AckMsg {
  t: 'ack';
  from: string;
  lsn: number;
}
export type RpcOp = 'read' | 'write' | 'status';
export interface RpcRequest {
  t: 'rpc';
  rid: number;
  op: RpcOp;
  key?: string;
  value?: string;
}
export interface RpcError {
  code: string;
  message: string;
  details?: Record<string, unknown>;
}
export interface RpcReply {
  t: 'reply';
  rid: number;
  ok: boolean;
  body?: unknown;
  error?: RpcError;
}

export type PeerMessage = SubscribeMsg | StartMsg | RefuseMsg | EntryMsg | HeartbeatMsg | AckMsg | RpcRequest | RpcReply;

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const isNat = (v: unknown): v is number => typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;
const isStr = (v: unknown): v is string => typeof v === 'string';

export function historyToWire(history: readonly TermRange[]): Array<[number, string, number]> {
  return history.map((r) => [r.term, r.by, r.start]);
}

export function historyFromWire(wire: Array<[number, string, number]>): TermRange[] {
  return wire.map(([term, by, start]) => ({ term, by, start }));
}

/** Validates a parsed line; undefined means "not a message we understand" (a protocol error). */
export function decodeMessage(raw: unknown): PeerMessage | undefined {
  if (!isRecord(raw) || !isStr(raw['t'])) return undefined;
  const m = raw;
  switch (m['t']) {
    case 'subscribe': {
      const history = m['history'];
      if (!isStr(m['from']) || !isNat(m['applied']) || !Array.isArray(history)) return undefined;
      const wire: Array<[number, string, number]> = [];
      for (const item of history) {
        if (!Array.isArray(item) || !isNat(item[0]) || !isStr(item[1]) || !isNat(item[2])) return undefined;
        wire.push([item[0], item[1], item[2]]);
      }
      if (!isValidHistory(historyFromWire(wire), m['applied'])) return undefined;
      return { t: 'subscribe', from: m['from'], applied: m['applied'], history: wire };
    }
    case 'start':
      return isStr(m['leader']) && isNat(m['term']) && isNat(m['common'])
        ? { t: 'start', leader: m['leader'], term: m['term'], common: m['common'] }
        : undefined;
    case 'refuse':
      return isStr(m['code']) && isStr(m['message'])
        ? { t: 'refuse', code: m['code'], message: m['message'], leader: isStr(m['leader']) ? m['leader'] : null }
        : undefined;
    case 'entry':
      return isNat(m['lsn']) && m['lsn'] > 0 && isStr(m['key']) && isStr(m['value']) && isNat(m['term']) && isStr(m['by'])
        ? { t: 'entry', lsn: m['lsn'], key: m['key'], value: m['value'], term: m['term'], by: m['by'] }
        : undefined;
    case 'hb':
      return isStr(m['leader']) && isNat(m['term']) && isNat(m['end']) && isNat(m['commit'])
        ? { t: 'hb', leader: m['leader'], term: m['term'], end: m['end'], commit: m['commit'] }
        : undefined;
    case 'ack':
      return isStr(m['from']) && isNat(m['lsn']) ? { t: 'ack', from: m['from'], lsn: m['lsn'] } : undefined;
    case 'rpc': {
      const op = m['op'];
      if (!isNat(m['rid']) || (op !== 'read' && op !== 'write' && op !== 'status')) return undefined;
      const req: RpcRequest = { t: 'rpc', rid: m['rid'], op };
      if (isStr(m['key'])) req.key = m['key'];
      if (isStr(m['value'])) req.value = m['value'];
      return req;
    }
    case 'reply': {
      if (!isNat(m['rid']) || typeof m['ok'] !== 'boolean') return undefined;
      const reply: RpcReply = { t: 'reply', rid: m['rid'], ok: m['ok'], body: m['body'] };
      const error = m['error'];
      if (isRecord(error) && isStr(error['code']) && isStr(error['message'])) {
        reply.error = { code: error['code'], message: error['message'], details: isRecord(error['details']) ? error['details'] : {} };
      }
      return reply;
    }
    default:
      return undefined;
  }
}
