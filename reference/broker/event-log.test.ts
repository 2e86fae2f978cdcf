import { describe, expect, it } from 'vitest';
import { CONGESTION_BYTES, EventLog, FLUSH_BYTES } from './event-log.ts';
import { waitUntil } from './test-support.ts';

describe('EventLog', () => {
  it('batches the lines of one event-loop turn into a single write', async () => {
    const writes: string[] = [];
    const log = new EventLog((text) => writes.push(text));
    log.event('connection', { station: 'gs-1@127.0.0.1:1' });
    log.event('closed', { station: 'gs-1@127.0.0.1:1', reason: undefined });
    expect(writes).toHaveLength(0);
    await waitUntil(() => writes.length > 0, 1000, 'flush');
    expect(writes).toHaveLength(1);
    const lines = writes[0]!
      .trimEnd()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines[0]).toMatchObject({ event: 'connection', station: 'gs-1@127.0.0.1:1' });
    expect(lines[1]).toEqual({ event: 'closed', station: 'gs-1@127.0.0.1:1', ts: expect.stringMatching(/^\d{4}-\d\d-\d\dT.*Z$/) });
  });

  it('writes at once when the batch passes the size threshold, and flush empties it', () => {
    const writes: string[] = [];
    const log = new EventLog((text) => writes.push(text));
    const line = `{"event":"frame","pad":"${'x'.repeat(1000)}"}\n`;
    for (let i = 0; i * line.length < FLUSH_BYTES; i++) log.raw(line);
    expect(writes).toHaveLength(1);
    log.raw(line);
    log.flush();
    expect(writes).toHaveLength(2);
    expect(writes.join('').split('\n').filter(Boolean).length).toBe(Math.ceil(FLUSH_BYTES / line.length) + 1);
  });

  it('survives a sink that throws (EPIPE) by discarding later lines', () => {
    const log = new EventLog(() => {
      throw new Error('EPIPE');
    });
    log.event('listening', { addr: 'x' });
    expect(() => log.flush()).not.toThrow();
  });
});

describe('EventLog congestion', () => {
  it('reports congestion while the sink queue is above the threshold, and relief when it drains', () => {
    let backlog = 0;
    let drained: (() => void) | null = null;
    const log = new EventLog({
      write(text, done) {
        backlog += text.length;
        done?.();
      },
      backlog: () => backlog,
      onceDrained(fn) {
        drained = fn;
      },
    });
    const states: boolean[] = [];
    log.onCongestion = (c) => states.push(c);
    const line = `{"event":"frame","pad":"${'y'.repeat(500)}"}\n`;
    for (let i = 0; i < (CONGESTION_BYTES / line.length) * 1.5; i++) log.raw(line);
    expect(states).toEqual([true]);
    expect(log.congested).toBe(true);
    backlog = 0;
    (drained as unknown as () => void)();
    expect(states).toEqual([true, false]);
    expect(log.congested).toBe(false);
  });

  it('close() resolves after everything queued before it is out', async () => {
    const writes: string[] = [];
    const log = new EventLog((text) => writes.push(text));
    log.event('drained', { clean: true, elapsedMs: 1 });
    await log.close();
    expect(writes.join('')).toContain('"drained"');
  });
});
