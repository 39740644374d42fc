/**
 * fast-check arbitraries for small random DRA scenarios: 1–3 pools with 1–8 devices in all,
 * attributes drawn from a small value set (so constraints and selectors sometimes hold),
 * optional taints, shared counters, multi-allocatable devices with capacities and request
 * policies (the `counterMix` knob makes counters, taints, constraints and shared devices
 * frequent together), binding conditions, pre-allocated claims, and 1–3 claims with 1–3 requests each
 * (ExactCount 1–3, All, firstAvailable, adminAccess, tolerations, capacity requests,
 * matchAttribute / distinctAttribute), under a random feature-gate set.
 *
 * Objects go through the real loader (`loadText`), so engine and reference see exactly what
 * the CLI would decode. `scenarioYaml` prints a scenario as a multi-document YAML input for
 * `dralloc allocate` (the reproduction format used in reports).
 */

import fc, { type GeneratorValue } from 'fast-check';
import { stringify } from 'yaml';
import { loadText } from '../../src/model/load.js';
import { GATE_DEFAULTS, type FeatureGates, type GateName } from '../../src/features.js';
import type { DraObject, ResourceClaim } from '../../src/model/types.js';

export const NODE = 'node-1';

export interface Scenario {
  /** Node, classes, slices and the already allocated claims. */
  objects: DraObject[];
  /** The claims to allocate together, in order. */
  claims: ResourceClaim[];
  /** A second claim set (for the release test), allocated against the same cluster. */
  otherClaims: ResourceClaim[];
  gates: FeatureGates;
}

/**
 * Knobs for the generator. The defaults leave out the inputs that trigger the engine
 * differences listed in docs/testing.md ("Known engine differences"), so that the main property
 * test stays green while those are open; the `it.fails` tests turn them back on.
 */
export interface ScenarioOptions {
  /** distinctAttribute constraints over requests that may take several devices (per-request keying). */
  distinctMulti?: boolean;
  /**
   * Fields of disabled features that upstream rejects with texts or in an order the engine does
   * not match: capacity requests and distinctAttribute without DRAConsumableCapacity, an
   * explicit `adminAccess: false` without DRAAdminAccess; and an unguarded selector, whose
   * "no such key" error, a list-valued attribute under `rank >= 2` and `device.allowMultipleAllocations`
   * without DRAConsumableCapacity (CEL errors the engine can miss where upstream's search order
   * reaches them); a duplicate device name in an incomplete pool; binding conditions in an
   * incomplete or invalid pool (the engine sorts such a pool last); constraints in a claim with an
   * All request (the engine checks capacity before constraints there).
   */
  knownEngineBugs?: boolean;
  /**
   * Shared counters mixed with what upstream's counter accounting interacts with: nearly every
   * pool has counters and nearly every device consumes them, with more taints, match/distinct
   * constraints and multi-allocatable devices (some without capacities), and allocated shares
   * that do not always report consumedCapacity.
   */
  counterMix?: boolean;
}

type Raw = Record<string, unknown>;

/** A small imperative builder over fast-check's `gen` (values shrink with the run). */
class Draw {
  constructor(private readonly g: GeneratorValue) {}
  /** Uniform in [min, max] (fast-check's default bias towards small values would starve pools of devices). */
  int(min: number, max: number): number {
    return this.g(() => fc.noBias(fc.integer({ min, max })));
  }
  chance(percent: number): boolean {
    return this.int(0, 99) < percent;
  }
  pick<T>(xs: readonly T[]): T {
    return xs[this.int(0, xs.length - 1)];
  }
  subset<T>(xs: readonly T[]): T[] {
    return xs.filter(() => this.chance(50));
  }
}

const DRIVERS = ['driver-a', 'driver-b'];
const MODELS = ['a', 'b'];

/** A selector that raises "no such key" on devices without `model` (a fatal error upstream). */
const UNGUARDED = `device.attributes[device.driver].model == "a"`;

/** Guarded selectors over the small value sets (`rank >= 2` has no overload for list values: a runtime error). */
const REQUEST_SELECTORS = [
  `has(device.attributes[device.driver].model) && device.attributes[device.driver].model == "a"`,
  `"model" in device.attributes[device.driver] && device.attributes[device.driver].model == "b"`,
  `has(device.attributes[device.driver].rank) && device.attributes[device.driver].rank >= 2`,
  `has(device.capacity[device.driver].mem) && device.capacity[device.driver].mem.compareTo(quantity("2")) >= 0`,
  `!has(device.attributes[device.driver].fast) || device.attributes[device.driver].fast`,
  `has(device.attributes[device.driver].ver) && device.attributes[device.driver].ver.isGreaterThan(semver("1.5.0"))`,
];

function deviceClasses(): Raw[] {
  const cls = (name: string, exprs: string[], config = false): Raw => ({
    apiVersion: 'resource.k8s.io/v1',
    kind: 'DeviceClass',
    metadata: { name },
    spec: {
      selectors: exprs.map((expression) => ({ cel: { expression } })),
      ...(config ? { config: [{ opaque: { driver: 'driver-a', parameters: { from: name } } }] } : {}),
    },
  });
  return [
    cls('class-any', []),
    cls('class-a', ['device.driver == "driver-a"'], true),
    cls('class-model-a', ['has(device.attributes[device.driver].model) && device.attributes[device.driver].model == "a"']),
    cls('class-multi', ['device.allowMultipleAllocations']),
  ];
}
const CLASSES = ['class-any', 'class-any', 'class-a', 'class-model-a'];

function attributes(d: Draw, lists: boolean, opts: ScenarioOptions): Raw {
  const attrs: Raw = {};
  if (d.chance(85)) attrs.model = lists && d.chance(25) ? { strings: d.subset(MODELS).concat('c') } : { string: d.pick(MODELS) };
  // A list-valued rank makes the `rank >= 2` selector a runtime error (see knownEngineBugs).
  if (d.chance(70)) attrs.rank = lists && opts.knownEngineBugs && d.chance(20) ? { ints: [1, d.int(2, 3)] } : { int: d.int(1, 3) };
  if (d.chance(40)) attrs.fast = { bool: d.chance(50) };
  if (d.chance(40)) attrs.ver = { version: d.pick(['1.0.0', '2.0.0']) };
  if (d.chance(30)) attrs['example.com/zone'] = { string: d.pick(['z1', 'z2']) };
  return attrs;
}

function capacity(d: Draw): Raw {
  const value = String(d.int(2, 6));
  const policies: (Raw | undefined)[] = [
    undefined,
    { default: '1' },
    { default: '1', validRange: { min: '1', max: value, step: String(d.int(1, 2)) } },
    { default: '1', validValues: ['1', '2', '4'] },
  ];
  const requestPolicy = d.pick(policies);
  return { mem: { value, ...(requestPolicy ? { requestPolicy } : {}) } };
}

function device(d: Draw, name: string, lists: boolean, counterSet: string | undefined, perDevice: boolean, opts: ScenarioOptions): Raw {
  const dev: Raw = { name, attributes: attributes(d, lists, opts) };
  const mix = opts.counterMix === true;
  const multi = d.chance(mix ? 40 : 25);
  if (multi) dev.allowMultipleAllocations = true;
  // Without counterMix a multi-allocatable device always has a capacity.
  if ((multi && (!mix || d.chance(75))) || d.chance(45)) dev.capacity = capacity(d);
  if (counterSet && d.chance(mix ? 90 : 70)) dev.consumesCounters = [{ counterSet, counters: { c: { value: String(d.int(1, 3)) } } }];
  if (d.chance(mix ? 30 : 12)) dev.taints = [{ key: d.pick(['k1', 'k2']), value: 'v', effect: d.pick(['NoSchedule', 'NoExecute', 'None']) }];
  if (d.chance(8)) dev.bindingConditions = ['ready'];
  if (d.chance(8)) dev.bindsToNode = true;
  if (perDevice) {
    const where = d.int(0, 2);
    if (where === 0) dev.nodeName = NODE;
    else if (where === 1) dev.nodeName = d.pick([NODE, 'node-2']);
    else dev.allNodes = true;
  }
  return dev;
}

/** One pool: a few device slices (some node-local, some shared), maybe a counter slice, maybe broken. */
function pool(d: Draw, index: number, numDevices: number, lists: boolean, opts: ScenarioOptions): Raw[] {
  const driver = d.pick(DRIVERS);
  const name = `pool-${index}`;
  const withCounters = d.chance(opts.counterMix ? 90 : 35);
  const counterSet = withCounters ? 'set-1' : undefined;
  const placement = d.pick(['nodeName', 'nodeName', 'nodeName', 'allNodes', 'nodeSelector', 'perDevice', 'otherNode']);
  const numSlices = numDevices > 1 && d.chance(30) ? 2 : 1;
  const slices: Raw[] = [];
  let next = 0;
  for (let s = 0; s < numSlices; s++) {
    const count = s === numSlices - 1 ? numDevices - next : d.int(0, numDevices - next);
    const devices = Array.from({ length: count }, (_, i) => device(d, `dev-${next + i}`, lists, counterSet, placement === 'perDevice', opts));
    next += count;
    const spec: Raw = { driver, pool: { name, generation: 1, resourceSliceCount: 0 }, devices };
    if (placement === 'nodeName') spec.nodeName = NODE;
    else if (placement === 'otherNode') spec.nodeName = s === 0 ? NODE : 'node-2';
    else if (placement === 'allNodes') spec.allNodes = true;
    else if (placement === 'perDevice') spec.perDeviceNodeSelection = true;
    else spec.nodeSelector = { nodeSelectorTerms: [{ matchExpressions: [{ key: 'region', operator: 'In', values: [d.pick(['r1', 'r1', 'r1', 'r2'])] }] }] };
    slices.push({ apiVersion: 'resource.k8s.io/v1', kind: 'ResourceSlice', metadata: { name: `${name}-slice-${String.fromCharCode(98 - s)}` }, spec });
  }
  if (withCounters) {
    const counters = { c: { value: String(d.int(2, 6)) } };
    slices.push({
      apiVersion: 'resource.k8s.io/v1',
      kind: 'ResourceSlice',
      metadata: { name: `${name}-counters` },
      spec: { driver, pool: { name, generation: 1, resourceSliceCount: 0 }, sharedCounters: [{ name: 'set-1', counters }] },
    });
  }
  let count = slices.length;
  const incomplete = d.chance(5);
  if (incomplete) count++;
  if (d.chance(5)) {
    // an outdated slice of an older generation, ignored
    slices.push({
      apiVersion: 'resource.k8s.io/v1',
      kind: 'ResourceSlice',
      metadata: { name: `${name}-old` },
      spec: { driver, pool: { name, generation: 0, resourceSliceCount: 1 }, nodeName: NODE, devices: [{ name: 'dev-old' }] },
    });
  }
  const duplicate = d.chance(3) && numDevices > 0 && (!incomplete || opts.knownEngineBugs);
  if (duplicate) {
    // a duplicate device name makes the pool invalid (if it is complete)
    const first = slices[0].spec as { devices: Raw[] };
    first.devices.push({ ...first.devices[0] });
  }
  if ((incomplete || duplicate) && !opts.knownEngineBugs) {
    for (const s of slices) for (const dev of ((s.spec as Raw).devices as Raw[] | undefined) ?? []) delete dev.bindingConditions;
  }
  for (const s of slices) {
    const p = (s.spec as { pool: { generation: number; resourceSliceCount: number } }).pool;
    if (p.generation === 1) p.resourceSliceCount = count;
  }
  return slices;
}

function tolerations(d: Draw): Raw[] {
  return [d.pick<Raw>([{ key: 'k1', operator: 'Exists' }, { key: 'k2', operator: 'Equal', value: 'v' }, { operator: 'Exists' }, { key: 'k1', operator: 'Exists', effect: 'NoSchedule' }])];
}

/**
 * Percent chance of a field that needs gate `on`: as given while it is enabled, rarely while it
 * is disabled (then upstream reports an error, which is worth testing now and then).
 */
const gated = (d: Draw, on: boolean, percent: number, whenOff = 3) => d.chance(on ? percent : whenOff);

/** The fields an `exactly` request and a subrequest share. */
function requestCore(d: Draw, g: FeatureGates, opts: ScenarioOptions): Raw {
  const multi = gated(d, g.DRAConsumableCapacity, 10, opts.knownEngineBugs ? 3 : 0);
  const core: Raw = { deviceClassName: multi ? 'class-multi' : d.pick(CLASSES) };
  if (d.chance(7)) core.allocationMode = 'All';
  else {
    core.allocationMode = 'ExactCount';
    core.count = d.pick([1, 1, 1, 1, 2, 3]);
  }
  if (d.chance(30)) core.selectors = [{ cel: { expression: d.pick(opts.knownEngineBugs ? [...REQUEST_SELECTORS, UNGUARDED] : REQUEST_SELECTORS) } }];
  if (d.chance(20)) core.tolerations = tolerations(d);
  if (gated(d, g.DRAConsumableCapacity, 12, opts.knownEngineBugs ? 3 : 0)) core.capacity = { requests: { mem: String(d.int(1, 3)) } };
  return core;
}

function claim(d: Draw, name: string, g: FeatureGates, opts: ScenarioOptions): Raw {
  const requests: Raw[] = [];
  const numRequests = d.pick([1, 1, 1, 2, 3]);
  for (let r = 0; r < numRequests; r++) {
    if (gated(d, g.DRAPrioritizedList, 20)) {
      const subs = Array.from({ length: d.int(1, 3) }, (_, i) => ({ name: `sub-${i}`, ...requestCore(d, g, opts) }));
      requests.push({ name: `req-${r}`, firstAvailable: subs });
    } else {
      const exactly = requestCore(d, g, opts);
      if (gated(d, g.DRAAdminAccess, 10)) exactly.adminAccess = d.chance(90) || !(g.DRAAdminAccess || opts.knownEngineBugs);
      requests.push({ name: `req-${r}`, exactly });
    }
  }
  const names = requests.map((r) => r.name as string);
  const constraints: Raw[] = [];
  const hasAll = JSON.stringify(requests).includes('"All"');
  if (hasAll && !opts.knownEngineBugs) {
    // no constraints next to All requests (see knownEngineBugs)
  } else if (d.chance(opts.counterMix ? 60 : 30)) {
    constraints.push({ requests: d.subset(names), matchAttribute: d.pick(['driver-a/model', 'driver-b/model', 'driver-a/rank', 'example.com/zone']) });
  }
  if (!(hasAll && !opts.knownEngineBugs) && gated(d, g.DRAConsumableCapacity, opts.counterMix ? 40 : 20, opts.knownEngineBugs ? 20 : 0)) {
    // distinctAttribute over requests that take one device each unless distinctMulti is on
    const single = requests.filter((r) => opts.distinctMulti || (r.exactly as Raw | undefined)?.count === 1);
    if (single.length > 0) constraints.push({ requests: single.map((r) => r.name), distinctAttribute: d.pick(['driver-a/model', 'driver-a/rank']) });
  }
  const spec: Raw = { devices: { requests, ...(constraints.length ? { constraints } : {}) } };
  if (d.chance(10)) (spec.devices as Raw).config = [{ requests: d.subset(names), opaque: { driver: 'driver-a', parameters: { claim: name } } }];
  return { apiVersion: 'resource.k8s.io/v1', kind: 'ResourceClaim', metadata: { name, namespace: 'default' }, spec };
}

/** Claims that already hold some of the devices: dedicated, shared (with capacity) or admin access. */
function allocatedClaims(d: Draw, slices: Raw[], opts: ScenarioOptions): Raw[] {
  const devices = slices.flatMap((s) => {
    const spec = s.spec as { driver: string; pool: { name: string; generation: number }; devices?: Raw[] };
    return spec.pool.generation === 1 ? (spec.devices ?? []).map((dev) => ({ spec, dev })) : [];
  });
  const out: Raw[] = [];
  const n = devices.length === 0 ? 0 : d.pick([0, 0, 1, 2]);
  for (let i = 0; i < n; i++) {
    const { spec, dev } = d.pick(devices);
    const result: Raw = { request: 'req-0', driver: spec.driver, pool: spec.pool.name, device: dev.name };
    if (dev.allowMultipleAllocations && d.chance(80)) {
      result.shareID = `bbbbbbbb-bbbb-bbbb-bbbb-00000000000${i}`;
      // counterMix: a share that reports no consumedCapacity (upstream then counts its counters again).
      if (dev.capacity && (!opts.counterMix || d.chance(70))) result.consumedCapacity = { mem: '1' };
    } else if (d.chance(15)) result.adminAccess = true;
    out.push({
      apiVersion: 'resource.k8s.io/v1',
      kind: 'ResourceClaim',
      metadata: { name: `allocated-${i}`, namespace: 'default' },
      spec: { devices: { requests: [{ name: 'req-0', exactly: { deviceClassName: 'class-any', allocationMode: 'ExactCount', count: 1 } }] } },
      status: { allocation: { devices: { results: [result] } } },
    });
  }
  return out;
}

/** Random gates: the v1.36 defaults half of the time, else each gate flipped with probability 20%. */
function gates(d: Draw): FeatureGates {
  const out = { ...GATE_DEFAULTS } as FeatureGates;
  if (d.chance(50)) return out;
  for (const name of Object.keys(GATE_DEFAULTS) as GateName[]) {
    if (d.chance(20)) out[name] = !out[name];
  }
  return out;
}

function decode(raw: Raw[]): DraObject[] {
  return loadText(JSON.stringify({ apiVersion: 'v1', kind: 'List', items: raw }), 'scenario.json').objects.map((l) => l.object);
}

export function scenarioArbitrary(opts: ScenarioOptions = {}): fc.Arbitrary<Scenario> {
  return fc.gen().map((g) => {
    const d = new Draw(g);
    const gateSet = gates(d);
    const lists = gateSet.DRAListTypeAttributes;
    const numPools = d.int(1, 3);
    const slices: Raw[] = [];
    let left = 8;
    for (let p = 0; p < numPools; p++) {
      const here = Math.min(left, d.int(2, 4));
      left -= here;
      slices.push(...pool(d, p, here, lists, opts));
    }
    const node: Raw = { apiVersion: 'v1', kind: 'Node', metadata: { name: NODE, labels: { region: 'r1' } } };
    const other: Raw = { apiVersion: 'v1', kind: 'Node', metadata: { name: 'node-2', labels: { region: 'r2' } } };
    const objects = decode([node, other, ...deviceClasses(), ...slices, ...allocatedClaims(d, slices, opts)]);
    const claims = decode(Array.from({ length: d.pick([1, 1, 1, 2, 3]) }, (_, i) => claim(d, `claim-${i}`, gateSet, opts))) as ResourceClaim[];
    const otherClaims = decode(Array.from({ length: d.int(1, 2) }, (_, i) => claim(d, `other-${i}`, gateSet, opts))) as ResourceClaim[];
    return { objects, claims, otherClaims, gates: gateSet };
  });
}

/** `K=V,...` for `--feature-gates`. */
export function gateFlag(g: FeatureGates): string {
  return Object.entries(g)
    .map(([k, v]) => `${k}=${v}`)
    .join(',');
}

/** The scenario as one multi-document YAML input (node, classes, slices, allocated claims, claims). */
export function scenarioYaml(s: Scenario): string {
  const header = `# dralloc allocate -f scenario.yaml --node ${NODE} --feature-gates ${gateFlag(s.gates)}\n`;
  return header + [...s.objects, ...s.claims].map((o) => stringify(o)).join('---\n');
}
