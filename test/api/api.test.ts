/**
 * The public API (src/index.ts) as an embedder calls it. Expected values are worked out by
 * hand: two nodes with one GPU each (class `gpu`), Pods that each need one GPU from template
 * `gpu-1`. Upstream order: a Pod without firstAvailable requests takes the first feasible node
 * from a start index that rotates by the nodes examined, so p1 → n1 (1 examined, start 1),
 * p2 → n2, p3 fits nowhere: "0/2 nodes are available: 2 cannot allocate all claims."
 *
 * Non-blocking is checked by counting, not timing: with `sliceMs: 0` the operation yields to
 * the event loop after every unit of work, so a setImmediate chain started beside it advances
 * between any two Pods (or nodes); a blocking implementation would leave it at 0.
 */
import { describe, expect, it } from 'vitest';
import * as api from '../../src/index.js';
import { loopTurns } from '../loop-turns.js';
import type { DraObject, ResourceSlice } from '../../src/index.js';
import { gpu5k } from '../../src/gen/gpu-workloads.js';
import { Random } from '../../src/gen/random.js';
import { gpuClass, gpuNode, gpuPod, gpuRequest, objects, template, claim } from '../fixtures/schedule/build.js';

const cluster = (): DraObject[] => objects(gpuClass(), gpuNode('n1', 1), gpuNode('n2', 1), template('gpu-1', [gpuRequest('gpu', 1)]));
const pods = () => [gpuPod('p1'), gpuPod('p2'), gpuPod('p3')];

describe('schedule (async)', () => {
  it('places Pods as worked out by hand and yields to the event loop between Pods', { timeout: 30_000 }, async () => {
    const objs = [...cluster(), ...pods()];
    const engine = await api.Engine.create({ objects: objs });
    const turns = loopTurns();
    const seen: number[] = [];
    const result = await api.schedule(engine, objs, { sliceMs: 0, progress: () => seen.push(turns.count()) });
    turns.stop();
    expect(result.pods.map((p) => [p.pod.metadata.name, p.node])).toEqual([['p1', 'n1'], ['p2', 'n2'], ['p3', undefined]]);
    expect(result.pods[2].message).toMatch(/^0\/2 nodes are available: 2 cannot allocate all claims\./);
    // progress runs before each Pod and once at the end: the loop turned between every two calls.
    expect(seen).toHaveLength(4);
    for (let i = 1; i < seen.length; i++) expect(seen[i]).toBeGreaterThan(seen[i - 1]);
  });

  it('stops after the Pod in progress when aborted; the engine keeps what was placed', { timeout: 30_000 }, async () => {
    // Three nodes: p1 → n1, p2 → n2, p3 would go to n3. Aborting while p2 is about to start
    // (progress(1)) lets p2 finish; p3 is never tried, so n3 stays free.
    const objs = [...cluster(), ...gpuNode('n3', 1), ...pods()];
    const engine = await api.Engine.create({ objects: objs });
    const ctl = new AbortController();
    const run = api.schedule(engine, objs, { signal: ctl.signal, progress: (done) => done === 1 && ctl.abort() });
    await expect(run).rejects.toMatchObject({ name: 'AbortError' });
    const c = claim('probe', [gpuRequest('gpu', 1)]);
    expect((await engine.allocate([c], { node: 'n1' })).kind).toBe('unsatisfiable');
    expect((await engine.allocate([c], { node: 'n2' })).kind).toBe('unsatisfiable');
    expect((await engine.allocate([c], { node: 'n3' })).kind).toBe('allocated');
  });

  it('an already aborted signal rejects before any work', { timeout: 30_000 }, async () => {
    const engine = await api.Engine.create({ objects: cluster() });
    const signal = AbortSignal.abort();
    await expect(api.schedule(engine, [...cluster(), ...pods()], { signal })).rejects.toMatchObject({ name: 'AbortError' });
    await expect(api.prepare(engine, { signal })).rejects.toMatchObject({ name: 'AbortError' });
    await expect(api.explain(engine, claim('c', [gpuRequest('gpu', 1)]), { signal })).rejects.toMatchObject({ name: 'AbortError' });
  });
});

describe('non-blocking on a medium workload', () => {
  it('gpu-5k at 100 nodes: prepare yields per node, schedule per Pod, explain per node', { timeout: 120_000 }, async () => {
    const w = gpu5k.generate(100, new Random(1));
    const objs: DraObject[] = [...w.classes, ...w.nodes, ...w.slices, ...w.templates, ...w.pods.slice(0, 200)];
    const engine = await api.Engine.create({ objects: objs });
    // With sliceMs 0 every unit of work ends a slice: the loop must turn at least once per unit
    // (a blocking implementation turns it 0 times).
    let turns = loopTurns();
    await api.prepare(engine, { sliceMs: 0 });
    expect(turns.count()).toBeGreaterThanOrEqual(100);
    turns.stop();
    turns = loopTurns();
    const result = await api.schedule(engine, objs, { sliceMs: 0 });
    expect(turns.count()).toBeGreaterThanOrEqual(200);
    turns.stop();
    expect(result.pods).toHaveLength(200);
    turns = loopTurns();
    const probe = result.claims.find((c) => c.status?.allocation)!;
    const e = await api.explain(engine, { ...probe, status: undefined }, { sliceMs: 0 });
    expect(turns.count()).toBeGreaterThanOrEqual(100);
    turns.stop();
    expect(e.nodes).toHaveLength(100);
  });
});

describe('createScheduler', () => {
  it('places one Pod at a time and stamps its claim from the template', { timeout: 30_000 }, async () => {
    const engine = await api.Engine.create({ objects: cluster() });
    const scheduler = await api.createScheduler(engine, cluster());
    const d1 = scheduler.schedulePod(gpuPod('p1'));
    expect(d1.node).toBe('n1');
    expect(d1.created.map((c) => c.metadata.name)).toEqual(['p1-gpu']);
    expect(d1.updated.map((c) => [c.metadata.name, c.status?.allocation?.devices?.results?.map((r) => `${r.pool}/${r.device}`)])).toEqual([['p1-gpu', ['n1/gpu-0']]]);
    expect(scheduler.schedulePod(gpuPod('p2')).node).toBe('n2');
    expect(scheduler.schedulePod(gpuPod('p3')).node).toBeUndefined();
  });
});

describe('explain (async)', () => {
  it('explains on every node, one node per slice', { timeout: 30_000 }, async () => {
    const taken = [claim('a', [gpuRequest('gpu', 1)])];
    const engine = await api.Engine.create({ objects: cluster() });
    const out = await engine.allocate(taken, { node: 'n1' });
    if (out.kind !== 'allocated') throw new Error(out.kind);
    engine.commit(taken[0], out.results[0]);
    const turns = loopTurns();
    const e = await api.explain(engine, claim('b', [gpuRequest('gpu', 1)]), { sliceMs: 0 });
    const count = turns.count();
    turns.stop();
    expect(e.claim).toBe('default/b');
    expect(e.nodes.map((n) => [n.node, n.verdict, n.reason])).toEqual([
      ['n1', 'unsatisfiable', 'request gpu: every matching device is already allocated'],
      ['n2', 'allocatable', 'fits'],
    ]);
    expect(count).toBeGreaterThanOrEqual(2);
  });
});

describe('normalize', () => {
  it('reads client-node models: _int attributes, Date timestamps, list items without kind', { timeout: 60_000 }, async () => {
    const k8s = await import('@kubernetes/client-node');
    const attr = new k8s.V1DeviceAttribute();
    attr._int = 80;
    const dev = new k8s.V1Device();
    dev.name = 'gpu-0';
    dev.attributes = { memory: attr };
    const slice = new k8s.V1ResourceSlice();
    slice.metadata = { name: 's', creationTimestamp: new Date('2026-01-02T03:04:05Z') };
    slice.spec = { driver: 'gpu.example.com', nodeName: 'n1', pool: { name: 'n1', generation: 1, resourceSliceCount: 1 }, devices: [dev] } as never;
    const o = api.normalize(slice, { kind: 'ResourceSlice' }) as ResourceSlice;
    expect(o.apiVersion).toBe('resource.k8s.io/v1');
    expect(o.kind).toBe('ResourceSlice');
    expect(o.metadata?.creationTimestamp).toBe('2026-01-02T03:04:05Z');
    expect(o.spec.devices?.[0].attributes).toEqual({ memory: { int: 80 } });
  });

  it('reads kubectl JSON and rejects what it cannot read, naming the object and field', () => {
    const json = { apiVersion: 'resource.k8s.io/v1', kind: 'DeviceClass', metadata: { name: 'gpu' }, spec: { selectors: [] } };
    expect(api.normalize(json)).toMatchObject({ kind: 'DeviceClass', metadata: { name: 'gpu' } });
    expect(() => api.normalize({ metadata: { name: 'x' } })).toThrow(/apiVersion: missing/);
    expect(() => api.normalize({ kind: 'ConfigMap', metadata: { name: 'x' } })).toThrow(api.InputError);
    expect(() => api.normalize({ kind: 'ConfigMap', metadata: { name: 'x' } })).toThrow('<object>: kind ConfigMap is not one dralloc reads');
    expect(() => api.normalize({ ...json, spec: { selectors: 'all' } }, { source: 'informer' })).toThrow(/^informer.*DeviceClass gpu.*spec\.selectors: .*array/);
  });
});

describe('decode', () => {
  it('decodes multi-document YAML and Lists into plain objects, with the CLI load errors', () => {
    const text = 'apiVersion: v1\nkind: List\nitems:\n- {apiVersion: v1, kind: Node, metadata: {name: n1}}\n---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\n';
    const { objects: objs, warnings } = api.decode(text, 'in.yaml');
    expect(objs.map((o) => `${o.kind}/${o.metadata?.name}`)).toEqual(['Node/n1']);
    expect(warnings).toEqual(['in.yaml: document 2: skipping v1 ConfigMap c: kind not used by dralloc']);
    expect(() => api.decode('kind: [', 'bad.yaml')).toThrow(/^bad\.yaml: line 1, column \d+: syntax error/);
  });
});

describe('lint', () => {
  it('finds API-server errors in a text', { timeout: 30_000 }, async () => {
    const text = 'apiVersion: resource.k8s.io/v1\nkind: DeviceClass\nmetadata: {name: Bad_Name}\nspec: {}\n';
    const findings = await api.lint({ text, file: 'c.yaml' });
    expect(findings.length).toBeGreaterThan(0);
    expect(findings[0]).toMatchObject({ severity: 'error', file: 'c.yaml', line: 3, path: 'metadata.name' });
  });

  it('yields per document checked, and stops when aborted', { timeout: 30_000 }, async () => {
    const text = Array.from({ length: 150 }, (_, i) => `apiVersion: v1\nkind: Node\nmetadata: {name: n${i}}\n`).join('---\n');
    const turns = loopTurns();
    expect(await api.lint({ text }, { sliceMs: 0 })).toEqual([]);
    turns.stop();
    expect(turns.count()).toBeGreaterThanOrEqual(150);
    const ctl = new AbortController();
    setImmediate(() => ctl.abort());
    await expect(api.lint({ text }, { signal: ctl.signal, sliceMs: 0 })).rejects.toMatchObject({ name: 'AbortError' });
  });
});

describe('building blocks', () => {
  it('resolvePodClaims stamps <pod>-<claim> from the template; nodeRejects applies nodeSelector', () => {
    const tpl = template('gpu-1', [gpuRequest('gpu', 1)]);
    const { claims, created } = api.resolvePodClaims(gpuPod('p1'), { claims: new Map(), templates: new Map([[api.claimKey('default', 'gpu-1'), tpl]]) });
    expect(created.map((c) => c.metadata.name)).toEqual(['p1-gpu']);
    expect(claims[0].spec).toEqual(tpl.spec.spec);
    expect(() => api.resolvePodClaims(gpuPod('p1'), { claims: new Map(), templates: new Map() })).toThrow(api.PodClaimError);
    const [n1] = gpuNode('n1', 1, { labels: { zone: 'a' } });
    expect(api.nodeRejects(gpuPod('p', 'gpu-1', { nodeSelector: { zone: 'a' } }), n1)).toBeUndefined();
    expect(api.nodeRejects(gpuPod('p', 'gpu-1', { nodeSelector: { zone: 'b' } }), n1)).toBe("node(s) didn't match Pod's node affinity/selector");
  });
});
