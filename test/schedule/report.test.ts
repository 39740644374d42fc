/**
 * The report's data model (src/report/model.ts) on hand-checked runs, and the page (html.ts):
 * self-contained, safe against markup in names, and of a reasonable size for 5,000 nodes.
 * Expected device states follow from the placements worked out in semantics.test.ts and the
 * fixture's comments ('.' free, '#' allocated, 's' shared, 'b' blocked by used-up counters).
 */
import { describe, it, expect } from 'vitest';
import { Engine } from '../../src/engine.js';
import { schedule, type Strategy } from '../../src/schedule/scheduler.js';
import { buildReport, renderHtml, type ReportModel } from '../../src/report/index.js';
import { fragmentationBins, utilisationChart } from '../../src/report/charts.js';
import { CURVE_POINTS } from '../../src/report/holders.js';
import { loadPaths } from '../../src/model/load.js';
import { generateWorkload } from '../../src/gen/workloads.js';
import type { Device, DraObject, ResourceSlice } from '../../src/model/types.js';
import { claim, gpuPod, namespace, objects, pod, template } from '../fixtures/schedule/build.js';

const FRAGMENTED = 'examples/fragmented.yaml';

async function reportOf(objs: DraObject[], strategy: Strategy = 'upstream', title?: string): Promise<ReportModel> {
  const engine = await Engine.create({ objects: objs });
  const result = schedule(engine, objs, { strategy });
  return buildReport(engine, result, { strategy, title });
}

async function fixture(path: string): Promise<DraObject[]> {
  return (await loadPaths([path])).objects.map((l) => l.object);
}

const byName = (m: ReportModel) => Object.fromEntries(m.nodes.map((n) => [n.name, n]));

describe('report model: whole devices (fragmented.yaml)', () => {
  it('upstream: device states, Pods per node, fragmentation and the unschedulable Pod', { timeout: 60_000 }, async () => {
    const m = await reportOf(await fixture(FRAGMENTED), 'upstream');
    const n = byName(m);
    // node-a: gpu-0..2 running-a, gpu-3 small-1; node-b: gpu-0 small-2; node-c: gpu-0,1 running-c.
    expect(m.nodes.map((x) => [x.name, x.states])).toEqual([
      ['node-a', '####'],
      ['node-b', '#...'],
      ['node-c', '##..'],
    ]);
    expect(m.nameLists).toEqual([['gpu-0', 'gpu-1', 'gpu-2', 'gpu-3']]);
    expect(m.nodes.map((x) => x.names)).toEqual([0, 0, 0]);
    expect(n['node-a'].pods).toEqual(['default/small-1']);
    expect(n['node-b'].pods).toEqual(['default/small-2']);
    expect(n['node-c'].pods).toBeUndefined();
    // The allocations in the input are attributed to their claims (their Pods are not in the input).
    expect(n['node-a'].before).toEqual(['default/running-a (reserved for running-a): gpu-0, gpu-1, gpu-2']);
    expect(n['node-b'].before).toBeUndefined();
    expect(n['node-c'].before).toEqual(['default/running-c (reserved for running-c): gpu-0, gpu-1']);
    // 5 devices in use before the run; small-1 and small-2 take one each; big (the 3rd Pod) fails.
    expect(m.curve).toEqual({ devices: 12, points: [[0, 5], [1, 6], [2, 7], [3, 7]], firstUnschedulable: 3 });
    expect(m.nodes.map((x) => x.use)).toEqual([1, 0.25, 0.5]);
    expect(m.nodes.map((x) => x.fragmented)).toEqual([false, true, true]);
    expect(m.summary).toEqual({
      pods: 3,
      scheduled: 2,
      unschedulable: 1,
      nodes: 3,
      devices: 12,
      devicesAllocated: 7,
      devicesShared: 0,
      devicesBlocked: 0,
      sharedPoolDevices: 0,
      nodesEmpty: 0,
      nodesPartlyUsed: 2,
      nodesFull: 1,
      counterSets: 0,
      counterSetsPartlyUsed: 0,
    });
    expect(m.classes).toEqual([{ name: 'gpu', devices: 12, used: 7 }]);
    expect(m.unschedulable).toHaveLength(1);
    expect(m.unschedulable[0].pods).toEqual(['default/big']);
    expect(m.unschedulable[0].message).toMatch(/^0\/3 nodes are available: 3 cannot allocate all claims\./);
    expect(m.strategy).toBe('upstream');
  });

  it('pack: two nodes full, one fragmented, nothing unschedulable', async () => {
    const m = await reportOf(await fixture(FRAGMENTED), 'pack');
    expect(m.nodes.map((x) => x.states)).toEqual(['####', '####', '###.']);
    // small-1 → node-a (6), small-2 → node-c (7), big → node-b (11); no Pod fails.
    expect(m.curve).toEqual({ devices: 12, points: [[0, 5], [1, 6], [2, 7], [3, 11]] });
    // node-a and node-b have no free device, node-c one.
    expect(fragmentationBins(m.nodes)).toEqual([
      { label: '0', nodes: 2, kind: 'full' },
      { label: '1', nodes: 1, kind: 'partly' },
      { label: '2', nodes: 0, kind: 'partly' },
      { label: '3', nodes: 0, kind: 'partly' },
      { label: '4', nodes: 0, kind: 'partly' },
    ]);
    expect(m.summary).toMatchObject({ scheduled: 3, unschedulable: 0, devicesAllocated: 11, nodesFull: 2, nodesPartlyUsed: 1, nodesEmpty: 0 });
    expect(m.unschedulable).toEqual([]);
  });
});

describe('report model: shared counters and consumable capacity', () => {
  // One partitionable GPU: counter set gpu-0 {memory 80Gi, slices 7}; devices 7g (80Gi, 7),
  // 3g-a and 3g-b (40Gi, 3 each), 1g (10Gi, 1). A Pod takes one 3g device: 3g-a.
  const profile = (p: string) => ({ profile: { string: p } });
  const consumes = (mem: string, slices: string) => [{ counterSet: 'gpu-0', counters: { memory: { value: mem }, slices: { value: slices } } }];
  /** The one-slice pool of node `node` with `devices`. */
  const nodeSlice = (node: string, devices: Device[], extra: Partial<ResourceSlice['spec']> = {}): ResourceSlice => ({
    apiVersion: 'resource.k8s.io/v1',
    kind: 'ResourceSlice',
    metadata: { name: `${node}-devices` },
    spec: { driver: 'gpu.example.com', nodeName: node, pool: { name: node, generation: 1, resourceSliceCount: 1 }, devices, ...extra },
  });
  const migSlice = nodeSlice(
    'm1',
    [
      { name: '7g', attributes: profile('7g'), consumesCounters: consumes('80Gi', '7') },
      { name: '3g-a', attributes: profile('3g'), consumesCounters: consumes('40Gi', '3') },
      { name: '3g-b', attributes: profile('3g'), consumesCounters: consumes('40Gi', '3') },
      { name: '1g', attributes: profile('1g'), consumesCounters: consumes('10Gi', '1') },
    ],
    { sharedCounters: [{ name: 'gpu-0', counters: { memory: { value: '80Gi' }, slices: { value: '7' } } }] },
  );
  const gpuClass = { apiVersion: 'resource.k8s.io/v1', kind: 'DeviceClass', metadata: { name: 'gpu' }, spec: { selectors: [{ cel: { expression: 'device.driver == "gpu.example.com"' } }] } } as DraObject;
  const node = (name: string) => ({ apiVersion: 'v1', kind: 'Node', metadata: { name } }) as DraObject;

  it('counter fill, a device blocked by the counters it needs, partly consumed counter sets', async () => {
    const tpl = template('mig-3g', [{ name: 'gpu', exactly: { deviceClassName: 'gpu', selectors: [{ cel: { expression: 'device.attributes["gpu.example.com"].profile == "3g"' } }] } }]);
    const m = await reportOf(objects(gpuClass, node('m1'), migSlice, tpl, gpuPod('p1', 'mig-3g')));
    const n = m.nodes[0];
    // 7g needs 80Gi but 40Gi are left: blocked. 3g-b (40Gi, 3 of the 4 slices left) and 1g still fit.
    expect(n.states).toBe('b#..');
    expect(n.counters).toEqual([
      { label: 'gpu-0/memory', used: 0.5, text: '40Gi / 80Gi' },
      { label: 'gpu-0/slices', used: 3 / 7, text: '3 / 7' },
    ]);
    expect(n.use).toBeCloseTo((0.5 + 3 / 7) / 2, 12);
    expect(n.fragmented).toBe(true);
    expect(m.summary).toMatchObject({ devices: 4, devicesAllocated: 1, devicesBlocked: 1, counterSets: 1, counterSetsPartlyUsed: 1 });
    expect(m.counters).toEqual([
      { label: 'memory', used: 0.5, text: '40Gi / 80Gi' },
      { label: 'slices', used: 3 / 7, text: '3 / 7' },
    ]);
  });

  it('a shared NIC: share count and capacity fill, per node and in total', async () => {
    const nic = (name: string): Device => ({ name, allowMultipleAllocations: true, capacity: { bandwidth: { value: '400G' } } });
    const nicSlice = nodeSlice('r1', [nic('nic-0'), nic('nic-1')]);
    const tpl = template('bw-100', [{ name: 'nic', exactly: { deviceClassName: 'gpu', capacity: { requests: { bandwidth: '100G' } } } }]);
    // Both Pods share nic-0 (the first device with room): 200G of 400G; nic-1 stays free.
    const m = await reportOf(objects(gpuClass, node('r1'), nicSlice, tpl, gpuPod('p1', 'bw-100'), gpuPod('p2', 'bw-100')));
    const n = m.nodes[0];
    expect(n.states).toBe('s.');
    expect(n.shares).toEqual([[0, 2]]);
    expect(n.capacity).toEqual([{ label: 'nic-0/bandwidth', used: 0.5, text: '200G / 400G' }]);
    expect(n.use).toBe(0.25); // mean of nic-0 (half its capacity) and nic-1 (free)
    expect(m.summary).toMatchObject({ devicesShared: 1, devicesAllocated: 0, nodesPartlyUsed: 1 });
    expect(m.capacities).toEqual([{ label: 'bandwidth', used: 0.25, text: '200G / 800G' }]);
  });
});

describe('report page', () => {
  it('is self-contained: no external scripts, styles, fonts or images', { timeout: 60_000 }, async () => {
    const html = renderHtml(await reportOf(await fixture(FRAGMENTED)));
    expect(html.startsWith('<!doctype html>')).toBe(true);
    expect(html).not.toMatch(/\b(src|href)\s*=/i);
    expect(html).not.toMatch(/@import|url\(|https?:\/\//i);
    expect(html).toContain('<script type="application/json" id="report-data">');
    expect(html).toContain('0/3 nodes are available: 3 cannot allocate all claims.');
  });

  it('names with markup cannot break out of the page', async () => {
    const evil = '</script><img onerror=alert(1)>';
    const m = await reportOf(objects(namespace('default'), claim('c', [{ name: 'x', exactly: { deviceClassName: 'missing' } }]), pod('p1', { claims: [{ name: 'c', claim: 'c' }] })), 'upstream', evil);
    const html = renderHtml(m);
    expect(html.split('</script>')).toHaveLength(3); // exactly the two real script elements close
    expect(html).not.toContain('<img');
    // The JSON still carries the title exactly.
    const json = html.slice(html.indexOf('id="report-data">') + 'id="report-data">'.length, html.indexOf('</script>'));
    expect(JSON.parse(json).title).toBe(evil);
  });

  it('stays small for 5,000 nodes × 8 GPUs and 10,000 Pods (gpu-5k)', { timeout: 60_000 }, async () => {
    const w = generateWorkload('gpu-5k', { scale: 5000, seed: 1 });
    const m = await reportOf([...w.classes, ...w.nodes, ...w.slices, ...w.templates, ...w.pods]);
    expect(m.nodes).toHaveLength(5000);
    expect(m.nameLists).toHaveLength(1); // every node's devices are gpu-0..gpu-7
    expect(m.summary).toMatchObject({ devices: 40000, devicesAllocated: 10000, scheduled: 10000 });
    const bytes = Buffer.byteLength(renderHtml(m));
    expect(bytes).toBeLessThan(1024 * 1024);
    // 10,000 Pods, 2 devices each over 40,000 devices: the curve is sampled, linear, ends at 25%.
    expect(m.curve.points).toHaveLength(CURVE_POINTS + 1);
    expect(m.curve.points[0]).toEqual([0, 0]);
    expect(m.curve.points.at(-1)).toEqual([10000, 10000]);
    expect(m.curve.points[100]).toEqual([5000, 5000]);
    // Every node got 2 Pods of 1 GPU: 6 of 8 free everywhere.
    expect(fragmentationBins(m.nodes).map((b) => b.nodes)).toEqual([0, 0, 0, 0, 0, 0, 5000, 0, 0]);
  });

  it('the plots are inline SVG: the curve ends where utilisation ends, bars per bin', async () => {
    const m = await reportOf(await fixture(FRAGMENTED));
    const html = renderHtml(m);
    expect(html.match(/<svg class="chart"/g)).toHaveLength(2);
    expect(html).toContain('aria-label="devices in use after each Pod, ending at 58%"'); // 7 of 12
    expect(html).toContain('first unschedulable Pod: #3');
    // Histogram (upstream): node-a 0 free, node-b 3 free, node-c 2 free; bins 0..4.
    expect(html.match(/<title>\d+ nodes with \d+ free<\/title>/g)).toEqual([
      '<title>1 nodes with 0 free</title>',
      '<title>0 nodes with 1 free</title>',
      '<title>1 nodes with 2 free</title>',
      '<title>1 nodes with 3 free</title>',
      '<title>0 nodes with 4 free</title>',
    ]);
    expect(utilisationChart({ devices: 0, points: [[0, 0]] })).toBe('<p class="muted">No devices or no Pods.</p>');
  });
});
