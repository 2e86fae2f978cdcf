import { afterAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, coreConfig, defaultSuspicionRounds, parseBook, parseEnv } from './config.ts';

const dir = mkdtempSync(join(tmpdir(), 'gossip-config-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('launch configuration', () => {
  it('single node from MERIDIAN_NODE_ID / LISTEN / PEERS; empty placeholders count as unset', () => {
    const c = parseEnv({
      MERIDIAN_HTTP: '127.0.0.1:9000',
      MERIDIAN_NODE_ID: 'n1',
      MERIDIAN_LISTEN: '127.0.0.1:9001',
      MERIDIAN_PEERS: 'n0=127.0.0.1:7000,n2=127.0.0.1:7002,n1=127.0.0.1:7001',
      MERIDIAN_NODES_FILE: '',
      GOSSIP_SEED: '42',
      GOSSIP_K: '',
    });
    expect(c.nodes).toEqual([{ id: 'n1', listen: '127.0.0.1:9001', peers: { n0: '127.0.0.1:7000', n2: '127.0.0.1:7002' } }]);
    expect(c.knobs).toMatchObject({ mode: 'free', seed: 42, indirectChecks: 3, fanout: 3, periodMs: 200 });
  });

  it('a nodes file wins over the single-node variables and extra fields are ignored', () => {
    const file = join(dir, 'nodes.json');
    writeFileSync(
      file,
      JSON.stringify([
        { id: 'a', role: 'node', listen: '127.0.0.1:1', peers: { b: '127.0.0.1:2' } },
        { id: 'b', role: 'node', listen: '127.0.0.1:2', peers: { a: '127.0.0.1:1' } },
      ]),
    );
    const c = parseEnv({
      MERIDIAN_HTTP: '127.0.0.1:9',
      MERIDIAN_NODES_FILE: file,
      MERIDIAN_NODE_ID: 'a',
      MERIDIAN_LISTEN: '127.0.0.1:1',
      GOSSIP_MODE: 'round',
    });
    expect(c.nodes.map((n) => n.id)).toEqual(['a', 'b']);
    expect(c.knobs.mode).toBe('round');
  });

  it('round mode counts timeouts in rounds, free mode in ms', () => {
    const base = parseEnv({ MERIDIAN_HTTP: '127.0.0.1:9', MERIDIAN_NODE_ID: 'a', MERIDIAN_LISTEN: '127.0.0.1:1', GOSSIP_SEED: '1' }).knobs;
    const peers = Array.from({ length: 19 }, (_, i) => `p${i}`);
    expect(coreConfig('a', peers, { ...base, mode: 'round' })).toMatchObject({ probeTimeout: 1, suspicionTimeout: 8 });
    expect(coreConfig('a', peers, { ...base, mode: 'round', suspicionRounds: 3 })).toMatchObject({ suspicionTimeout: 3 });
    expect(coreConfig('a', peers, { ...base, mode: 'free', periodMs: 1000 })).toMatchObject({ probeTimeout: 500, suspicionTimeout: 8000 });
    expect(coreConfig('a', peers, { ...base, mode: 'free', suspicionMs: 5000, probeTimeoutMs: 50 })).toMatchObject({
      probeTimeout: 50,
      suspicionTimeout: 5000,
    });
    expect([1, 2, 10, 20, 250].map(defaultSuspicionRounds)).toEqual([4, 4, 8, 8, 12]);
  });

  it('rejects bad input with ConfigError', () => {
    expect(() => parseEnv({})).toThrow(ConfigError);
    expect(() => parseEnv({ MERIDIAN_HTTP: '127.0.0.1:9', MERIDIAN_NODE_ID: 'a' })).toThrow(/MERIDIAN_LISTEN/);
    expect(() =>
      parseEnv({ MERIDIAN_HTTP: '127.0.0.1:9', MERIDIAN_NODE_ID: 'a', MERIDIAN_LISTEN: '127.0.0.1:1', GOSSIP_MODE: 'fast' }),
    ).toThrow(/GOSSIP_MODE/);
    expect(() => parseEnv({ MERIDIAN_HTTP: '127.0.0.1:9', MERIDIAN_NODE_ID: 'a', MERIDIAN_LISTEN: '127.0.0.1:1', GOSSIP_K: '-1' })).toThrow(
      /GOSSIP_K/,
    );
    expect(() => parseBook('n1=nowhere')).toThrow(ConfigError);
    expect(() => parseEnv({ MERIDIAN_HTTP: '127.0.0.1:9', MERIDIAN_NODES_FILE: join(dir, 'missing.json') })).toThrow(/MERIDIAN_NODES_FILE/);
  });
});
