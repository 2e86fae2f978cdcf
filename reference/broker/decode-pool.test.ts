import { encode } from 'cbor-x';
import { describe, expect, it } from 'vitest';
import { DecodePool } from './decode-pool.ts';
import { EventLog } from './event-log.ts';
import { decodeBatch } from './decode-worker.ts';
import { waitUntil } from './test-support.ts';

describe('decodeBatch (worker body)', () => {
  it('decodes each payload of a batch and reports the malformed ones by index', () => {
    const parts = [encode({ a: 1 }), Buffer.from([0xff]), Buffer.alloc(0), encode([1, 'x'])];
    const data = Buffer.concat(parts);
    let end = 0;
    const ends = Uint32Array.from(parts.map((p) => (end += p.length)));
    const buffer = data.buffer.slice(data.byteOffset, data.byteOffset + data.length);
    const result = decodeBatch({ id: 7, data: buffer, ends });
    expect(result.ok).toBe(2);
    expect(result.errors.map(([i]) => i)).toEqual([1, 2]);
  });
});

describe('DecodePool', () => {
  it('decodes in a worker thread, counts and logs malformed payloads, never throws', async () => {
    const lines: Record<string, unknown>[] = [];
    const log = new EventLog((text) => {
      for (const line of text.split('\n')) if (line !== '') lines.push(JSON.parse(line) as Record<string, unknown>);
    });
    const pool = new DecodePool({ workers: 2, log, batchFrames: 16 });
    try {
      await pool.ready;
      // Ten event-loop turns of ten payloads: batches form per turn, or grow while workers are busy.
      for (let turn = 0; turn < 10; turn++) {
        for (let j = 0; j < 10; j++) {
          const i = turn * 10 + j;
          pool.submit('gs-1@127.0.0.1:1', j === 3 ? Buffer.from([0x1c, i]) : encode({ seq: i, data: Buffer.alloc(i) }));
        }
        await new Promise<void>((r) => setImmediate(r));
      }
      await waitUntil(() => pool.decoded + pool.errors === 100, 10_000, 'all payloads decoded');
      expect(pool.idle).toBe(true);
      expect(pool.errors).toBe(10);
      expect(pool.skipped).toBe(0);
      log.flush();
      const errors = lines.filter((l) => l.event === 'payload-error');
      expect(errors).toHaveLength(10);
      expect(errors[0]).toMatchObject({ station: 'gs-1@127.0.0.1:1', reason: expect.any(String) });
    } finally {
      await pool.close();
    }
  });

  it('skips (and counts) payloads instead of queueing without bound when the workers are saturated', async () => {
    const log = new EventLog(() => undefined);
    const pool = new DecodePool({ workers: 1, log, batchFrames: 1 });
    try {
      for (let i = 0; i < 100; i++) pool.submit('gs-1@127.0.0.1:1', encode(i));
      expect(pool.skipped).toBeGreaterThan(50);
      await waitUntil(() => pool.idle, 10_000, 'pool idle');
      expect(pool.decoded + pool.errors + pool.skipped).toBe(100);
      expect(pool.errors).toBe(0);
    } finally {
      await pool.close();
    }
  });
});
