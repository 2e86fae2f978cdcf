import { describe, expect, it } from 'vitest';
import { parseConfig } from './config.ts';

const base = {
  MERIDIAN_NODE_ID: 'n0',
  MERIDIAN_ROLE: 'leader',
  MERIDIAN_LISTEN: '127.0.0.1:7000',
  MERIDIAN_HTTP: '127.0.0.1:7001',
  MERIDIAN_PEERS: 'n1=127.0.0.1:7100,n2=127.0.0.1:7101,router=127.0.0.1:7102',
  MERIDIAN_LEADER: 'n0',
  MERIDIAN_SYNC: 'n1',
  MERIDIAN_FOLLOWERS: 'n1,n2',
};

describe('configuration from MERIDIAN_* variables', () => {
  it('parses a leader with the documented defaults', () => {
    const c = parseConfig(base);
    expect(c).toMatchObject({
      id: 'n0',
      role: 'leader',
      leader: 'n0',
      sync: ['n1'],
      quorum: 1,
      followers: ['n1', 'n2'],
      writeTimeoutMs: 10_000,
    });
    expect(c.peers.get('n2')).toEqual({ host: '127.0.0.1', port: 7101 });
  });

  it('accepts an empty sync list (quorum 0) and a router without a listener', () => {
    expect(parseConfig({ ...base, MERIDIAN_SYNC: '', MERIDIAN_QUORUM: '1' }).quorum).toBe(0);
    const r = parseConfig({
      ...base,
      MERIDIAN_NODE_ID: 'router',
      MERIDIAN_ROLE: 'router',
      MERIDIAN_LISTEN: '',
      MERIDIAN_PEERS: 'n0=127.0.0.1:1,n1=127.0.0.1:2,n2=127.0.0.1:3',
    });
    expect(r.listen).toBeUndefined();
  });

  it.each([
    [{ MERIDIAN_ROLE: 'boss' }, /MERIDIAN_ROLE/],
    [{ MERIDIAN_HTTP: 'nope' }, /MERIDIAN_HTTP/],
    [{ MERIDIAN_QUORUM: '2' }, /MERIDIAN_QUORUM/],
    [{ MERIDIAN_LEADER: 'n1' }, /not this node/],
    [{ MERIDIAN_SYNC: 'n7' }, /not in MERIDIAN_PEERS/],
    [{ MERIDIAN_PEERS: 'n1=127.0.0.1' }, /MERIDIAN_PEERS/],
    [{ MERIDIAN_WRITE_TIMEOUT_MS: 'soon' }, /MERIDIAN_WRITE_TIMEOUT_MS/],
  ])('rejects %o', (patch, message) => {
    expect(() => parseConfig({ ...base, ...patch })).toThrow(message);
    try {
      parseConfig({ ...base, ...patch });
    } catch (error) {
      expect(error).toMatchObject({ code: 'CONFIG_INVALID' });
    }
  });
});
