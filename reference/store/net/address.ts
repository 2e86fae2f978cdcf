import { badRequest } from '../errors.ts';

export interface HostPort {
  readonly host: string;
  readonly port: number;
}

const ID = /^[A-Za-z0-9_.-]{1,64}$/;

export function isNodeId(value: string): boolean {
  return ID.test(value);
}

/** `127.0.0.1:4000` → {host, port}. IPv6 literals may be bracketed: `[::1]:4000`. */
export function parseHostPort(text: string, what: string): HostPort {
  const match = /^\[?([^\]]*)\]?:(\d{1,5})$/.exec(text.trim());
  const host = match?.[1];
  const port = Number(match?.[2]);
  if (!match || !host || !Number.isInteger(port) || port < 1 || port > 65535) {
    throw badRequest('INVALID_ADDRESS', `${what}: expected host:port, got ${JSON.stringify(text)}`);
  }
  return { host, port };
}

export function formatHostPort(address: HostPort): string {
  return address.host.includes(':') ? `[${address.host}]:${address.port}` : `${address.host}:${address.port}`;
}

/** The address book `id=host:port,id=host:port` (empty string → empty book). */
export function parseBook(text: string, what: string): Map<string, HostPort> {
  const book = new Map<string, HostPort>();
  for (const item of text
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '')) {
    const eq = item.indexOf('=');
    const id = eq > 0 ? item.slice(0, eq) : '';
    if (!isNodeId(id)) throw badRequest('INVALID_ADDRESS', `${what}: entry ${JSON.stringify(item)} must look like id=host:port`);
    if (book.has(id)) throw badRequest('INVALID_ADDRESS', `${what}: node ${id} appears twice`);
    book.set(id, parseHostPort(item.slice(eq + 1), `${what} entry for ${id}`));
  }
  return book;
}

/** Comma-separated ids (empty string → []). */
export function parseIdList(text: string, what: string): string[] {
  const ids = text
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
  for (const id of ids) if (!isNodeId(id)) throw badRequest('INVALID_ID', `${what}: ${JSON.stringify(id)} is not a valid node id`);
  if (new Set(ids).size !== ids.length) throw badRequest('INVALID_ID', `${what}: duplicate ids in ${JSON.stringify(text)}`);
  return ids;
}
