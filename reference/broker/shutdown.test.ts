import { describe, expect, it } from 'vitest';
import { EventLog } from './event-log.ts';
import { installShutdown } from './shutdown.ts';
import type { Drainable } from './shutdown.ts';
import { waitUntil } from './test-support.ts';

function fakeTarget(): Drainable & { drained: boolean; began: number; reports: number } {
  return {
    onProgress: null,
    drained: false,
    began: 0,
    reports: 0,
    beginShutdown() {
      this.began++;
    },
    isDrained() {
      return this.drained;
    },
    finalReport() {
      this.reports++;
    },
  };
}

function harness(drainMs: number) {
  const lines: Record<string, unknown>[] = [];
  const log = new EventLog((text) => {
    for (const line of text.split('\n')) if (line !== '') lines.push(JSON.parse(line) as Record<string, unknown>);
  });
  const exits: number[] = [];
  const target = fakeTarget();
  const controller = installShutdown({ target, log, drainMs, exit: (code) => exits.push(code), signals: [] });
  return { lines, exits, target, controller };
}

describe('installShutdown', () => {
  it('exits 0 with drained clean:true as soon as the target reports drained', async () => {
    const { lines, exits, target, controller } = harness(5000);
    controller.trigger('SIGINT');
    expect(target.began).toBe(1);
    await new Promise((r) => setTimeout(r, 30));
    expect(exits).toEqual([]);
    target.drained = true;
    target.onProgress?.();
    await waitUntil(() => exits.length > 0, 2000, 'exit');
    expect(exits).toEqual([0]);
    expect(target.reports).toBe(1);
    expect(lines.map((l) => l.event)).toEqual(['shutdown', 'drained']);
    expect(lines[0]).toMatchObject({ signal: 'SIGINT' });
    expect(lines[1]).toMatchObject({ clean: true, elapsedMs: expect.any(Number) });
  });

  it('forces exit 1 with clean:false at the deadline', async () => {
    const { lines, exits, controller } = harness(50);
    controller.trigger('SIGTERM');
    await waitUntil(() => exits.length > 0, 2000, 'exit');
    expect(exits).toEqual([1]);
    expect(lines.at(-1)).toMatchObject({ event: 'drained', clean: false });
    expect(lines.at(-1)?.elapsedMs).toBeGreaterThanOrEqual(45);
  });

  it('forces exit 1 at once on a second signal', async () => {
    const { lines, exits, controller } = harness(5000);
    controller.trigger('SIGINT');
    controller.trigger('SIGINT');
    await waitUntil(() => exits.length > 0, 2000, 'exit');
    expect(exits).toEqual([1]);
    expect(lines.filter((l) => l.event === 'drained')).toHaveLength(1);
    expect(controller.state).toBe('done');
  });
});
