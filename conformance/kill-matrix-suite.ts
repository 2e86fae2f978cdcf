import { afterAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { SystemName } from '../harness/candidate/manifest.ts';
import type { CheckResult } from '../harness/checks/check.ts';
import { gradeCandidate, type GradeCandidateOptions } from '../harness/grading/grade-candidate.ts';
import { SUITES } from './systems.ts';
import { killAll, liveCount } from '../harness/process/supervisor.ts';
import type { CandidateReport } from '../harness/report/report.ts';
import { ROOT, killMatrix, type MatrixEntry } from './kill-matrix.ts';

export const KILL_MATRIX_SEED = 20261122;

export interface KillMatrixOptions {
  /** Per-test deadline for a full grade. */
  timeoutMs: number;
  /** Extra assertions on the reference's full report (figures a system must report). */
  onReference?: (report: CandidateReport) => void;
  /** Extra assertions on each expected FAIL (evidence a system must carry). */
  onFailure?: (check: CheckResult) => void;
  /**
   * Checks whose verdict depends on the machine's load (rates, bounds judged against a CPU monitor that
   * answers UNKNOWN when starved). A killer of any of them, and every heavy check, is graded alone; the
   * other killers are graded two at a time. Default: none besides the heavy checks.
   */
  loadSensitive?: readonly string[];
}

/** Killers graded at once when none of their checks is load-sensitive (2 cores). */
const KILLER_SLOTS = 2;

/**
 * The hostile-* fixtures attack the grader (daemons, fork bombs, memory hogs, a build that never ends):
 * cli/hostile.test.ts proves the grader survives them. They are not implementations to judge, so they are
 * neither killers nor correct candidates here.
 */
const isHostileFixture = (name: string): boolean => name.startsWith('hostile-');

type Outcome = { report: CandidateReport } | { error: unknown };

/** Starts `tasks` with at most `width` at a time, in order; each promise settles with its outcome (never rejects). */
function startPool(tasks: ReadonlyArray<() => Promise<CandidateReport>>, width: number): Promise<Outcome>[] {
  const settle: Array<(o: Outcome) => void> = [];
  const outcomes = tasks.map(() => new Promise<Outcome>((resolve) => settle.push(resolve)));
  let next = 0;
  const lane = async (): Promise<void> => {
    while (next < tasks.length) {
      const i = next++;
      try {
        settle[i]!({ report: await tasks[i]!() });
      } catch (error) {
        settle[i]!({ error });
      }
    }
  };
  for (let i = 0; i < Math.min(width, tasks.length); i++) void lane();
  return outcomes;
}

const reportOf = (outcome: Outcome): CandidateReport => {
  if ('error' in outcome) throw outcome.error;
  return outcome.report;
};

// The CLI's default slots: a heavy check takes two, so two light (mostly idle) checks run beside it.
const options = (only?: string[]): GradeCandidateOptions => ({ suites: SUITES, seed: KILL_MATRIX_SEED, only, strict: false, parallel: 4 });

/**
 * Gating checks that did not pass. A heavy or load-sensitive check may say UNKNOWN when the machine, not the
 * candidate, limited the run (the kit could not send at the seed rate, its log intake was starved): that is
 * no blame, so it is reported on the console but not counted; every other verdict must be PASS.
 */
function notPassing(checks: readonly CheckResult[], loadSensitive: ReadonlySet<string>): string[] {
  const environmentLimited = checks.filter((c) => c.verdict === 'UNKNOWN' && loadSensitive.has(c.id));
  for (const c of environmentLimited)
    console.warn(`[kill-matrix] ${c.id} UNKNOWN (environment-limited, not counted): ${c.evidence.summary}`);
  return checks
    .filter((c) => c.level !== 'advisory' && c.verdict !== 'PASS' && !environmentLimited.includes(c))
    .map((c) => `${c.id}: ${c.verdict} ${c.evidence.summary}`);
}

/**
 * The proof that a system's checks can fail and never blame a correct implementation, driven by the
 * `expect` blocks of fixtures/candidates/*\/manifest.json: the reference and every correct foreign candidate
 * pass every gating check; every broken candidate fails the checks it names, with evidence and a replay
 * command; every gating check has a killer, and one killer is not written in TypeScript.
 */
export function describeKillMatrix(system: SystemName, opts: KillMatrixOptions): void {
  const suite = SUITES[system];
  const matrix = killMatrix(system).filter((m) => !isHostileFixture(m.name));
  const sensitive = new Set([...(opts.loadSensitive ?? []), ...suite.filter((c) => c.heavy).map((c) => c.id)]);
  const alone = (ids: readonly string[]): boolean => ids.some((id) => sensitive.has(id));
  // Killers of opt-in checks (gossip.scale-1000: 1,000 nodes, minutes) run with MERIDIAN_SLOW_TESTS=1 only,
  // to keep `npm test` within its budget; the declaration that they exist is still checked below.
  const optIn = new Set(suite.filter((c) => c.optIn !== undefined).map((c) => c.id));
  const slowOnly = (m: MatrixEntry): boolean => m.fail.every((id) => optIn.has(id));
  const runSlow = process.env.MERIDIAN_SLOW_TESTS === '1';
  const broken = matrix.filter((m) => m.fail.length > 0);
  const correct = matrix.filter((m) => m.fail.length === 0 && m.flaky.length === 0 && m.advisory.length === 0);
  const advisories = matrix.filter((m) => m.advisory.length > 0);

  afterAll(async () => {
    await killAll();
  });

  describe(`${system} kill matrix`, () => {
    it('has a killer for every gating check and fixture, names only known checks, and one killer is not TypeScript', () => {
      const killed = new Set(broken.flatMap((m) => m.fail));
      expect(
        suite
          .filter((c) => c.level !== 'advisory')
          .map((c) => c.id)
          .filter((id) => !killed.has(id)),
      ).toEqual([]);
      const known = new Set(suite.map((c) => c.id));
      expect([...killed].filter((id) => !known.has(id))).toEqual([]);
      const advised = new Set(advisories.flatMap((m) => m.advisory));
      expect(
        suite
          .filter((c) => c.level === 'advisory')
          .map((c) => c.id)
          .filter((id) => !advised.has(id)),
      ).toEqual([]);
      const foreign = broken.filter(
        (m) => !(JSON.parse(readFileSync(m.manifestPath, 'utf8')) as { command: string[] }).command.includes('tsx'),
      );
      expect(foreign.length).toBeGreaterThan(0);
    });

    it(
      `grades the reference ${system}: every gating check PASS, no process left behind`,
      async () => {
        const report = await gradeCandidate(join(ROOT, `reference/${system}/manifest.json`), options());
        expect(notPassing(report.checks, sensitive)).toEqual([]);
        expect(report.checks.map((c) => c.id)).toEqual(expect.arrayContaining(suite.filter((c) => c.optIn === undefined).map((c) => c.id)));
        expect(report.checks.filter((c) => c.verdict === 'FAIL' || c.verdict === 'ERROR')).toEqual([]);
        opts.onReference?.(report);
        expect(liveCount()).toBe(0);
      },
      opts.timeoutMs,
    );

    for (const entry of correct) {
      it(
        `passes the correct foreign candidate ${entry.name} on every gating check (no false blame)`,
        async () => {
          const report = await gradeCandidate(entry.manifestPath, options());
          expect(notPassing(report.checks, sensitive)).toEqual([]);
          expect(liveCount()).toBe(0);
        },
        opts.timeoutMs,
      );
    }

    const expectFailures = (entry: MatrixEntry, report: CandidateReport): void => {
      for (const id of entry.fail) {
        const check = report.checks.find((c) => c.id === id);
        expect(check?.verdict, `${entry.name} on ${id}: ${check?.evidence.summary}`).toBe('FAIL');
        expect(check?.evidence.summary.length).toBeGreaterThan(10);
        expect(check?.replay).toContain(`--only ${id} --seed ${KILL_MATRIX_SEED}`);
        if (check) opts.onFailure?.(check);
      }
      expect(report.ok).toBe(false);
    };
    const expectFindings = (entry: MatrixEntry, report: CandidateReport): void => {
      for (const id of entry.advisory) {
        const check = report.checks.find((c) => c.id === id);
        expect(check?.verdict).toBe('ADVISORY');
        expect(Number(check?.evidence.metrics?.findings)).toBeGreaterThan(0);
      }
    };

    // Killers of load-sensitive checks: one grade at a time, nothing else of this file running.
    for (const entry of broken.filter((m) => alone(m.fail))) {
      it.skipIf(slowOnly(entry) && !runSlow)(
        `${entry.name} fails ${entry.fail.join(', ')} with evidence and a replay command (graded alone: load-sensitive)`,
        async () => {
          expectFailures(entry, await gradeCandidate(entry.manifestPath, options(entry.fail)));
          expect(liveCount()).toBe(0);
        },
        opts.timeoutMs,
      );
    }

    // The others (each graded on its expected checks only) in KILLER_SLOTS lanes, started by the first of
    // their tests; each test awaits its own grade, which began no earlier than the one before it.
    const pooled: Array<{ entry: MatrixEntry; kind: 'fail' | 'advisory' }> = [
      ...broken.filter((m) => !alone(m.fail) && (runSlow || !slowOnly(m))).map((entry) => ({ entry, kind: 'fail' as const })),
      ...advisories.map((entry) => ({ entry, kind: 'advisory' as const })),
    ];
    let outcomes: Promise<Outcome>[] | undefined;
    const outcome = (i: number): Promise<Outcome> => {
      outcomes ??= startPool(
        pooled.map(
          ({ entry, kind }) =>
            () =>
              gradeCandidate(entry.manifestPath, options(kind === 'fail' ? entry.fail : entry.advisory)),
        ),
        KILLER_SLOTS,
      );
      return outcomes[i]!;
    };
    pooled.forEach(({ entry, kind }, i) => {
      if (kind === 'fail') {
        it(
          `${entry.name} fails ${entry.fail.join(', ')} with evidence and a replay command`,
          async () => {
            expectFailures(entry, reportOf(await outcome(i)));
          },
          opts.timeoutMs,
        );
      } else {
        it(
          `${entry.name} yields findings on ${entry.advisory.join(', ')} (advisory, never PASS/FAIL)`,
          async () => {
            expectFindings(entry, reportOf(await outcome(i)));
          },
          opts.timeoutMs,
        );
      }
    });
    if (pooled.length > 0) {
      it(
        'leaves no process behind once the killers graded side by side are done',
        async () => {
          await Promise.all(pooled.map((_, i) => outcome(i)));
          expect(liveCount()).toBe(0);
        },
        opts.timeoutMs,
      );
    }
  });
}
