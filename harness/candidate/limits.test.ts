import { describe, expect, it } from 'vitest';
import { DEFAULT_LIMITS, formatBytes, isLimitsProblem, parseLimits } from './limits.ts';
import { ManifestError, parseManifest } from './manifest.ts';

describe('limits', () => {
  it('defaults to 1 GiB, 256 processes, 256 MiB files and a 15 min build', () => {
    expect(parseLimits(undefined)).toEqual({
      memoryBytes: 1024 ** 3,
      processes: 256,
      fileSizeBytes: 256 * 1024 ** 2,
      buildTimeoutMs: 900_000,
    });
    expect(formatBytes(DEFAULT_LIMITS.memoryBytes)).toBe('1 GiB');
  });

  it('reads each field in its unit', () => {
    expect(parseLimits({ memoryMiB: 128, processes: 64, fileSizeMiB: 8, buildTimeoutS: 60 })).toEqual({
      memoryBytes: 128 * 1024 ** 2,
      processes: 64,
      fileSizeBytes: 8 * 1024 ** 2,
      buildTimeoutMs: 60_000,
    });
  });

  it('names the bad field: unknown key, wrong type, out of range', () => {
    for (const [raw, field] of [
      [{ memory: 1 }, 'limits.memory'],
      [{ processes: '64' }, 'limits.processes'],
      [{ memoryMiB: 1 }, 'limits.memoryMiB'],
      [[1], 'limits'],
    ] as const) {
      const parsed = parseLimits(raw);
      expect(isLimitsProblem(parsed) && parsed.field).toBe(field);
    }
  });

  it('is a manifest field: parsed with defaults, errors as MANIFEST_INVALID', () => {
    const base = { system: 'broker', name: 'x', command: ['true'] };
    expect(parseManifest(base).limits).toEqual(DEFAULT_LIMITS);
    expect(parseManifest({ ...base, limits: { processes: 100 } }).limits.processes).toBe(100);
    expect(() => parseManifest({ ...base, limits: { processes: 1 } })).toThrow(ManifestError);
  });
});
