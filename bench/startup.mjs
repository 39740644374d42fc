// Start-up cost of the CLI and of importing the library (issue: light imports). Runs each
// command N times as a fresh process and prints the median wall time, the median CPU time
// (user+sys, less sensitive to a busy machine) and the same minus a bare `node -e ""`.
// Usage: npm run build && node bench/startup.mjs [runs]
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const runs = Number(process.argv[2] ?? 9);
const cli = ['build/js/cli/main.js'];
const CASES = [
  ['node -e ""', ['-e', '']],
  ['dralloc --version', [...cli, '--version']],
  ['dralloc help', [...cli, 'help']],
  ['dralloc allocate (examples/a100)', [...cli, 'allocate', '-f', 'examples/a100', '--node', 'worker-gpu-01']],
  ["import { Engine } from 'dralloc'", ['--input-type=module', '-e', "import { Engine } from './build/js/index.js';"]],
  ['import + Engine.create()', ['--input-type=module', '-e', "import { Engine } from './build/js/index.js'; await Engine.create();"]],
];

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/** Wall and CPU seconds of one run (CPU from bash's `time`, user + sys of the child). */
function once(args) {
  const t0 = process.hrtime.bigint();
  const r = spawnSync('bash', ['-c', 'TIMEFORMAT="%U %S"; time node "$@" >/dev/null', 'bash', ...args], { cwd: root, encoding: 'utf8' });
  const wall = Number(process.hrtime.bigint() - t0) / 1e9;
  const m = /([\d.]+)\s+([\d.]+)\s*$/.exec(r.stderr.trim());
  return { wall, cpu: m ? Number(m[1]) + Number(m[2]) : NaN };
}

let base;
console.log(`median of ${runs} runs (seconds)\n`);
console.log('| what | wall | cpu | wall − bare node |\n|---|---|---|---|');
for (const [name, args] of CASES) {
  const samples = Array.from({ length: runs }, () => once(args));
  const wall = median(samples.map((s) => s.wall));
  const cpu = median(samples.map((s) => s.cpu));
  base ??= wall;
  console.log(`| ${name} | ${wall.toFixed(3)} | ${cpu.toFixed(3)} | ${(wall - base).toFixed(3)} |`);
}
