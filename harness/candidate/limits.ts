/**
 * Resource limits for every process the kit starts for a candidate (manifest field `limits`).
 * The defaults are far above what honest code needs; a candidate that reaches one is stopped and the
 * verdict names the limit and its value.
 *
 * ```json
 * "limits": { "memoryMiB": 1024, "processes": 256, "fileSizeMiB": 256, "buildTimeoutS": 900 }
 * ```
 *
 * @module
 */

/** Limits applied to one candidate process (its whole tree). */
export interface Limits {
  /** Memory of the process tree (cgroup), bytes. Default 1 GiB. */
  memoryBytes: number;
  /** Processes and threads of the process tree (cgroup pids). Default 256. */
  processes: number;
  /** Largest file it may write (RLIMIT_FSIZE), bytes. Default 256 MiB. */
  fileSizeBytes: number;
  /** Deadline of the manifest's `build`, ms. Default 15 min. */
  buildTimeoutMs: number;
}

export const DEFAULT_LIMITS: Readonly<Limits> = Object.freeze({
  memoryBytes: 1024 * 1024 * 1024,
  processes: 256,
  fileSizeBytes: 256 * 1024 * 1024,
  buildTimeoutMs: 15 * 60_000,
});

const MIB = 1024 * 1024;

/** Keys of the manifest's `limits` object, with their unit and allowed range. */
const FIELDS = {
  memoryMiB: { min: 32, max: 64 * 1024, to: (v: number) => ({ memoryBytes: v * MIB }) },
  processes: { min: 8, max: 65_536, to: (v: number) => ({ processes: v }) },
  fileSizeMiB: { min: 1, max: 64 * 1024, to: (v: number) => ({ fileSizeBytes: v * MIB }) },
  buildTimeoutS: { min: 1, max: 6 * 3600, to: (v: number) => ({ buildTimeoutMs: v * 1000 }) },
} as const;

/** A problem with the `limits` field: `field` is its path, e.g. `limits.memoryMiB`. */
export interface LimitsProblem {
  field: string;
  expected: string;
  got: unknown;
}

/** Parses the manifest's `limits` (undefined → defaults); returns the problem instead of throwing. */
export function parseLimits(raw: unknown): Limits | LimitsProblem {
  const limits: Limits = { ...DEFAULT_LIMITS };
  if (raw === undefined) return limits;
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw))
    return { field: 'limits', expected: `an object with ${Object.keys(FIELDS).join(', ')}`, got: raw };
  for (const [key, value] of Object.entries(raw)) {
    const spec = FIELDS[key as keyof typeof FIELDS];
    if (!spec) return { field: `limits.${key}`, expected: `one of ${Object.keys(FIELDS).join(', ')}`, got: value };
    if (typeof value !== 'number' || !Number.isInteger(value) || value < spec.min || value > spec.max) {
      return { field: `limits.${key}`, expected: `an integer from ${spec.min} to ${spec.max}`, got: value };
    }
    Object.assign(limits, spec.to(value));
  }
  return limits;
}

export function isLimitsProblem(value: Limits | LimitsProblem): value is LimitsProblem {
  return 'field' in value;
}

/** "1 GiB", "256 MiB", "1.5 KiB". */
export function formatBytes(bytes: number): string {
  for (const [unit, size] of [
    ['GiB', 1024 ** 3],
    ['MiB', 1024 ** 2],
    ['KiB', 1024],
  ] as const) {
    if (bytes >= size) return `${Number((bytes / size).toFixed(1))} ${unit}`;
  }
  return `${bytes} B`;
}
