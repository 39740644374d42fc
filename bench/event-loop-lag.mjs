// The longest the event loop stays blocked during each phase of a resident engine's life on a
// generated workload: a 1 ms ticker records the largest gap between ticks, in wall time and in
// the process's CPU time (user + sys) — on a busy machine the wall gap includes waiting for a
// core (preemption); the CPU gap is the work that really ran without yielding.
// With --blocking the same phases run through the synchronous internals the CLI uses, for
// comparison.
// Usage: npm run build && node build/js/cli/main.js gen --workload gpu-5k -o /tmp/g5 && node bench/event-loop-lag.mjs /tmp/g5 [pods] [--blocking]
import { readFileSync } from 'node:fs';
import * as api from '../build/js/index.js';
import { schedule as scheduleSync } from '../build/js/schedule/scheduler.js';
import { explainClaim } from '../build/js/explain/index.js';

const blocking = process.argv.includes('--blocking');
process.argv = process.argv.filter((a) => a !== '--blocking');

const dir = process.argv[2] ?? '/tmp/g5';
const podLimit = Number(process.argv[3] ?? 500);

const cpuMs = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};
let last = performance.now();
let lastCpu = cpuMs();
let maxLag = 0;
let maxCpu = 0;
const ticker = setInterval(() => {
  const now = performance.now();
  const cpu = cpuMs();
  maxLag = Math.max(maxLag, now - last);
  maxCpu = Math.max(maxCpu, cpu - lastCpu);
  last = now;
  lastCpu = cpu;
}, 1);

async function phase(name, fn) {
  await new Promise((r) => setTimeout(r, 20));
  maxLag = 0;
  maxCpu = 0;
  last = performance.now();
  lastCpu = cpuMs();
  const t0 = performance.now();
  const value = await fn();
  const total = performance.now() - t0;
  await new Promise((r) => setTimeout(r, 5));
  console.log(`| ${name} | ${total.toFixed(0)} | ${maxLag.toFixed(0)} | ${maxCpu.toFixed(0)} |`);
  return value;
}

console.log('| phase | total ms | max event-loop lag ms | max CPU between ticks ms |\n|---|---|---|---|');
const files = ['cluster.json', 'pods.json'].map((f) => `${dir}/${f}`);
const objects = await phase('load (decodeFiles)', async () =>
  blocking ? files.flatMap((f) => api.decode(readFileSync(f, 'utf8'), f).objects) : (await api.decodeFiles(files)).objects,
);
const engine = await phase('Engine.create (add objects)', () => api.Engine.create({ objects }));
await phase('prepare (compile inventory, nodes, class selectors)', () => (blocking ? engine.precompile() : api.prepare(engine)));
const pods = objects.filter((o) => o.kind === 'Pod').slice(0, podLimit);
const rest = objects.filter((o) => o.kind !== 'Pod');
const input = [...rest, ...pods];
const result = await phase(`schedule ${pods.length} Pods`, () => (blocking ? scheduleSync(engine, input) : api.schedule(engine, input)));
const unplaced = result.pods.find((p) => !p.node);
const claim = { ...result.claims[0], status: undefined };
await phase('explain one claim on all nodes', () => (blocking ? explainClaim(engine, claim) : api.explain(engine, claim)));
clearInterval(ticker);
if (unplaced) console.log(`(one Pod unplaced: ${unplaced.message})`);
