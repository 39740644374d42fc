/**
 * The package as users get it: `npm pack` (once for this file), the tarball unpacked into a
 * temporary project's node_modules/dralloc as npm lays it out, its dependencies linked from
 * this repository's node_modules (so the test needs no network), then used from plain
 * JavaScript (ESM), from TypeScript checked with `skipLibCheck: false`, and from CommonJS.
 * The project is an embedder's: the optional peer @kubernetes/client-node is not installed.
 * Needs `npm run build` first (npm test does it).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLIENT_NODE_RANGE } from '../../src/k8s/connect.js';

const ROOT = resolve(__dirname, '../..');
const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
  version: string;
  dependencies: Record<string, string>;
  peerDependencies: Record<string, string>;
  peerDependenciesMeta: Record<string, { optional?: boolean }>;
};
let dir = '';
let files: string[] = [];

function link(name: string): void {
  const to = join(dir, 'node_modules', name);
  mkdirSync(dirname(to), { recursive: true });
  symlinkSync(join(ROOT, 'node_modules', name), to);
}

function node(file: string): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [file], { cwd: dir, encoding: 'utf8', timeout: 60_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'dralloc-package-'));
  const out = execFileSync('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', dir], { cwd: ROOT, encoding: 'utf8', timeout: 120_000 });
  const [info] = JSON.parse(out) as { filename: string; files: { path: string }[] }[];
  files = info.files.map((f) => f.path);
  mkdirSync(join(dir, 'node_modules', 'dralloc'), { recursive: true });
  execFileSync('tar', ['xzf', join(dir, info.filename), '-C', join(dir, 'node_modules', 'dralloc'), '--strip-components=1']);
  for (const dep of [...Object.keys(pkg.dependencies), '@types/node']) link(dep);
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'embedder', version: '1.0.0', type: 'module', private: true }));
}, 180_000);

afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('the packed dralloc', () => {
  it('ships the compiled library, the solver, the CommonJS answer and the examples, not the sources', () => {
    expect(files).toEqual(expect.arrayContaining(['build/js/index.js', 'build/js/index.d.ts', 'build/js/index-k8s.js', 'build/js/index-report.js', 'build/js/index-gen.js', 'build/wasm/solver.wasm', 'cjs/require.cjs', 'examples/a100/cluster.yaml', 'package.json']));
    expect(files.filter((f) => f.startsWith('src/') || f.startsWith('test/'))).toEqual([]);
  });

  it('declares @kubernetes/client-node as an optional peer only, with the range connect() names', () => {
    expect(pkg.dependencies['@kubernetes/client-node']).toBeUndefined();
    expect(pkg.peerDependencies['@kubernetes/client-node']).toBe(CLIENT_NODE_RANGE);
    expect(pkg.peerDependenciesMeta['@kubernetes/client-node']).toEqual({ optional: true });
  });

  it('works from plain JavaScript (ESM): decode, allocate, schedule, the subpath entries', { timeout: 60_000 }, () => {
    writeFileSync(
      join(dir, 'use.mjs'),
      `import { readFileSync } from 'node:fs';
import { Engine, decode, schedule } from 'dralloc';
import { buildReport } from 'dralloc/report';
import { connect } from 'dralloc/k8s';
import { generateWorkload } from 'dralloc/gen';
const ex = (f) => decode(readFileSync(new URL('./node_modules/dralloc/examples/a100/' + f, import.meta.url), 'utf8'), f).objects;
const objects = [...ex('cluster.yaml'), ...ex('claims.yaml')];
const engine = await Engine.create({ objects });
const claims = objects.filter((o) => o.kind === 'ResourceClaim' && !o.status?.allocation);
const out = await engine.allocate(claims, { node: 'worker-gpu-01' });
const result = await schedule(await Engine.create({ objects: [...objects, ...ex('pods.yaml')] }), [...objects, ...ex('pods.yaml')]);
// A selector outside the literal fast path: the CEL runtime loads (synchronously) from node_modules.
const cls = objects.find((o) => o.kind === 'DeviceClass');
const cel = await Engine.create({ objects: objects.map((o) => (o === cls ? { ...cls, spec: { selectors: [{ cel: { expression: 'device.driver.startsWith("gpu.")' } }] } } : o)) });
const viaCel = await cel.allocate(claims, { node: 'worker-gpu-01' });
const k8s = await connect({ kubeconfig: '/nonexistent' }).then(() => 'connected', (e) => e.message);
console.log(JSON.stringify({ kind: out.kind, viaCel: viaCel.kind, claims: claims.length, pods: result.pods.length, fns: [typeof buildReport, typeof connect], gen: generateWorkload('gpu-5k', { scale: 2 }).nodes.length, k8s }));
`,
    );
    const r = node('use.mjs');
    expect(r.stderr).toBe('');
    const got = JSON.parse(r.stdout) as { kind: string; viaCel: string; claims: number; pods: number; fns: string[]; gen: number; k8s: string };
    expect(got.gen).toBe(2);
    expect(got.kind).toBe('allocated');
    expect(got.viaCel).toBe('allocated');
    expect(got.k8s).toBe(`talking to a cluster needs the optional peer dependency @kubernetes/client-node, which is not installed: npm install @kubernetes/client-node@'${CLIENT_NODE_RANGE}'`);
    expect(got.claims).toBeGreaterThan(0);
    expect(got.pods).toBeGreaterThan(0);
    expect(got.fns).toEqual(['function', 'function']);
  });

  // Every subpath, without client-node or @types/ws installed: dralloc/k8s publishes `Cluster` opaque.
  it('type-checks from TypeScript with skipLibCheck: false', { timeout: 120_000 }, () => {
    writeFileSync(
      join(dir, 'tsconfig.json'),
      JSON.stringify({ compilerOptions: { target: 'ES2022', module: 'NodeNext', moduleResolution: 'NodeNext', strict: true, skipLibCheck: false, noEmit: true, types: ['node'] }, files: ['use.ts'] }),
    );
    writeFileSync(
      join(dir, 'use.ts'),
      `import { Engine, schedule, explain, normalize, type Outcome, type ResourceClaim, type ScheduleResult } from 'dralloc';
import { buildReport, type ReportModel } from 'dralloc/report';
import { connect, takeSnapshot, LiveScheduler, ClusterWatch, planEvictions, healthReport, type Cluster, type Snapshot } from 'dralloc/k8s';
import { generateWorkload, type Workload } from 'dralloc/gen';
export const k8s = [LiveScheduler, ClusterWatch, planEvictions, healthReport];
export async function snapshot(): Promise<[Cluster, Snapshot, Workload]> {
  const cluster = await connect({ context: 'kind' });
  return [cluster, await takeSnapshot(cluster, (w: string) => console.warn(w)), generateWorkload('gpu-5k')];
}
export async function run(claim: ResourceClaim, signal: AbortSignal): Promise<[Outcome, ScheduleResult, ReportModel]> {
  const engine = await Engine.create({ objects: [normalize({ apiVersion: 'v1', kind: 'Node', metadata: { name: 'n' } })] });
  const outcome = await engine.allocate([claim], { node: 'n' });
  const result = await schedule(engine, [], { strategy: 'pack', signal });
  await explain(engine, claim, { node: 'n', signal });
  return [outcome, result, buildReport(engine, result, { strategy: 'pack' })];
}
`,
    );
    const r = spawnSync(process.execPath, [join(ROOT, 'node_modules/typescript/bin/tsc'), '-p', dir], { cwd: dir, encoding: 'utf8', timeout: 120_000 });
    expect(r.stdout + r.stderr).toBe('');
    expect(r.status).toBe(0);
  });

  it('answers require() from CommonJS with a clear message', { timeout: 30_000 }, () => {
    writeFileSync(join(dir, 'use.cjs'), `try { require('dralloc'); } catch (e) { console.log(e.message); }\n`);
    const r = node('use.cjs');
    expect(r.stdout).toMatch(/^dralloc is an ES module and cannot be loaded with require\(\).*await import\('dralloc'\)/);
  });
});
