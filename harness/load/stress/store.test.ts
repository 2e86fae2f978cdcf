import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadCandidate } from '../../candidate/candidate.ts';
import { ROOT } from '../../common/root.ts';
import { killAll, liveCount } from '../../process/supervisor.ts';
import { READ_MODES } from '../../wire/store-http.ts';
import { renderStoreHtml, renderStoreSummary, runStoreLoad } from './store.ts';

afterAll(async () => {
  await killAll();
});

describe('store load table', () => {
  it('measures every read mode and writes against the reference store, and says which node served them', async () => {
    const result = await runStoreLoad({
      candidate: await loadCandidate(join(ROOT, 'reference/store/manifest.json')),
      seed: 9,
      connections: 4,
      durationMs: 500,
      keys: 20,
    });
    expect(result.rows.map((r) => `${r.operation}:${r.mode}`)).toEqual([
      ...READ_MODES.map((m) => `read:${m}`),
      'write:-',
      ...READ_MODES.map((m) => `read+writes:${m}`),
    ]);
    for (const row of result.rows) {
      expect(row.requests).toBeGreaterThan(0);
      expect(row.non2xx).toBe(0);
      expect(row.errors).toBe(0);
      expect(row.latency.count).toBe(row.requests);
      expect(row.latency.p50Us).toBeLessThanOrEqual(row.latency.p99Us);
    }
    const byMode = new Map(result.rows.filter((r) => r.operation !== 'read+writes').map((r) => [r.mode, r]));
    const underWrites = result.rows.filter((r) => r.operation === 'read+writes');
    for (const r of underWrites) expect(r.writesAlongside).toBeGreaterThan(0);
    expect(underWrites.find((r) => r.mode === 'Leader')?.ratioToLeader).toBe(1);
    expect(Object.keys(byMode.get('Leader')!.servedBy)).toEqual(['n0']);
    expect(byMode.get('Leader')!.ratioToLeader).toBe(1);
    for (const node of Object.keys(byMode.get('AnyFollower')!.servedBy)) expect(['n1', 'n2']).toContain(node);
    expect(Object.keys(byMode.get('-')!.servedBy)).toEqual(['n0']);
    const text = renderStoreSummary(result);
    expect(text).toMatch(/read\s+Leader\s+[\d,]+\s+1\.00×/);
    expect(text).toMatch(/writes\/s alongside\s+served by/);
    expect(text).toMatch(/read\+writes\s+Leader\s+[\d,]+\s+1\.00×/);
    expect(renderStoreHtml(result)).toContain('<table>');
    expect(liveCount()).toBe(0);
  });
});
