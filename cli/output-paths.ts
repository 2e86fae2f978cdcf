import { accessSync, constants, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { UsageError } from '../harness/grading/select-checks.ts';

/** One report the user asked for: the flag that named it and its path. */
export interface OutputPath {
  flag: string;
  path: string;
}

/** The closest existing ancestor of a path (the folder `mkdir -p` would start from). */
function existingAncestor(path: string): string {
  let dir = path;
  for (;;) {
    try {
      statSync(dir);
      return dir;
    } catch {
      const up = dirname(dir);
      if (up === dir) return dir;
      dir = up;
    }
  }
}

/**
 * Checks every report path before any check runs, so a grade never ends in a stack trace after the work is
 * done: a path that is a folder, cannot be created or written, or is named by two flags is a UsageError
 * (BAD_OUTPUT, exit 2, one line). Nothing is created here.
 */
export function validateOutputs(outputs: readonly OutputPath[]): void {
  const seen = new Map<string, string>();
  for (const { flag, path } of outputs) {
    const full = resolve(path);
    const other = seen.get(full);
    if (other) throw new UsageError('BAD_OUTPUT', `${other} and ${flag} both name ${path}: give each report its own file`);
    seen.set(full, flag);
    let isDir = false;
    let exists = false;
    try {
      isDir = statSync(full).isDirectory();
      exists = true;
    } catch {
      /* not there yet */
    }
    if (isDir) throw new UsageError('BAD_OUTPUT', `${flag} ${path} is a folder: name a file`);
    const target = exists ? full : existingAncestor(dirname(full));
    try {
      if (!exists && !statSync(target).isDirectory()) throw new UsageError('BAD_OUTPUT', `${flag} ${path}: ${target} is not a folder`);
      accessSync(target, constants.W_OK | (exists ? 0 : constants.X_OK));
    } catch (error) {
      if (error instanceof UsageError) throw error;
      throw new UsageError(
        'BAD_OUTPUT',
        `${flag} ${path} cannot be written (${(error as NodeJS.ErrnoException).code ?? 'no access'} on ${target})`,
      );
    }
  }
}

/** Checks a folder the run will write into (the runs folder): an existing file there, or no write access, is BAD_OUTPUT. */
export function validateFolder(flag: string, path: string): void {
  const full = resolve(path);
  let exists = false;
  try {
    if (!statSync(full).isDirectory()) throw new UsageError('BAD_OUTPUT', `${flag} ${path} is a file: name a folder`);
    exists = true;
  } catch (error) {
    if (error instanceof UsageError) throw error;
  }
  const target = exists ? full : existingAncestor(dirname(full));
  try {
    if (!statSync(target).isDirectory()) throw new UsageError('BAD_OUTPUT', `${flag} ${path}: ${target} is not a folder`);
    accessSync(target, constants.W_OK | constants.X_OK);
  } catch (error) {
    if (error instanceof UsageError) throw error;
    throw new UsageError(
      'BAD_OUTPUT',
      `${flag} ${path} cannot be written (${(error as NodeJS.ErrnoException).code ?? 'no access'} on ${target})`,
    );
  }
}
