import { describe, expect, it } from 'vitest';
import { LogBuffer } from './log-buffer.ts';

describe('LogBuffer timestamps', () => {
  it('stamps every line of a chunk with the chunk arrival time, not after the listeners ran on earlier lines', () => {
    let now = 0;
    const buffer = new LogBuffer(10, () => now);
    const seen: number[] = [];
    buffer.onLine((line) => {
      seen.push(line.atMs);
      now += 5; // a listener that takes 5 ms per line (parsing, matching)
    });
    buffer.push('stdout', Buffer.from('a\nb\nc\n'));
    now = 100;
    buffer.push('stdout', Buffer.from('d\n'));
    expect(seen).toEqual([0, 0, 0, 100]);
  });
});
