/**
 * Workload generators (src/gen) and `dralloc gen`: every workload is valid input (loads without
 * errors, respects upstream's slice limits, references only counters and templates that exist)
 * and its claims allocate as worked out by hand from docs/semantics.md; same seed → same bytes.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Engine } from '../../src/engine.js';
import { main } from '../../src/cli/main.js';
import type { CliIO } from '../../src/cli/io.js';
import { loadPaths, loadText } from '../../src/model/load.js';
import { Quantity } from '../../src/model/quantity.js';
import type { AllocationResult, Device, ResourceClaim, ResourceSlice } from '../../src/model/types.js';
import { podClaims as claimsOf } from '../../src/gen/claims.js';
import { workloadFiles } from '../../src/gen/files.js';
import { A100, H100, PCIE_ROOT } from '../../src/gen/gpu.js';
import { MIG_PROFILES } from '../../src/gen/mig.js';
import { Random } from '../../src/gen/random.js';
import { pod, type Workload } from '../../src/gen/workload.js';
import { generateWorkload, WORKLOADS } from '../../src/gen/workloads.js';

const tmp = mkdtempSync(join(tmpdir(), 'dralloc-gen-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const SMALL = 10;
const SEMVER = /^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(?:-[0-9A-Za-z.-]+)?(?:\+[0-9A-Za-z.-]+)?$/;

/** The device an allocation result names, looked up in the workload's slices. */
function deviceOf(w: Workload, r: { driver: string; pool: string; device: string }): Device {
  for (const s of w.slices) {
    if (s.spec.driver !== r.driver || s.spec.pool.name !== r.pool) continue;
    const d = s.spec.devices?.find((x) => x.name === r.device);
    if (d) return d;
  }
  throw new Error(`no device ${r.driver}/${r.pool}/${r.device}`);
}

/** Allocates `claims` on `node` and returns the results (fails the test unless allocated). */
async function allocate(engine: Engine, claims: ResourceClaim[], node: string): Promise<AllocationResult[]> {
  const outcome = await engine.allocate(claims, { node });
  if (outcome.kind !== 'allocated') throw new Error(`${node}: ${outcome.kind}: ${'reason' in outcome ? outcome.reason : outcome.message}`);
  return outcome.results;
}

const devicesOf = (results: AllocationResult[]) => results.flatMap((r) => r.devices?.results ?? []);
const stringAttr = (d: Device, name: string) => d.attributes?.[name]?.string;
const engineFor = (w: Workload) => Engine.create({ objects: [...w.classes, ...w.nodes, ...w.slices] });

describe('Random (mulberry32)', () => {
  it('is a pure function of the seed', () => {
    const a = new Random(42);
    const b = new Random(42);
    const c = new Random(43);
    const seqA = Array.from({ length: 5 }, () => a.nextU32());
    expect(Array.from({ length: 5 }, () => b.nextU32())).toEqual(seqA);
    expect(Array.from({ length: 5 }, () => c.nextU32())).not.toEqual(seqA);
  });

  it('matches the reference mulberry32 output for seed 0', () => {
    // Computed with an independent Python transcription of the published C function
    // (t = state += 0x6D2B79F5; t = (t ^ t>>15) * (t|1); t ^= t + (t ^ t>>7) * (t|61); t ^ t>>14).
    const r = new Random(0);
    expect([r.nextU32(), r.nextU32(), r.nextU32()]).toEqual([1144304738, 1416247, 958946056]);
  });

  it('int(n) stays in [0, n) and reaches every value', { timeout: 60_000 }, () => {
    const r = new Random(7);
    const seen = new Set<number>();
    for (let i = 0; i < 1000; i++) {
      const v = r.int(6);
      expect(v >= 0 && v < 6 && Number.isInteger(v)).toBe(true);
      seen.add(v);
    }
    expect(seen.size).toBe(6);
  });
});

describe.each(WORKLOADS.map((w) => w.name))('workload %s (small scale)', (name) => {
  const w = generateWorkload(name, { scale: SMALL, seed: 3 });

  it('loads through loadText without errors or warnings, every object kept', { timeout: 60_000 }, () => {
    for (const f of workloadFiles(w)) {
      const loaded = loadText(f.text, f.name);
      expect(loaded.warnings).toEqual([]);
      expect(loaded.objects.length).toBe(f.count);
    }
    expect(w.nodes.length).toBe(SMALL);
  });

  it('respects upstream slice limits and has complete pools', () => {
    const pools = new Map<string, ResourceSlice[]>();
    for (const s of w.slices) {
      const devices = s.spec.devices ?? [];
      const advanced = devices.some((d) => d.consumesCounters || d.taints);
      expect(devices.length).toBeLessThanOrEqual(advanced ? 64 : 128);
      expect(s.spec.sharedCounters?.length ?? 0).toBeLessThanOrEqual(8);
      expect(devices.length > 0 && (s.spec.sharedCounters?.length ?? 0) > 0).toBe(false);
      const key = `${s.spec.driver}/${s.spec.pool.name}`;
      pools.set(key, [...(pools.get(key) ?? []), s]);
    }
    for (const slices of pools.values()) {
      for (const s of slices) expect(s.spec.pool.resourceSliceCount).toBe(slices.length);
      const names = slices.flatMap((s) => (s.spec.devices ?? []).map((d) => d.name));
      expect(new Set(names).size).toBe(names.length);
    }
  });

  it('consumes only counters that exist in its pool, and uses valid versions', { timeout: 60_000 }, () => {
    for (const s of w.slices) {
      const pool = w.slices.filter((o) => o.spec.driver === s.spec.driver && o.spec.pool.name === s.spec.pool.name);
      const sets = new Map(pool.flatMap((o) => o.spec.sharedCounters ?? []).map((c) => [c.name, c.counters]));
      for (const d of s.spec.devices ?? []) {
        for (const use of d.consumesCounters ?? []) {
          const set = sets.get(use.counterSet);
          expect(set, `${d.name} consumes from ${use.counterSet}`).toBeDefined();
          for (const counter of Object.keys(use.counters)) expect(set![counter], `${use.counterSet}.${counter}`).toBeDefined();
        }
        for (const a of Object.values(d.attributes ?? {})) if (a.version !== undefined) expect(a.version).toMatch(SEMVER);
      }
    }
  });

  it('Pods reference templates that exist, and their containers use every claim', () => {
    const templates = new Set(w.templates.map((t) => t.metadata.name));
    expect(w.pods.length).toBeGreaterThan(0);
    for (const p of w.pods) {
      const refs = p.spec.resourceClaims ?? [];
      expect(refs.length).toBeGreaterThan(0);
      for (const r of refs) expect(templates.has(r.resourceClaimTemplateName!)).toBe(true);
      const used = (p.spec.containers as { resources: { claims: { name: string }[] } }[]).flatMap((c) => c.resources.claims.map((x) => x.name));
      expect(used.sort()).toEqual(refs.map((r) => r.name).sort());
    }
  });
});

describe('generated claims allocate as worked out by hand', () => {
  it('gpu-5k: a 1-GPU claim gets gpu-0 of the node (first device in slice order)', async () => {
    const w = generateWorkload('gpu-5k', { scale: 4, seed: 1 });
    const engine = await engineFor(w);
    const node = w.nodes[2].metadata.name;
    const [claim] = claimsOf(w, w.pods[0]);
    expect(claim.metadata.name).toBe(`${w.pods[0].metadata.name}-gpu`);
    expect(devicesOf(await allocate(engine, [claim], node))).toEqual([{ request: 'gpu', driver: 'gpu.example.com', pool: node, device: 'gpu-0' }]);
  });

  it('nvlink-4gpu: 4 GPUs on one PCIe root; two claims fill the node, a third does not fit', async () => {
    const w = generateWorkload('nvlink-4gpu', { scale: 2, seed: 1 });
    const engine = await engineFor(w);
    const node = w.nodes[0].metadata.name;
    const [c1] = claimsOf(w, w.pods[0]);
    const [c2] = claimsOf(w, w.pods[1]);
    const [c3] = claimsOf(w, w.pods[2]);
    const first = await allocate(engine, [c1], node);
    const devs1 = devicesOf(first);
    expect(devs1.map((r) => r.device)).toEqual(['gpu-0', 'gpu-1', 'gpu-2', 'gpu-3']);
    const roots = new Set(devs1.map((r) => stringAttr(deviceOf(w, r), PCIE_ROOT.split('/')[1])));
    expect([...roots]).toEqual(['pci0000:00']);
    engine.commit(c1, first[0]);
    const second = await allocate(engine, [c2], node);
    expect(devicesOf(second).map((r) => r.device)).toEqual(['gpu-4', 'gpu-5', 'gpu-6', 'gpu-7']);
    engine.commit(c2, second[0]);
    expect((await engine.allocate([c3], { node })).kind).toBe('unsatisfiable');
  });

  it('mig-1k: a profile claim gets an instance of that profile; a full 7g GPU leaves 1g to the next GPU', { timeout: 60_000 }, async () => {
    const w = generateWorkload('mig-1k', { scale: 2, seed: 1 });
    const engine = await engineFor(w);
    const node = w.nodes[1].metadata.name;
    // Pod 0 asks whatever profile the seed picked: it gets that profile's first instance on GPU 0.
    const [c0] = claimsOf(w, w.pods[0]);
    const [r0] = devicesOf(await allocate(engine, [c0], node));
    const wanted = c0.spec.devices!.requests![0].exactly!.selectors![0].cel!.expression.match(/"([^"]+)"$/)![1];
    expect(stringAttr(deviceOf(w, r0), 'profile')).toBe(wanted);
    expect(r0.device).toBe(`gpu-0-${wanted.replace('.', '-')}-0`);
    // 7g.80gb takes all 7 slices and 80Gi of GPU 0's counter set, so 1g.10gb must go to GPU 1.
    expect(MIG_PROFILES.map((p) => p.name)).toEqual(['1g.10gb', '2g.20gb', '3g.40gb', '7g.80gb']);
    const [big] = claimsOf(w, pod('big', { mig: 'mig-7g-80gb' }));
    const [small] = claimsOf(w, pod('small', { mig: 'mig-1g-10gb' }));
    const bigResult = await allocate(engine, [big], node);
    expect(devicesOf(bigResult).map((r) => r.device)).toEqual(['gpu-0-7g-80gb-0']);
    engine.commit(big, bigResult[0]);
    expect(devicesOf(await allocate(engine, [small], node)).map((r) => r.device)).toEqual(['gpu-1-1g-10gb-0']);
  });

  it('rdma-bw: a share of a NIC consumes the asked bandwidth rounded up to the 10G step', async () => {
    const w = generateWorkload('rdma-bw', { scale: 2, seed: 5 });
    const engine = await engineFor(w);
    const node = w.nodes[0].metadata.name;
    const asks = new Set<number>();
    for (const p of w.pods.slice(0, 12)) {
      const [claim] = claimsOf(w, p);
      const asked = Quantity.parse(claim.spec.devices!.requests![0].exactly!.capacity!.requests!.bandwidth).value();
      asks.add(Number(asked % 10_000_000_000n));
      const [r] = devicesOf(await allocate(engine, [claim], node));
      const roundedUp = ((asked + 9_999_999_999n) / 10_000_000_000n) * 10_000_000_000n;
      expect(r.device).toBe('nic-0');
      expect(r.shareID).toMatch(/^[0-9a-f-]{36}$/);
      expect(Quantity.parse(r.consumedCapacity!.bandwidth).value()).toBe(roundedUp);
    }
    // The sample covers both exact multiples of 10G and asks that need rounding.
    expect(asks.has(0) && asks.has(5_000_000_000)).toBe(true);
  });

  it('fallback: an H100 node gives 1 H100; an A100 node gives 2 A100; a lone A100 left gives "any"', async () => {
    const w = generateWorkload('fallback', { scale: 6, seed: 1 });
    const engine = await engineFor(w);
    const modelOf = (i: number) => stringAttr(w.slices[i].spec.devices![0], 'model');
    const h100 = w.nodes.find((_, i) => modelOf(i) === H100)!.metadata.name;
    const a100 = w.nodes.find((_, i) => modelOf(i) === A100)!.metadata.name;
    const [claim] = claimsOf(w, w.pods[0]);
    const gpu = (request: string, pool: string, device: string) => ({ request, driver: 'gpu.example.com', pool, device });
    expect(devicesOf(await allocate(engine, [claim], h100))).toEqual([gpu('gpu/h100', h100, 'gpu-0')]);
    expect(devicesOf(await allocate(engine, [claim], a100))).toEqual([gpu('gpu/a100', a100, 'gpu-0'), gpu('gpu/a100', a100, 'gpu-1')]);
    // Use 7 of the A100 node's 8 GPUs: 2 A100s no longer fit, the third choice takes the last one.
    for (let k = 0; k < 7; k++) {
      const [fill] = claimsOf(w, pod(`fill-${k}`, { gpu: 'gpu-fallback' }));
      fill.spec = { devices: { requests: [{ name: 'gpu', exactly: { deviceClassName: 'gpu', count: 1 } }] } };
      const r = await allocate(engine, [fill], a100);
      engine.commit(fill, r[0]);
    }
    expect(devicesOf(await allocate(engine, [claim], a100))).toEqual([gpu('gpu/any', a100, 'gpu-7')]);
  });

  it('mixed: every part has nodes, and a Pod of each part allocates on its own part\'s first node', async () => {
    const w = generateWorkload('mixed', { scale: SMALL, seed: 1 });
    const engine = await engineFor(w);
    for (const prefix of ['gpu', 'nvl', 'mig', 'rdma', 'fb']) {
      const nodes = w.nodes.filter((n) => n.metadata.name.startsWith(`${prefix}-node-`));
      expect(nodes.length).toBe(2);
      const p = w.pods.find((x) => x.metadata.name.startsWith(`${prefix}-pod-`))!;
      const outcome = await engine.allocate(claimsOf(w, p), { node: nodes[0].metadata.name });
      expect(outcome.kind, `${p.metadata.name}`).toBe('allocated');
    }
    // The Pods arrive shuffled, not part by part.
    const firstPrefixes = new Set(w.pods.slice(0, 10).map((p) => p.metadata.name.split('-')[0]));
    expect(firstPrefixes.size).toBeGreaterThan(1);
  });
});

describe('dralloc gen', () => {
  function run(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
    const out = { stdout: '', stderr: '' };
    const io: CliIO = { stdout: (t) => void (out.stdout += t), stderr: (t) => void (out.stderr += t), readStdin: async () => '' };
    return main(args, io).then((code) => ({ code, ...out }));
  }
  const read = (dir: string) => ['cluster.json', 'pods.json'].map((f) => readFileSync(join(dir, f), 'utf8'));

  it('writes byte-identical files for the same seed, different ones for another seed', async () => {
    const [a, b, c] = ['a', 'b', 'c'].map((x) => join(tmp, x));
    for (const [dir, seed] of [[a, '9'], [b, '9'], [c, '10']] as const) {
      const r = await run(['gen', '--workload', 'mixed', '--scale', '10', '--seed', seed, '-o', dir]);
      expect(r.code).toBe(0);
      expect(r.stdout).toContain(join(dir, 'cluster.json'));
    }
    expect(read(b)).toEqual(read(a));
    expect(read(c)[0]).not.toEqual(read(a)[0]);
  });

  it('writes what loadPaths and allocate read back: the same objects as generated', async () => {
    const dir = join(tmp, 'load');
    expect((await run(['gen', '--workload', 'gpu-5k', '--scale', '3', '-o', dir])).code).toBe(0);
    const loaded = await loadPaths([dir]);
    const w = generateWorkload('gpu-5k', { scale: 3 });
    expect(loaded.warnings).toEqual([]);
    expect(loaded.objects.map((o) => o.object)).toEqual([...w.classes, ...w.nodes, ...w.slices, ...w.templates, ...w.pods]);
    // `dralloc allocate -f DIR` accepts it too (no ResourceClaims yet: an empty List).
    const r = await run(['allocate', '-f', dir, '--node', w.nodes[0].metadata.name, '-o', 'json']);
    expect(r.stderr).toBe('');
    expect(JSON.parse(r.stdout).items).toEqual([]);
  });

  it('rejects an unknown workload with exit 2 and the list of names', async () => {
    const r = await run(['gen', '--workload', 'gpu-6k', '-o', join(tmp, 'x')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^error: unknown workload "gpu-6k" \(known: gpu-5k, nvlink-4gpu, mig-1k, rdma-bw, fallback, mixed\)/);
  });

  it('rejects a bad seed and a missing -o with exit 2', async () => {
    expect((await run(['gen', '--workload', 'gpu-5k', '--seed', '1.5', '-o', join(tmp, 'y')])).stderr).toMatch(/^error: --seed wants an integer/);
    const r = await run(['gen', '--workload', 'gpu-5k']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^error: missing -o DIR/);
  });
});
