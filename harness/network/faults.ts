import { NetErrorCode, NetworkError } from './errors.ts';

/** Which kind of traffic a network carries. */
export type Transport = 'tcp' | 'udp';

/**
 * The configurable faults of one directed link A→B. All default to "no fault". A link whose settings
 * are all defaults (and which is not cut) forwards synchronously, without timers.
 */
export interface LinkFaults {
  /** Fixed one-way delay in ms added to every message (datagram or TCP chunk). Default 0. */
  readonly delayMs: number;
  /** Extra uniform random delay in [0, jitterMs] per message. Default 0. TCP keeps order regardless. */
  readonly jitterMs: number;
  /** UDP only: probability in [0, 1] that a datagram is dropped. Default 0. */
  readonly loss: number;
  /** UDP only: probability in [0, 1] that a datagram is delivered twice. Default 0. */
  readonly duplicate: number;
  /** UDP only: probability in [0, 1] that a datagram gets `reorderExtraMs` extra delay. Default 0. */
  readonly reorder: number;
  /** UDP only: extra delay of reordered datagrams, ms. Default 20. */
  readonly reorderExtraMs: number;
  /** TCP only: byte rate cap of the link (shared by its connections), bytes/s. Default `null` (uncapped). */
  readonly bandwidth: number | null;
}

export const NO_FAULTS: LinkFaults = Object.freeze({
  delayMs: 0,
  jitterMs: 0,
  loss: 0,
  duplicate: 0,
  reorder: 0,
  reorderExtraMs: 20,
  bandwidth: null,
});

const UDP_ONLY: ReadonlyArray<keyof LinkFaults> = ['loss', 'duplicate', 'reorder'];
const TCP_ONLY: ReadonlyArray<keyof LinkFaults> = ['bandwidth'];

/** True when forwarding needs no timer and no random draw. */
export function isPlain(f: LinkFaults): boolean {
  return f.delayMs === 0 && f.jitterMs === 0 && f.loss === 0 && f.duplicate === 0 && f.reorder === 0 && f.bandwidth === null;
}

/** Validates a patch against ranges and the transport; throws `NET_BAD_ARGUMENT` / `NET_UNSUPPORTED_FAULT`. */
export function checkPatch(transport: Transport, patch: Partial<LinkFaults>): void {
  const forbidden = transport === 'tcp' ? UDP_ONLY : TCP_ONLY;
  for (const key of forbidden) {
    const value = patch[key];
    if (value !== undefined && value !== 0 && value !== null) {
      throw new NetworkError(NetErrorCode.UNSUPPORTED_FAULT, `fault "${key}" is not supported on ${transport}`, {
        fault: key,
        transport,
      });
    }
  }
  for (const key of ['delayMs', 'jitterMs', 'reorderExtraMs'] as const) {
    const value = patch[key];
    if (value !== undefined && !(Number.isFinite(value) && value >= 0)) bad(key, value, 'a finite number ≥ 0');
  }
  for (const key of ['loss', 'duplicate', 'reorder'] as const) {
    const value = patch[key];
    if (value !== undefined && !(value >= 0 && value <= 1)) bad(key, value, 'a probability in [0, 1]');
  }
  const bw = patch.bandwidth;
  if (bw !== undefined && bw !== null && !(Number.isFinite(bw) && bw > 0)) bad('bandwidth', bw, 'bytes/s > 0, or null');
}

function bad(key: string, value: unknown, expected: string): never {
  throw new NetworkError(NetErrorCode.BAD_ARGUMENT, `${key} must be ${expected}, got ${String(value)}`, { [key]: value });
}
