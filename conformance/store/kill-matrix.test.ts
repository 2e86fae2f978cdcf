import { describeKillMatrix } from '../kill-matrix-suite.ts';

describeKillMatrix('store', { timeoutMs: 240_000 });
