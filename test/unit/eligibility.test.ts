/**
 * Allocate, the per-node summaries of `schedule` and explain's funnel read one eligibility rule
 * (src/compile/eligibility.ts); here they must agree on a hand-built node where each device is
 * out for a different reason. Node n1 (all feature gates at their defaults):
 * - pool n1-gpu: g0 held by claim default/holder; g1 tainted example.com/k=v:NoSchedule; g2 of
 *   kind cpu; g3 free;
 * - pool n1-part, counter set mem of 40Gi: p0 (30Gi) held by the holder, so 10Gi are left; p1
 *   needs 30Gi (short), p2 needs 10Gi (fits exactly);
 * - pool n1-nic: nic0 shared (allowMultipleAllocations), bandwidth 100G, 80G of it used by a
 *   share of the holder;
 * - pool n1-mig, counter set m2 of 10Gi: mig0 shared, consumes all 10Gi and has a share of the
 *   holder that reported no consumedCapacity: with exact counter accounting that share holds
 *   the counters, so another share needs none; with upstream's (the default) only a share in
 *   AggregatedCapacity (one that reported consumedCapacity) would, so another share needs
 *   10Gi again and none is left;
 * - pool shared (perDeviceNodeSelection): d-n1 on n1, d-n2 on n2 (not reachable from n1).
 * So for "1 device of kind gpu": g3, p2, d-n1 (3); tolerating the taint adds g1 (4); for
 * "kind nic with 10G bandwidth": nic0 (1); with 30G: nothing (20G left); kind mig: mig0 (1) with
 * exact accounting, nothing with upstream's.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { Engine } from '../../src/engine.js';
import { explainClaim } from '../../src/explain/index.js';
import { STAGES } from '../../src/explain/types.js';
import { deviceStage } from '../../src/explain/device-stage.js';
import { buildNodeView, nodeDevices } from '../../src/compile/nodeview.js';
import { compileProblem } from '../../src/compile/problem.js';
import { NodeSummaries } from '../../src/schedule/summary.js';
import type { Device, DeviceRequest, DraObject, ResourceClaim, ResourceSlice } from '../../src/model/types.js';
import type { CounterAccounting } from '../../src/wasm/layout.js';

const DRIVER = 'x.example.com';
const kind = (k: string) => ({ kind: { string: k } });

function slice(pool: string, devices: Device[], extra: Partial<ResourceSlice['spec']> = { nodeName: 'n1' }): ResourceSlice {
  return {
    apiVersion: 'resource.k8s.io/v1',
    kind: 'ResourceSlice',
    metadata: { name: `${pool}-slice` },
    spec: { driver: DRIVER, pool: { name: pool, generation: 1, resourceSliceCount: 1 }, devices, ...extra },
  };
}

const partition = (name: string, memory: string): Device => ({
  name,
  attributes: kind('gpu'),
  consumesCounters: [{ counterSet: 'mem', counters: { memory: { value: memory } } }],
});

const holder: ResourceClaim = {
  apiVersion: 'resource.k8s.io/v1',
  kind: 'ResourceClaim',
  metadata: { name: 'holder', namespace: 'default', uid: 'uid-holder' },
  spec: { devices: { requests: [{ name: 'r', exactly: { deviceClassName: 'dev' } }] } },
  status: {
    allocation: {
      devices: {
        results: [
          { request: 'r', driver: DRIVER, pool: 'n1-gpu', device: 'g0' },
          { request: 'r', driver: DRIVER, pool: 'n1-part', device: 'p0' },
          { request: 'r', driver: DRIVER, pool: 'n1-nic', device: 'nic0', shareID: 'share-1', consumedCapacity: { bandwidth: '80G' } },
          { request: 'r', driver: DRIVER, pool: 'n1-mig', device: 'mig0', shareID: 'share-2' },
        ],
      },
    },
  },
};

const objects: DraObject[] = [
  { apiVersion: 'v1', kind: 'Node', metadata: { name: 'n1' } },
  { apiVersion: 'v1', kind: 'Node', metadata: { name: 'n2' } },
  {
    apiVersion: 'resource.k8s.io/v1',
    kind: 'DeviceClass',
    metadata: { name: 'dev' },
    spec: { selectors: [{ cel: { expression: `device.driver == "${DRIVER}"` } }] },
  },
  slice('n1-gpu', [
    { name: 'g0', attributes: kind('gpu') },
    { name: 'g1', attributes: kind('gpu'), taints: [{ key: 'example.com/k', value: 'v', effect: 'NoSchedule' }] },
    { name: 'g2', attributes: kind('cpu') },
    { name: 'g3', attributes: kind('gpu') },
  ]),
  slice('n1-part', [partition('p0', '30Gi'), partition('p1', '30Gi'), partition('p2', '10Gi')], {
    nodeName: 'n1',
    sharedCounters: [{ name: 'mem', counters: { memory: { value: '40Gi' } } }],
  }),
  slice('n1-nic', [{ name: 'nic0', attributes: kind('nic'), allowMultipleAllocations: true, capacity: { bandwidth: { value: '100G' } } }]),
  slice(
    'n1-mig',
    [
      {
        name: 'mig0',
        attributes: kind('mig'),
        allowMultipleAllocations: true,
        consumesCounters: [{ counterSet: 'm2', counters: { memory: { value: '10Gi' } } }],
      },
    ],
    { nodeName: 'n1', sharedCounters: [{ name: 'm2', counters: { memory: { value: '10Gi' } } }] },
  ),
  slice(
    'shared',
    [
      { name: 'd-n1', attributes: kind('gpu'), nodeName: 'n1' },
      { name: 'd-n2', attributes: kind('gpu'), nodeName: 'n2' },
    ],
    { perDeviceNodeSelection: true },
  ),
  holder,
];

/** A claim with one request for `count` devices of `kind`, plus `more` of the request's fields. */
function claim(name: string, k: string, count: number, more: Partial<NonNullable<DeviceRequest['exactly']>> = {}): ResourceClaim {
  return {
    apiVersion: 'resource.k8s.io/v1',
    kind: 'ResourceClaim',
    metadata: { name, namespace: 'default', uid: `uid-${name}` },
    spec: {
      devices: {
        requests: [
          {
            name: 'r',
            exactly: {
              deviceClassName: 'dev',
              selectors: [{ cel: { expression: `device.attributes["${DRIVER}"].kind == "${k}"` } }],
              allocationMode: 'ExactCount',
              count,
              ...more,
            },
          },
        ],
      },
    },
  };
}

const tolerate = { tolerations: [{ key: 'example.com/k', operator: 'Equal' as const, value: 'v', effect: 'NoSchedule' as const }] };
const bandwidth = (amount: string) => ({ capacity: { requests: { bandwidth: amount } } });

interface Case {
  name: string;
  kind: string;
  more: Partial<NonNullable<DeviceRequest['exactly']>>;
  eligible: string[];
  /** Only with this counter accounting. */
  accounting?: CounterAccounting;
}
const cases: Case[] = [
  { name: 'gpu', kind: 'gpu', more: {}, eligible: ['n1-gpu/g3', 'n1-part/p2', 'shared/d-n1'] },
  { name: 'gpu-tolerating', kind: 'gpu', more: tolerate, eligible: ['n1-gpu/g1', 'n1-gpu/g3', 'n1-part/p2', 'shared/d-n1'] },
  { name: 'nic-10g', kind: 'nic', more: bandwidth('10G'), eligible: ['n1-nic/nic0'] },
  { name: 'nic-30g', kind: 'nic', more: bandwidth('30G'), eligible: [] },
  { name: 'mig-shared', kind: 'mig', more: {}, eligible: ['n1-mig/mig0'], accounting: 'exact' },
  { name: 'mig-shared', kind: 'mig', more: {}, eligible: [], accounting: 'upstream' },
];

const engines = {} as Record<CounterAccounting, Engine>;
beforeAll(async () => {
  for (const counterAccounting of ['upstream', 'exact'] as const) engines[counterAccounting] = await Engine.create({ objects, counterAccounting });
});

describe('one eligibility rule: explain, summaries and allocate agree', () => {
  const runs = (['upstream', 'exact'] as const).flatMap((a) => cases.filter((c) => (c.accounting ?? a) === a).map((c) => [a, c] as const));
  for (const [accounting, c] of runs) {
    it(`${c.name}, ${accounting} accounting: ${c.eligible.length} eligible devices`, { timeout: 30_000 }, () => {
      const engine = engines[accounting];
      const state = engine.inspect();
      const node = state.nodes.get('n1')!;
      const view = buildNodeView(engine.nodePools(node), state.allocated);
      const one = claim(c.name, c.kind, 1, c.more);
      const slot = compileProblem(view, [one], { ...state }).plan.slots[0];

      // explain: the devices that pass every per-device stage, and the funnel's count of them
      const ctx = { view, masks: state.masks, allocated: state.allocated, features: state.features, accounting, holders: new Map() };
      const passed = nodeDevices(view).filter((nd) => deviceStage(slot, nd, ctx).failed === 'passed').map((nd) => `${nd.pool.name}/${nd.device.name}`);
      expect(passed.sort()).toEqual(c.eligible);
      const funnel = explainClaim(engine, one, 'n1').nodes[0].requests[0].funnels[0];
      expect(funnel.stages[STAGES.indexOf('fits')].count).toBe(c.eligible.length);

      // the summary's count for the node
      expect(new NodeSummaries(engine, [node]).free(slot, 0)).toBe(c.eligible.length);
      // admits counts only up to the number asked about; a later exact count is still exact
      const summaries = new NodeSummaries(engine, [node]);
      const n = c.eligible.length;
      if (n > 0) expect(summaries.admits(slot, 0, 1)).toBe(true);
      expect(summaries.admits(slot, 0, n)).toBe(true);
      expect(summaries.admits(slot, 0, n + 1)).toBe(false);
      expect(summaries.free(slot, 0)).toBe(n);

      // allocate: all eligible devices together, and not one more
      if (n > 0) {
        const all = engine.allocateSync([claim(c.name, c.kind, n, c.more)], { node: 'n1' });
        if (all.kind !== 'allocated') throw new Error(`${c.name}: ${JSON.stringify(all)}`);
        const got = all.results[0].devices!.results!.map((r) => `${r.pool}/${r.device}`);
        expect(got.sort()).toEqual(c.eligible);
      }
      expect(engine.allocateSync([claim(c.name, c.kind, n + 1, c.more)], { node: 'n1' }).kind).toBe('unsatisfiable');
    });
  }

  it('explain names why each of the other devices is out', { timeout: 30_000 }, () => {
    const engine = engines.upstream;
    const state = engine.inspect();
    const view = buildNodeView(engine.nodePools(state.nodes.get('n1')!), state.allocated);
    const slotOf = (cl: ResourceClaim) => compileProblem(view, [cl], { ...state }).plan.slots[0];
    const holders = new Map([[`${DRIVER}/n1-gpu/g0`, 'default/holder']]);
    const ctx = { view, masks: state.masks, allocated: state.allocated, features: state.features, accounting: 'upstream' as const, holders };
    const why = (cl: ResourceClaim) =>
      Object.fromEntries(nodeDevices(view).map((nd) => [nd.device.name, deviceStage(slotOf(cl), nd, ctx)]).filter(([, s]) => (s as { failed: string }).failed !== 'passed'));
    expect(why(claim('gpu', 'gpu', 1))).toEqual({
      g0: { failed: 'free', reason: 'allocated to claim default/holder' },
      g1: { failed: 'untainted', reason: 'taint example.com/k=v:NoSchedule is not tolerated' },
      g2: { failed: 'selectors', reason: `selector #0 is false: device.attributes["${DRIVER}"].kind == "gpu"` },
      p0: { failed: 'free', reason: 'allocated' },
      p1: { failed: 'fits', reason: 'counter set mem counter memory: needs 30Gi, 10Gi left (short by 20Gi)' },
      nic0: { failed: 'selectors', reason: `selector #0 is false: device.attributes["${DRIVER}"].kind == "gpu"` },
      mig0: { failed: 'selectors', reason: `selector #0 is false: device.attributes["${DRIVER}"].kind == "gpu"` },
      'd-n2': { failed: 'reachable', reason: 'its per-device node selection does not include the node' },
    });
    expect(why(claim('nic', 'nic', 1, bandwidth('30G'))).nic0).toEqual({
      failed: 'fits',
      reason: 'capacity bandwidth: needs 30G, 20G left of 100G (short by 10G)',
    });
    expect(why(claim('mig', 'mig', 1)).mig0).toEqual({
      failed: 'fits',
      reason: 'counter set m2 counter memory: needs 10Gi, 0 left (short by 10Gi)',
    });
  });
});
