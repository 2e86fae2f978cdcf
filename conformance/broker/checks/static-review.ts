import { readdir, readFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { advisory, notTestable, type CheckDefinition, type CheckContext, type CheckOutcome } from '../../../harness/checks/check.ts';

interface Finding {
  file: string;
  line: number;
  text: string;
  why: string;
}

const SKIP = new Set(['target', 'node_modules', '.git', 'dist', 'build', '__pycache__']);

async function rustFiles(dir: string, out: string[] = []): Promise<string[]> {
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    if (SKIP.has(entry.name)) continue;
    const path = join(dir, entry.name);
    if (entry.isDirectory()) await rustFiles(path, out);
    else if (entry.name.endsWith('.rs') && out.length < 2000) out.push(path);
  }
  return out;
}

/** Lines of production code (test modules skipped) with their numbers. */
function productionLines(text: string): Array<[number, string]> {
  const lines = text.split('\n');
  const testModule = lines.findIndex((l) => /#\[cfg\(test\)\]/.test(l));
  const end = testModule < 0 ? lines.length : testModule;
  return lines
    .slice(0, end)
    .map((l, i) => [i + 1, l] as [number, string])
    .filter(([, l]) => !/^\s*\/\//.test(l));
}

const UNWRAP_RULES: Array<[RegExp, string]> = [
  [/\.await\s*\.\s*(unwrap|expect)\s*\(/, 'unwrap/expect on an awaited result (JoinHandle or channel)'],
  [
    /\.(send|try_send|recv|try_recv|blocking_send|blocking_recv)\s*\([^)]*\)\s*(\.await)?\s*\.\s*(unwrap|expect)\s*\(/,
    'unwrap/expect on a channel send/receive',
  ],
  [/\bjoin\s*\(\s*\)\s*\.\s*unwrap\s*\(/, 'unwrap on a thread join'],
];

const BLOCKING_RULES: Array<[RegExp, string]> = [
  [/\bstd::fs::|\bfs::(read|write|File::open|File::create)\b/, 'synchronous file I/O'],
  [/\bstd::thread::sleep\b|\bthread::sleep\s*\(/, 'thread::sleep blocks the async worker'],
  [/\bstd::io::stdin\(\)|\.read_line\s*\(/, 'blocking stdin read'],
  [/\b(ciborium::(de::)?from_reader|serde_cbor::from_slice|serde_json::from_(slice|reader|str))\b/, 'CPU-heavy decoding on the async path'],
];

/** Finds rule matches inside `async fn` bodies (approximated by brace depth) that are not inside spawn_blocking. */
function scanAsyncBodies(file: string, text: string, rules: Array<[RegExp, string]>): Finding[] {
  const findings: Finding[] = [];
  let asyncDepth = -1;
  let blockingDepth = -1;
  let depth = 0;
  for (const [n, line] of productionLines(text)) {
    if (asyncDepth < 0 && /\basync\s+(move\s+)?(fn\b|\{)/.test(line)) asyncDepth = depth;
    if (blockingDepth < 0 && /spawn_blocking\s*\(/.test(line)) blockingDepth = depth;
    if (asyncDepth >= 0 && blockingDepth < 0) {
      for (const [re, why] of rules) if (re.test(line)) findings.push({ file, line: n, text: line.trim(), why });
    }
    for (const ch of line) {
      if (ch === '{') depth++;
      else if (ch === '}') {
        depth--;
        if (depth <= asyncDepth) asyncDepth = -1;
        if (depth <= blockingDepth) blockingDepth = -1;
      }
    }
  }
  return findings;
}

async function review(ctx: CheckContext, scan: (file: string, text: string) => Finding[], clean: string): Promise<CheckOutcome> {
  const dir = ctx.candidate.sourceDir;
  if (!dir) return notTestable('the manifest names no source folder: add "source": "path/to/src" for this code-review criterion');
  const files = await rustFiles(dir);
  if (files.length === 0) return notTestable(`no Rust (.rs) files under ${dir}: this criterion reviews Rust sources only`);
  const findings: Finding[] = [];
  for (const file of files) findings.push(...scan(relative(dir, file), await readFile(file, 'utf8')));
  if (findings.length === 0)
    return advisory(`${clean} (${files.length} files scanned; a static scan, not a proof)`, {
      metrics: { files: files.length, findings: 0 },
    });
  return advisory(
    `${findings.length} finding${findings.length > 1 ? 's' : ''} in ${new Set(findings.map((f) => f.file)).size} file(s): first ${findings[0]?.file}:${findings[0]?.line} ${findings[0]?.why}`,
    {
      observed: findings.slice(0, 20).map((f) => `${f.file}:${f.line}: ${f.why}: ${f.text}`),
      metrics: { files: files.length, findings: findings.length },
    },
  );
}

export const noUnwrap: CheckDefinition = {
  id: 'broker.6-no-unwrap',
  system: 'broker',
  level: 'advisory',
  title: 'No unwrap on JoinHandle or channel results',
  criterion:
    'Production paths do not .unwrap()/.expect() JoinHandle awaits or channel send/receive results (code review: reported as findings, never PASS/FAIL).',
  timeoutMs: 30_000,
  run: (ctx) =>
    review(
      ctx,
      (file, text) =>
        productionLines(text).flatMap(([n, line]) =>
          UNWRAP_RULES.filter(([re]) => re.test(line)).map(([, why]) => ({ file, line: n, text: line.trim(), why })),
        ),
      'no unwrap/expect on JoinHandle or channel results found',
    ),
};

export const spawnBlocking: CheckDefinition = {
  id: 'broker.7-spawn-blocking',
  system: 'broker',
  level: 'advisory',
  title: 'Blocking work goes through spawn_blocking',
  criterion:
    'Synchronous I/O and CPU-heavy frame processing inside async code run through spawn_blocking (code review: findings only, never PASS/FAIL).',
  timeoutMs: 30_000,
  run: (ctx) => review(ctx, (file, text) => scanAsyncBodies(file, text, BLOCKING_RULES), 'no blocking calls found in async bodies'),
};
