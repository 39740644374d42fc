/**
 * Where a `dralloc schedule` run's time goes, by phase, from a V8 CPU profile of the run:
 *   node --cpu-prof --cpu-prof-dir=/tmp/p build/js/cli/main.js schedule -f DIR -o json --quiet > /dev/null
 *   node bench/profile-phases.mjs /tmp/p/*.cpuprofile
 * A sample belongs to the first phase (in the order of PHASES) one of whose functions is on its
 * stack; garbage collection, idle and (program) samples belong to the phase of the JS sample
 * before them (so a phase's figure includes the GC its allocations caused), and are also
 * reported apart as that phase's GC. Samples outside every phase are start-up before the
 * command runs, and "exit" after its output. Results: bench/README.md.
 */
import { readFileSync } from 'node:fs';

const PHASES = [
  ['uids', /^(stampUids|withUid|deterministicUid) /],
  ['check', /^allocatedStateProblems /],
  ['load', /^loadInputs /],
  ['compile', /^(create|precompile) /],
  ['solve', /^schedule schedule\/scheduler/],
  ['format', /^(formatObject|listPieces) /],
  ['write', /^(stdout|writeOutput|writePieces|_write) /],
  ['load', /^run cli\/schedule/], // the async continuations of run before the engine exists
];

const profile = JSON.parse(readFileSync(process.argv[2], 'utf8'));
const byId = new Map(profile.nodes.map((n) => [n.id, n]));
const parent = new Map();
for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
const frame = (n) => `${n.callFrame.functionName || '(anon)'} ${n.callFrame.url.split('/').slice(-2).join('/')}`;

const phaseOfNode = new Map();
function phaseOf(id) {
  if (phaseOfNode.has(id)) return phaseOfNode.get(id);
  const stack = [];
  for (let x = byId.get(id); x; x = byId.get(parent.get(x.id))) stack.push(frame(x));
  let phase = PHASES.find(([, re]) => stack.some((f) => re.test(f)))?.[0];
  if (!phase && /^\((garbage collector|idle|program)\)/.test(stack[0])) phase = stack[0].startsWith('(garbage') ? 'GC' : 'carry';
  phaseOfNode.set(id, phase ?? 'none');
  return phase ?? 'none';
}

const ms = new Map();
const gcMs = new Map();
let last = 'start-up';
for (let i = 0; i < profile.samples.length; i++) {
  const dt = (profile.timeDeltas[i + 1] ?? 0) / 1000;
  let phase = phaseOf(profile.samples[i]);
  if (phase === 'GC') gcMs.set(last, (gcMs.get(last) ?? 0) + dt);
  if (phase === 'GC' || phase === 'carry') phase = last;
  else if (phase === 'none') phase = last === 'start-up' ? 'start-up' : last === 'write' || last === 'format' || last === 'exit' ? 'exit' : last;
  last = phase;
  ms.set(phase, (ms.get(phase) ?? 0) + dt);
}
const total = [...ms.values()].reduce((a, b) => a + b, 0);
console.log(`phase       ms   of which GC   (profile ${total.toFixed(0)} ms)`);
for (const [phase, t] of ms) console.log(`${phase.padEnd(9)} ${t.toFixed(0).padStart(6)} ${(gcMs.get(phase) ?? 0).toFixed(0).padStart(8)}`);
