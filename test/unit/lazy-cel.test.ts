/**
 * The CEL runtime loads only when a selector needs it (src/compile/cel-loader.ts), checked on the
 * built package in a fresh process that records every module it loads: the A100 example and every
 * gen workload (scheduled at a small scale) run on the literal fast path without @bufbuild/*; a
 * selector outside it loads the runtime synchronously (require of the ES module) mid-allocation and
 * gets the evaluator's answer. Vitest itself preloads the runtime (test/setup.ts), hence the subprocess.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = resolve(__dirname, '../..');
const BUILT = existsSync(resolve(ROOT, 'build/js/index.js'));

/**
 * Runs an ES module `body` in a fresh Node; `cel` counts how the CEL runtime got loaded: @bufbuild
 * modules `import`ed (seen by a load hook) plus 1 when cel-runtime.js was `require`d (the loader's
 * synchronous path, which the hook does not see, leaves it in require.cache).
 */
function run(body: string): { stdout: string; stderr: string; cel: number } {
  const hook = `data:text/javascript,${encodeURIComponent('export async function load(url, ctx, next) { if (url.includes("/@bufbuild/")) process._rawDebug("LOADED " + url); return next(url, ctx); }')}`;
  const setup = `import { register } from 'node:module'; register(${JSON.stringify(hook)});`;
  const required = `import { createRequire } from 'node:module'; if (Object.keys(createRequire(import.meta.url).cache).some((k) => k.endsWith('cel-runtime.js'))) process._rawDebug('REQUIRED');`;
  const r = spawnSync(process.execPath, ['--import', `data:text/javascript,${encodeURIComponent(setup)}`, '--input-type=module', '-e', body + '\n' + required], {
    cwd: ROOT,
    encoding: 'utf8',
    timeout: 120_000,
  });
  expect(r.status, r.stderr).toBe(0);
  return { stdout: r.stdout, stderr: r.stderr, cel: r.stderr.split('\n').filter((l) => l.startsWith('LOADED ') || l === 'REQUIRED').length };
}

describe.runIf(BUILT)('the CEL runtime is loaded on first need only (built package)', () => {
  it('allocate on examples/a100 does not load it', { timeout: 120_000 }, () => {
    const r = run(`
      import { Engine, decodeFiles } from './build/js/index.js';
      const { objects } = await decodeFiles(['examples/a100']);
      const engine = await Engine.create({ objects });
      const out = await engine.allocate(objects.filter((o) => o.kind === 'ResourceClaim'), { node: 'worker-gpu-01' });
      console.log(out.kind, out.results.map((r) => r.devices.results.map((d) => d.device).join()).join(';'));`);
    expect(r.cel, r.stderr).toBe(0);
    // gpu-1 is degraded (excluded by the class selector): the claims get gpu-0 and gpu-2.
    expect(r.stdout.trim()).toMatch(/^allocated gpu-/);
    expect(r.stdout).not.toMatch(/gpu-1\b/);
  });

  it('scheduling every gen workload does not load it', { timeout: 120_000 }, () => {
    const r = run(`
      import { Engine, schedule } from './build/js/index.js';
      import { generateWorkload, WORKLOADS } from './build/js/index-gen.js';
      for (const def of WORKLOADS) {
        const w = generateWorkload(def.name, { scale: 4 });
        const objects = [...w.classes, ...w.nodes, ...w.slices, ...w.templates, ...(w.claims ?? []), ...(w.podGroups ?? [])];
        const engine = await Engine.create({ objects });
        const result = await schedule(engine, [...objects, ...w.pods]);
        console.log(def.name, result.pods.filter((p) => p.node !== undefined).length);
      }`);
    expect(r.cel, r.stderr).toBe(0);
    expect(r.stdout.trim().split('\n')).toHaveLength(7);
  });

  it('a selector outside the literal path loads it mid-allocation and answers as CEL does', { timeout: 120_000 }, () => {
    const r = run(`
      import { Engine, decodeFiles } from './build/js/index.js';
      const { objects } = await decodeFiles(['examples/a100']);
      const cls = objects.find((o) => o.kind === 'DeviceClass');
      cls.spec.selectors = [{ cel: { expression: 'device.driver.startsWith("gpu.") && device.attributes["gpu.nvidia.com"].health == "degraded"' } }];
      const engine = await Engine.create({ objects });
      const claims = objects.filter((o) => o.kind === 'ResourceClaim');
      const out = await engine.allocate(claims.slice(0, 1), { node: 'worker-gpu-01' });
      console.log(out.kind, out.results[0].devices.results.map((d) => d.device).join());`);
    expect(r.stderr.split('\n')).toContain('REQUIRED');
    expect(r.stderr).not.toMatch(/Warning/);
    expect(r.stdout.trim()).toBe('allocated gpu-1'); // the only degraded GPU
  });
});
