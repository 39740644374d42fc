// The longest the event loop stays blocked during each phase of a resident engine's life on a
// generated workload: a 1 ms ticker records the largest gap between ticks.
// Usage: npm run build && node build/js/cli/main.js gen --workload gpu-5k -o /tmp/g5 && node bench/event-loop-lag.mjs /tmp/g5 [pods]
import * as api from '../build/js/index.js';

const dir = process.argv[2] ?? '/tmp/g5';
const podLimit = Number(process.argv[3] ?? 500);

let last = performance.now();
let maxLag = 0;
const ticker = setInterval(() => {
  const now = performance.now();
  maxLag = Math.max(maxLag, now - last);
  last = now;
}, 1);

async function phase(name, fn) {
  await new Promise((r) => setTimeout(r, 20));
  maxLag = 0;
  last = performance.now();
  const t0 = performance.now();
  const value = await fn();
  const total = performance.now() - t0;
  await new Promise((r) => setTimeout(r, 5));
  console.log(`| ${name} | ${total.toFixed(0)} | ${maxLag.toFixed(0)} |`);
  return value;
}

console.log('| phase | total ms | max event-loop lag ms |\n|---|---|---|');
const objects = await phase('load (decodeFiles)', async () => (await api.decodeFiles([dir])).objects);
const engine = await phase('Engine.create (add objects)', () => api.Engine.create({ objects }));
await phase('prepare (compile inventory, nodes, class selectors)', () => api.prepare(engine));
const pods = objects.filter((o) => o.kind === 'Pod').slice(0, podLimit);
const rest = objects.filter((o) => o.kind !== 'Pod');
const result = await phase(`schedule ${pods.length} Pods`, () => api.schedule(engine, [...rest, ...pods]));
const unplaced = result.pods.find((p) => !p.node);
const claim = objects.find((o) => o.kind === 'ResourceClaim') ?? result.claims[0];
if (claim) await phase('explain one claim on all nodes', () => api.explain(engine, { ...claim, status: undefined }));
clearInterval(ticker);
if (unplaced) console.log(`(one Pod unplaced: ${unplaced.message})`);
