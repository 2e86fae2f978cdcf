// Preloaded (an --import in the derived manifest of scripts/coverage.ts) into every reference process. The kit stops candidates with
// SIGKILL, which never lets Node write NODE_V8_COVERAGE at exit, so the coverage collected so far is
// written every 200 ms (a check that ends sooner than that after some code ran loses that code) and at a normal exit. Plain JS: it loads before tsx.
import v8 from 'node:v8';

if (process.env.NODE_V8_COVERAGE) {
  const timer = setInterval(() => v8.takeCoverage(), Number(process.env.MERIDIAN_COVERAGE_FLUSH_MS ?? 200));
  timer.unref();
}
