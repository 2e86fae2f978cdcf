import { readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';

/** True while process `pid` exists (EPERM: it exists but belongs to another user). */
export function isProcessAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Removes the entries of `parent` that a kit process which is gone left behind: names matching `pattern`,
 * whose first capture group is the owning pid (a SIGKILLed kit never runs its exit hooks).
 */
export function sweepDeadOwners(parent: string, pattern: RegExp): void {
  let names: string[];
  try {
    names = readdirSync(parent);
  } catch {
    return;
  }
  for (const name of names) {
    const pid = Number(pattern.exec(name)?.[1]);
    if (!pid || pid === process.pid || isProcessAlive(pid)) continue;
    rmSync(join(parent, name), { recursive: true, force: true });
  }
}
