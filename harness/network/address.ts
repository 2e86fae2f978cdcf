import { isIPv4 } from 'node:net';
import { NetErrorCode, NetworkError } from './errors.ts';

/** An IPv4 socket address. */
export interface Address {
  readonly host: string;
  readonly port: number;
}

/** Parses `"127.0.0.1:4000"`; throws `NET_BAD_ADDRESS` for anything else. */
export function parseAddress(text: string): Address {
  const colon = text.lastIndexOf(':');
  const host = colon > 0 ? text.slice(0, colon) : '';
  const portText = colon > 0 ? text.slice(colon + 1) : '';
  const port = /^\d{1,5}$/.test(portText) ? Number(portText) : NaN;
  if (!isIPv4(host) || !(port >= 1 && port <= 65535)) {
    throw new NetworkError(NetErrorCode.BAD_ADDRESS, `not an IPv4 "host:port" address: ${JSON.stringify(text)}`, {
      address: text,
    });
  }
  return { host, port };
}

/** `host:port`. */
export function formatAddress(address: Address): string {
  return `${address.host}:${address.port}`;
}
