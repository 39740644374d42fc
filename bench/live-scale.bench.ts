/**
 * The live scheduler at scale against the local fake API server (test/k8s/scale.ts): NODES nodes
 * × 8 GPUs, PODS one-GPU Pods (--manage-claims), one ResourceSlice republished every
 * REPUBLISH_MS meanwhile. Prints the report (time to the first sync and to bind every Pod,
 * Pods/s, API writes and reads per Pod, what must never be) as JSON; exits 1 unless every Pod
 * was bound and nothing that must never be was found.
 *
 * Run: `npx tsx bench/live-scale.bench.ts` (NODES=5000 PODS=10000 REPUBLISH_MS=100 by default;
 * e.g. NODES=500 PODS=1000 for a quick run). Not part of npm test (test/k8s/scale.test.ts runs a
 * small one). Results: bench/README.md.
 */

import { scaleRun } from '../test/k8s/scale.js';

const report = await scaleRun({
  nodes: Number(process.env.NODES ?? 5000),
  pods: Number(process.env.PODS ?? 10_000),
  republishMs: Number(process.env.REPUBLISH_MS ?? 100),
  limitMs: Number(process.env.LIMIT_MS ?? 30 * 60_000),
  progress: (line) => console.error(line),
});
console.log(JSON.stringify(report, null, 2));
process.exit(report.bound === report.pods && report.violations.length === 0 ? 0 : 1);
