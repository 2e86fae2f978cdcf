import { watch } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { UsageError } from '../harness/grading/select-checks.ts';
import type { GradeOptions } from './grade.ts';
import { grade } from './grade.ts';

const IGNORED = /(^|\/)(\.git|\.meridian|node_modules|target|__pycache__|dist|build)(\/|$)/;

/** The ids to run next: the ones that did not pass last time first, then the rest, in their usual order. */
export function failingFirst(last: ReadonlyArray<{ id: string; verdict: string }>): string[] {
  const bad = last.filter((c) => c.verdict !== 'PASS' && c.verdict !== 'ADVISORY').map((c) => c.id);
  return [...bad, ...last.map((c) => c.id).filter((id) => !bad.includes(id))];
}

/**
 * `grade --watch`: grades the one candidate, then again whenever a file in its folder changes (debounced;
 * build output and VCS folders ignored), running the checks that failed last time first. Runs until Ctrl-C.
 */
export async function watchGrade(options: GradeOptions, signal?: AbortSignal): Promise<number> {
  if (options.candidates.length !== 1) throw new UsageError('BAD_ARGUMENT', '--watch grades one --candidate');
  const dir = dirname(resolve(options.candidates[0] as string));
  let order: string[] | undefined = options.only;
  let pending = true;
  let wake: (() => void) | undefined;
  const watcher = watch(dir, { recursive: true }, (_event, file) => {
    if (file && IGNORED.test(String(file))) return;
    pending = true;
    wake?.();
  });
  signal?.addEventListener('abort', () => wake?.());
  let code = 0;
  try {
    while (!signal?.aborted) {
      if (!pending) await new Promise<void>((resolveWake) => (wake = resolveWake));
      if (signal?.aborted) break;
      await new Promise((r) => setTimeout(r, 300)); // let an editor finish saving
      pending = false;
      options.err(`\n[watch] grading ${options.candidates[0]}${order && order !== options.only ? ' (last failing checks first)' : ''}`);
      let last: Array<{ id: string; verdict: string }> = [];
      code = await grade({
        ...options,
        ...(order ? { only: order } : {}),
        onReport: (r) => {
          last = r.candidates.flatMap((c) => c.checks);
          options.onReport?.(r);
        },
      });
      if (last.length > 0) order = failingFirst(last);
      options.err(`[watch] exit ${code}; waiting for changes in ${dir} (Ctrl-C to stop)`);
    }
    return code;
  } finally {
    watcher.close();
  }
}
