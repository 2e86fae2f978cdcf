// Worker entry point. Node 20 does not run a worker's entry file through the parent's `--import tsx`
// hooks, so this plain-JS shim loads the TypeScript worker through tsx's programmatic API.
import { tsImport } from 'tsx/esm/api';

await tsImport('./decode-worker.ts', import.meta.url);
