#!/usr/bin/env -S npx tsx
/**
 * Where the wall time of a grade goes: runs each check of a candidate alone (one at a time, so the figures
 * do not mix) and prints, per check, its wall time, the CPU it cost (the kit's own process and the
 * candidate's processes, reaped children included) and its idle share — the part of the wall time in
 * which neither used a core. A check with a high idle share waits (a fixed scenario, a drain bound) and
 * can overlap other checks without disturbing them; one with a low idle share competes for the cores.
 *
 *   npx tsx scripts/profile-grade.ts [--candidate reference/broker/manifest.json] [--only id,...] [--runs 1] [--seed N]
 *
 * CPU of the candidate is sampled from /proc every 100 ms over the kit's descendant processes (the kit's
 * CPU includes that sampling: a few ms per second). Wall time on a shared machine
 * also holds other people's load: read the CPU and the idle share, not only the wall time.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { loadCandidate } from '../harness/candidate/candidate.ts';
import { buildCandidate } from '../harness/candidate/build.ts';
import { ROOT } from '../harness/common/root.ts';
import { runCheck } from '../harness/checks/runner.ts';
import { replayCommand } from '../harness/grading/replay.ts';
import { selectChecks } from '../harness/grading/select-checks.ts';
import { killAll } from '../harness/process/supervisor.ts';
import { SUITES } from '../cli/suites.ts';

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

/** The clock ticks of /proc (USER_HZ): 100 on every Linux this kit runs on. */
const TICK_MS = 10;

/** utime + stime (ms) and parent of every process, from /proc/<pid>/stat. */
function processTable(): Map<number, { ppid: number; cpuMs: number; start: string }> {
  const table = new Map<number, { ppid: number; cpuMs: number; start: string }>();
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      // After the command name: state is field 3, so ppid (4) is at 1, utime (14) and stime (15) at 11 and 12, starttime (22) at 19.
      const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      table.set(Number(name), { ppid: Number(f[1]), cpuMs: (Number(f[11]) + Number(f[12])) * TICK_MS, start: f[19] ?? '' });
    } catch {
      // gone meanwhile
    }
  }
  return table;
}

/**
 * CPU of the kit's descendant processes (the candidate under its sandbox), sampled every `everyMs`: a
 * process killed by its namespace is reaped there, not by the kit, so /proc/self/stat's cutime misses it.
 * A process that lives less than one sample is missed (the start-up of a short shell).
 */
function sampleDescendants(everyMs: number): { stop(): number } {
  const seen = new Map<string, number>();
  const sample = (): void => {
    const table = processTable();
    const mine = new Set<number>([process.pid]);
    let grew = true;
    while (grew) {
      grew = false;
      for (const [pid, p] of table)
        if (!mine.has(pid) && mine.has(p.ppid)) {
          mine.add(pid);
          grew = true;
        }
    }
    for (const pid of mine) {
      if (pid === process.pid) continue;
      const p = table.get(pid)!;
      const key = `${pid}:${p.start}`;
      seen.set(key, Math.max(seen.get(key) ?? 0, p.cpuMs));
    }
  };
  sample();
  const base = new Map(seen);
  const timer = setInterval(sample, everyMs);
  return {
    stop(): number {
      clearInterval(timer);
      sample();
      let total = 0;
      for (const [key, ms] of seen) total += ms - (base.get(key) ?? 0);
      return total;
    },
  };
}

function kitCpuMs(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
}

interface Row {
  id: string;
  heavy: boolean;
  verdict: string;
  wallMs: number;
  kitCpuMs: number;
  candidateCpuMs: number;
}

async function main(): Promise<void> {
  const path = arg('candidate') ?? join(ROOT, 'reference/broker/manifest.json');
  const runs = Number(arg('runs') ?? 1);
  const seed = Number(arg('seed') ?? 1);
  const only = arg('only')?.split(',');
  const candidate = await loadCandidate(path);
  const buildStarted = performance.now();
  const build = await buildCandidate(candidate);
  const buildMs = performance.now() - buildStarted;
  const checks = selectChecks([...SUITES[candidate.manifest.system]], only, { lenient: false });
  const rows: Row[] = [];
  for (let run = 0; run < runs; run++) {
    for (const check of checks) {
      const kit0 = kitCpuMs();
      const children = sampleDescendants(100);
      const t0 = performance.now();
      const result = await runCheck(check, { candidate, seed: seed + run, replay: (id) => replayCommand(candidate, id, seed + run) });
      await killAll();
      const wallMs = performance.now() - t0;
      const candidateCpuMs = children.stop();
      rows.push({
        id: check.id,
        heavy: check.heavy ?? false,
        verdict: result.verdict,
        wallMs,
        kitCpuMs: kitCpuMs() - kit0,
        candidateCpuMs,
      });
    }
  }
  const byId = new Map<string, Row[]>();
  for (const r of rows) byId.set(r.id, [...(byId.get(r.id) ?? []), r]);
  const width = Math.max(...checks.map((c) => c.id.length));
  const out: string[] = [];
  out.push(
    `profile: ${candidate.manifest.name}, ${checks.length} checks × ${runs} run(s), each alone; build ${(buildMs / 1000).toFixed(1)} s${build.ran ? '' : ' (nothing to build)'}; load average ${readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ')}`,
  );
  out.push(`${'check'.padEnd(width)}  verdicts          wall s   kit cpu s   cand cpu s   idle share`);
  let wall = 0;
  let cpu = 0;
  let idleWall = 0;
  for (const [id, list] of byId) {
    const mean = (f: (r: Row) => number): number => list.reduce((a, r) => a + f(r), 0) / list.length;
    const w = mean((r) => r.wallMs);
    const k = mean((r) => r.kitCpuMs);
    const c = mean((r) => r.candidateCpuMs);
    const idle = Math.max(0, 1 - (k + c) / w);
    wall += w;
    cpu += k + c;
    idleWall += idle * w;
    const counts: Record<string, number> = {};
    for (const r of list) counts[r.verdict] = (counts[r.verdict] ?? 0) + 1;
    const verdicts = Object.entries(counts)
      .map(([v, n]) => `${v}×${n}`)
      .join(' ');
    out.push(
      `${id.padEnd(width)}  ${verdicts.padEnd(15)}  ${(w / 1000).toFixed(2).padStart(6)}   ${(k / 1000).toFixed(2).padStart(9)}   ${(c / 1000).toFixed(2).padStart(10)}   ${(idle * 100).toFixed(0).padStart(9)}%${list[0]?.heavy ? '  heavy' : ''}`,
    );
  }
  out.push(
    `one grade, serial: wall ${(wall / 1000).toFixed(1)} s, CPU ${(cpu / 1000).toFixed(1)} s (${((cpu / wall) * 100).toFixed(0)}% of one core); idle ${(idleWall / 1000).toFixed(1)} s of it`,
  );
  out.push(
    `floor on 2 cores for one grade: max(longest check ${(Math.max(...[...byId.values()].map((l) => l.reduce((a, r) => a + r.wallMs, 0) / l.length)) / 1000).toFixed(1)} s, CPU/2 ${(cpu / 2000).toFixed(1)} s)`,
  );
  process.stdout.write(`${out.join('\n')}\n`);
  await killAll();
}

await main();
