/**
 * API-server validation of the objects dralloc reads (resource.k8s.io/v1 as of Kubernetes
 * v1.36: pkg/apis/resource/validation, limits from types.go; see
 * shared/upstream/api-surface-v1.36.md): required fields, names, one-of rules, enums,
 * quantities, list limits and CEL compilation. Works on the raw value, so it reports
 * everything wrong in an object, not only the first thing the decoder stumbles on.
 */

import { compileSelector, CelCompileError, MAX_EXPRESSION_LENGTH, type CelOptions } from '../cel/index.js';
import { Issues, at, isObj, type FieldIssue, type Obj } from './fields.js';
import { dns1123Label, dns1123Subdomain, draFullyQualifiedName, draQualifiedName, labelValue, qualifiedName, SEMVER_RE } from './names.js';
import { fieldError } from './types.js';

/** Upstream limits (k8s.io/api/resource/v1 types.go, v1.36). */
export const LIMITS = {
  devicesPerSlice: 128,
  devicesPerSliceAdvanced: 64,
  counterSetsPerSlice: 8,
  countersPerSet: 32,
  consumptionsPerDevice: 2,
  attributesAndCapacities: 32,
  attributeString: 64,
  taintsPerDevice: 16,
  bindingConditions: 4,
  selectors: 32,
  config: 32,
  requests: 32,
  subrequests: 8,
  constraints: 32,
  tolerations: 16,
  validValues: 10,
  driverName: 63,
  poolName: 253,
} as const;

const TAINT_EFFECTS = ['NoSchedule', 'NoExecute', 'None'];
const TOLERATION_EFFECTS = ['NoSchedule', 'NoExecute'];

/** Validates one raw object of a kind dralloc reads; other kinds get no findings. */
export function validateObject(raw: unknown, cel: CelOptions): FieldIssue[] {
  const v = new Issues();
  if (!isObj(raw)) {
    v.invalid('wrong-type', '', raw, 'must be a Kubernetes object');
    return v.found;
  }
  const kind = raw.kind;
  const meta = v.obj(raw, 'metadata', '', true) ?? {};
  const name = v.str(meta, 'name', 'metadata', true);
  if (name !== undefined) v.name('metadata.name', name, dns1123Subdomain(name));
  const ns = v.str(meta, 'namespace', 'metadata');
  if (ns) v.name('metadata.namespace', ns, dns1123Label(ns));
  const spec = kind === 'Node' ? undefined : v.obj(raw, 'spec', '', kind !== 'Pod');
  if (!spec) return v.found;
  switch (kind) {
    case 'ResourceSlice':
      sliceSpec(v, spec, 'spec');
      break;
    case 'DeviceClass':
      classSpec(v, spec, 'spec', cel);
      break;
    case 'ResourceClaim':
      claimSpec(v, spec, 'spec', cel);
      break;
    case 'ResourceClaimTemplate': {
      const inner = v.obj(spec, 'spec', 'spec', true);
      if (inner) claimSpec(v, inner, 'spec.spec', cel);
      break;
    }
    case 'Pod':
      podSpec(v, spec, 'spec');
      break;
    case 'PodGroup':
      podGroupSpec(v, spec, 'spec');
      break;
    case 'DeviceTaintRule': {
      const taint = v.obj(spec, 'taint', 'spec', true);
      if (taint) deviceTaint(v, taint, 'spec.taint');
      break;
    }
  }
  return v.found;
}

// ---- ResourceSlice -----------------------------------------------------------------------------

function sliceSpec(v: Issues, spec: Obj, path: string): void {
  const driver = v.str(spec, 'driver', path, true);
  if (driver !== undefined) v.name(`${path}.driver`, driver, dns1123Subdomain(driver, LIMITS.driverName));
  const pool = v.obj(spec, 'pool', path, true);
  if (pool) {
    const p = `${path}.pool`;
    const name = v.str(pool, 'name', p, true);
    if (name !== undefined) {
      if (name.length > LIMITS.poolName) v.invalid('invalid-name', `${p}.name`, name, `must be no more than ${LIMITS.poolName} characters`);
      for (const part of name.split('/')) v.name(`${p}.name`, name, dns1123Subdomain(part));
    }
    const gen = v.int(pool, 'generation', p);
    if (gen !== undefined && gen < 0) v.invalid('invalid-value', `${p}.generation`, gen, 'must be greater than or equal to 0');
    const count = v.int(pool, 'resourceSliceCount', p, true);
    if (count !== undefined && count <= 0) v.invalid('invalid-value', `${p}.resourceSliceCount`, count, 'must be greater than zero');
  }
  const perDevice = nodeSelection(v, spec, path, ['nodeName', 'nodeSelector', 'allNodes', 'perDeviceNodeSelection'], true);
  const devices = v.objects(spec, 'devices', path);
  const counterSets = v.objects(spec, 'sharedCounters', path, LIMITS.counterSetsPerSlice);
  if (devices.length > 0 && counterSets.length > 0) {
    v.add('one-of', path, fieldError.forbidden('only one of `devices` and `sharedCounters` can be set in a ResourceSlice'));
  }
  const advanced = devices.some(([d]) => hasAdvancedFeatures(d));
  const max = advanced ? LIMITS.devicesPerSliceAdvanced : LIMITS.devicesPerSlice;
  if (devices.length > max) {
    const why = advanced ? ' (devices use taints, consumesCounters or list attributes)' : '';
    v.add('too-many', `${path}.devices`, `${fieldError.tooMany(devices.length, max)}${why}`);
  }
  v.unique(devices.map(([d, p]) => [typeof d.name === 'string' ? d.name : undefined, `${p}.name`]));
  for (const [d, p] of devices) device(v, d, p, perDevice);
  v.unique(counterSets.map(([c, p]) => [typeof c.name === 'string' ? c.name : undefined, `${p}.name`]));
  for (const [set, p] of counterSets) {
    const name = v.str(set, 'name', p, true);
    if (name !== undefined) v.name(`${p}.name`, name, dns1123Label(name));
    counters(v, set, p, true);
  }
}

function hasAdvancedFeatures(d: Obj): boolean {
  const listAttr = isObj(d.attributes) && Object.values(d.attributes).some((a) => isObj(a) && ['bools', 'ints', 'strings', 'versions'].some((k) => a[k] !== undefined));
  return (Array.isArray(d.taints) && d.taints.length > 0) || (Array.isArray(d.consumesCounters) && d.consumesCounters.length > 0) || listAttr;
}

/**
 * Exactly one of the node selection `fields` (nodeName non-empty, nodeSelector with one term,
 * allNodes / perDeviceNodeSelection true); returns whether perDeviceNodeSelection is set.
 */
function nodeSelection(v: Issues, o: Obj, path: string, fields: string[], required: boolean): boolean {
  const set = fields.filter((f) => o[f] !== undefined && o[f] !== null && o[f] !== '' && o[f] !== false);
  for (const f of ['allNodes', 'perDeviceNodeSelection']) {
    if (!fields.includes(f)) continue;
    const b = v.bool(o, f, path);
    if (b === false) v.invalid('invalid-value', at(path, f), false, 'must be either unset or set to true');
  }
  const nodeName = v.str(o, 'nodeName', path);
  if (nodeName) v.name(at(path, 'nodeName'), nodeName, dns1123Subdomain(nodeName));
  const sel = v.obj(o, 'nodeSelector', path);
  if (sel) {
    const terms = v.list(sel, 'nodeSelectorTerms', `${at(path, 'nodeSelector')}`, undefined, true);
    if (terms.length > 1) v.invalid('invalid-value', `${at(path, 'nodeSelector')}.nodeSelectorTerms`, terms.length, 'must have exactly one node selector term');
  }
  const names = fields.map((f) => `\`${f}\``).join(', ');
  if (set.length === 0 && required) v.required(path, `exactly one of ${names} is required`);
  if (set.length > 1) v.invalid('one-of', path, `{${set.map((f) => `\`${f}\``).join(', ')}}`, `exactly one of ${names} is required, but multiple fields are set`);
  return set.includes('perDeviceNodeSelection');
}

function device(v: Issues, d: Obj, path: string, perDevice: boolean): void {
  const name = v.str(d, 'name', path, true);
  if (name !== undefined) v.name(`${path}.name`, name, dns1123Label(name));
  const attrs = v.entries(d, 'attributes', path);
  const caps = v.entries(d, 'capacity', path);
  if (attrs.length + caps.length > LIMITS.attributesAndCapacities) {
    v.add('too-many', path, fieldError.tooMany(attrs.length + caps.length, LIMITS.attributesAndCapacities) + ' (attributes and capacity together)');
  }
  for (const [key, value, p] of attrs) {
    v.name(p, key, draQualifiedName(key).map((e) => `key: ${e}`));
    if (isObj(value)) attribute(v, value, p);
    else v.invalid('wrong-type', p, value, 'must be an object');
  }
  const multi = d.allowMultipleAllocations === true;
  for (const [key, value, p] of caps) {
    v.name(p, key, draQualifiedName(key).map((e) => `key: ${e}`));
    if (!isObj(value)) {
      v.invalid('wrong-type', p, value, 'must be an object');
      continue;
    }
    const total = v.quantity(value, 'value', p, true);
    const policy = v.obj(value, 'requestPolicy', p);
    if (policy && !multi) v.add('forbidden', `${p}.requestPolicy`, fieldError.forbidden('allowed only when allowMultipleAllocations is true'));
    if (policy) {
      const pp = `${p}.requestPolicy`;
      v.quantity(policy, 'default', pp);
      const values = v.list(policy, 'validValues', pp, LIMITS.validValues);
      values.forEach((x, i) => v.quantityValue(x, `${pp}.validValues[${i}]`));
      const range = v.obj(policy, 'validRange', pp);
      if (range) {
        const min = v.quantity(range, 'min', `${pp}.validRange`, true);
        v.quantity(range, 'max', `${pp}.validRange`);
        const step = v.quantity(range, 'step', `${pp}.validRange`);
        if (step && step.sign() <= 0) v.invalid('invalid-value', `${pp}.validRange.step`, step.toString(), 'must be greater than zero');
        if (min && total && min.cmp(total) > 0) v.invalid('invalid-value', `${pp}.validRange.min`, min.toString(), `must be less than or equal to the capacity value (${total})`);
      }
      if (values.length > 0 && range) v.add('one-of', pp, fieldError.forbidden('validValues and validRange are mutually exclusive'));
    }
  }
  const consumes = v.objects(d, 'consumesCounters', path, LIMITS.consumptionsPerDevice);
  v.unique(consumes.map(([c, p]) => [typeof c.counterSet === 'string' ? c.counterSet : undefined, `${p}.counterSet`]));
  for (const [c, p] of consumes) {
    const set = v.str(c, 'counterSet', p, true);
    if (set !== undefined) v.name(`${p}.counterSet`, set, dns1123Label(set));
    counters(v, c, p, true);
  }
  const fields = ['nodeName', 'nodeSelector', 'allNodes'];
  if (perDevice) nodeSelection(v, d, path, fields, true);
  else {
    for (const f of fields) {
      if (d[f] !== undefined && d[f] !== null) v.add('forbidden', at(path, f), fieldError.forbidden('allowed only when the slice sets perDeviceNodeSelection'));
    }
  }
  for (const [t, p] of v.objects(d, 'taints', path, LIMITS.taintsPerDevice)) deviceTaint(v, t, p);
  v.list(d, 'bindingConditions', path, LIMITS.bindingConditions);
  v.list(d, 'bindingFailureConditions', path, LIMITS.bindingConditions);
  v.bool(d, 'allowMultipleAllocations', path);
  v.bool(d, 'bindsToNode', path);
}

function attribute(v: Issues, a: Obj, path: string): void {
  const kinds = ['int', 'bool', 'string', 'version', 'ints', 'bools', 'strings', 'versions'].filter((k) => a[k] !== undefined && a[k] !== null);
  if (kinds.length !== 1) {
    v.invalid('one-of', path, a, kinds.length === 0 ? 'exactly one value must be specified' : `exactly one value must be specified, got ${kinds.join(', ')}`);
    return;
  }
  const s = v.str(a, 'string', path);
  if (s !== undefined && s.length > LIMITS.attributeString) v.add('too-long', `${path}.string`, fieldError.tooLong(LIMITS.attributeString));
  const ver = v.str(a, 'version', path);
  if (ver !== undefined && !SEMVER_RE.test(ver)) v.invalid('invalid-value', `${path}.version`, ver, 'must be a string compatible with semver.org spec 2.0.0');
  v.int(a, 'int', path);
  v.bool(a, 'bool', path);
  for (const k of ['ints', 'bools', 'strings', 'versions']) if (a[k] !== undefined) v.list(a, k, path, undefined, true);
}

function counters(v: Issues, o: Obj, path: string, required: boolean): void {
  const entries = v.entries(o, 'counters', path, LIMITS.countersPerSet);
  if (required && entries.length === 0) v.required(`${path}.counters`);
  for (const [key, value, p] of entries) {
    v.name(p, key, dns1123Label(key).map((e) => `key: ${e}`));
    if (isObj(value)) v.quantity(value, 'value', p, true);
    else v.invalid('wrong-type', p, value, 'must be an object');
  }
}

function deviceTaint(v: Issues, t: Obj, path: string): void {
  const key = v.str(t, 'key', path, true);
  if (key !== undefined) v.name(`${path}.key`, key, qualifiedName(key));
  const value = v.str(t, 'value', path);
  if (value !== undefined) v.name(`${path}.value`, value, labelValue(value));
  const effect = v.str(t, 'effect', path, true);
  if (effect !== undefined && !TAINT_EFFECTS.includes(effect)) v.add('unsupported-value', `${path}.effect`, fieldError.unsupported(effect, TAINT_EFFECTS));
}

// ---- DeviceClass -------------------------------------------------------------------------------

function classSpec(v: Issues, spec: Obj, path: string, cel: CelOptions): void {
  selectors(v, spec, path, cel);
  for (const [c, p] of v.objects(spec, 'config', path, LIMITS.config)) opaque(v, c, p);
  const ext = v.str(spec, 'extendedResourceName', path);
  if (ext !== undefined) {
    const errs = ext.includes('/') ? qualifiedName(ext) : ['must be a fully-qualified extended resource name with a domain prefix'];
    if (/(^|\.)kubernetes\.io\//.test(ext) && !ext.startsWith('deviceclass.resource.kubernetes.io/')) errs.push('must not use the kubernetes.io domain');
    v.name(`${path}.extendedResourceName`, ext, errs);
  }
}

function selectors(v: Issues, o: Obj, path: string, cel: CelOptions): void {
  for (const [s, p] of v.objects(o, 'selectors', path, LIMITS.selectors)) {
    const c = v.obj(s, 'cel', p, true);
    if (!c) continue;
    const expr = v.str(c, 'expression', `${p}.cel`, true);
    if (expr === undefined) continue;
    const bytes = Buffer.byteLength(expr, 'utf8');
    if (bytes > MAX_EXPRESSION_LENGTH) {
      v.add('too-long', `${p}.cel.expression`, fieldError.tooLong(MAX_EXPRESSION_LENGTH));
      continue;
    }
    try {
      compileSelector(expr, cel);
    } catch (e) {
      if (!(e instanceof CelCompileError)) throw e;
      v.invalid('cel-compile', `${p}.cel.expression`, expr, e.message);
    }
  }
}

function opaque(v: Issues, o: Obj, path: string): void {
  const op = v.obj(o, 'opaque', path, true);
  if (!op) return;
  const driver = v.str(op, 'driver', `${path}.opaque`, true);
  if (driver !== undefined) v.name(`${path}.opaque.driver`, driver, dns1123Subdomain(driver, LIMITS.driverName));
  if (op.parameters === undefined || op.parameters === null) v.required(`${path}.opaque.parameters`);
}

// ---- ResourceClaim (and template) --------------------------------------------------------------

function claimSpec(v: Issues, spec: Obj, path: string, cel: CelOptions): void {
  const devices = v.obj(spec, 'devices', path);
  if (!devices) return;
  const dp = `${path}.devices`;
  const requests = v.objects(devices, 'requests', dp, LIMITS.requests);
  v.unique(requests.map(([r, p]) => [typeof r.name === 'string' ? r.name : undefined, `${p}.name`]));
  const known = new Set<string>();
  for (const [r, p] of requests) {
    const name = v.str(r, 'name', p, true);
    if (name !== undefined) {
      v.name(`${p}.name`, name, dns1123Label(name));
      known.add(name);
    }
    const exactly = v.obj(r, 'exactly', p);
    const hasFirst = r.firstAvailable !== undefined && r.firstAvailable !== null;
    if (!exactly && !hasFirst) v.required(p, 'exactly one of `exactly` or `firstAvailable` is required');
    if (exactly && hasFirst) v.invalid('one-of', p, '{`exactly`, `firstAvailable`}', 'exactly one of `exactly` or `firstAvailable` is required, but multiple fields are set');
    if (exactly) requestCore(v, exactly, `${p}.exactly`, cel);
    if (exactly) v.bool(exactly, 'adminAccess', `${p}.exactly`);
    const subs = hasFirst ? v.objects(r, 'firstAvailable', p, LIMITS.subrequests, true) : [];
    v.unique(subs.map(([s, sp]) => [typeof s.name === 'string' ? s.name : undefined, `${sp}.name`]));
    for (const [s, sp] of subs) {
      const sub = v.str(s, 'name', sp, true);
      if (sub !== undefined) {
        v.name(`${sp}.name`, sub, dns1123Label(sub));
        if (name !== undefined) known.add(`${name}/${sub}`);
      }
      requestCore(v, s, sp, cel);
      if (s.adminAccess !== undefined) v.add('forbidden', `${sp}.adminAccess`, fieldError.forbidden('subrequests cannot ask for admin access'));
    }
  }
  const refs = (o: Obj, p: string) => {
    v.list(o, 'requests', p).forEach((ref, i) => {
      if (typeof ref !== 'string' || !known.has(ref)) {
        v.invalid('unknown-request', `${p}.requests[${i}]`, ref, "must be the name of a request in the claim or the name of a request and a subrequest separated by '/'");
      }
    });
  };
  for (const [c, p] of v.objects(devices, 'constraints', dp, LIMITS.constraints)) {
    refs(c, p);
    const kinds = ['matchAttribute', 'distinctAttribute'].filter((k) => c[k] !== undefined && c[k] !== null);
    if (kinds.length !== 1) v.required(p, 'exactly one of `matchAttribute` or `distinctAttribute` is required');
    for (const k of kinds) {
      const attr = v.str(c, k, p, true);
      if (attr !== undefined) v.name(`${p}.${k}`, attr, draFullyQualifiedName(attr));
    }
  }
  for (const [c, p] of v.objects(devices, 'config', dp, LIMITS.config)) {
    refs(c, p);
    opaque(v, c, p);
  }
}

const MODES = ['ExactCount', 'All'];
const OPERATORS = ['Exists', 'Equal'];

function requestCore(v: Issues, r: Obj, path: string, cel: CelOptions): void {
  const cls = v.str(r, 'deviceClassName', path, true);
  if (cls !== undefined) v.name(`${path}.deviceClassName`, cls, dns1123Subdomain(cls));
  selectors(v, r, path, cel);
  const mode = v.str(r, 'allocationMode', path) ?? 'ExactCount';
  if (!MODES.includes(mode)) v.add('unsupported-value', `${path}.allocationMode`, fieldError.unsupported(mode, MODES));
  const count = v.int(r, 'count', path);
  if (mode === 'ExactCount' && count !== undefined && count <= 0) v.invalid('invalid-value', `${path}.count`, count, 'must be greater than zero');
  if (mode === 'All' && count !== undefined && count !== 0) v.invalid('invalid-value', `${path}.count`, count, "must not be specified when allocationMode is 'All'");
  for (const [t, p] of v.objects(r, 'tolerations', path, LIMITS.tolerations)) {
    const key = v.str(t, 'key', p);
    if (key) v.name(`${p}.key`, key, qualifiedName(key));
    const op = v.str(t, 'operator', p) ?? 'Equal';
    if (!OPERATORS.includes(op)) v.add('unsupported-value', `${p}.operator`, fieldError.unsupported(op, OPERATORS));
    const value = v.str(t, 'value', p);
    if (op === 'Exists' && value) v.invalid('invalid-value', `${p}.value`, value, 'value must be empty when `operator` is \'Exists\'');
    if (value) v.name(`${p}.value`, value, labelValue(value));
    const effect = v.str(t, 'effect', p);
    if (effect && !TOLERATION_EFFECTS.includes(effect)) v.add('unsupported-value', `${p}.effect`, fieldError.unsupported(effect, TOLERATION_EFFECTS));
    v.int(t, 'tolerationSeconds', p);
  }
  const capacity = v.obj(r, 'capacity', path);
  if (capacity) {
    for (const [key, value, p] of v.entries(capacity, 'requests', `${path}.capacity`)) {
      v.name(p, key, draQualifiedName(key).map((e) => `key: ${e}`));
      v.quantityValue(value, p);
    }
  }
}

// ---- Pod ---------------------------------------------------------------------------------------

function podSpec(v: Issues, spec: Obj, path: string): void {
  claimRefs(v, spec, path);
  const group = v.obj(spec, 'schedulingGroup', path);
  if (group) {
    // A union with one member (podGroupName): it must be set, and be a DNS subdomain.
    const name = v.str(group, 'podGroupName', `${path}.schedulingGroup`, true);
    if (name !== undefined) v.name(`${path}.schedulingGroup.podGroupName`, name, dns1123Subdomain(name));
  }
}

/**
 * `resourceClaims` of a Pod or PodGroup: unique DNS-label names, each with exactly one of
 * `resourceClaimName` and `resourceClaimTemplateName` (DNS subdomains); `max` items at most.
 */
function claimRefs(v: Issues, spec: Obj, path: string, max?: number): void {
  const refs = v.objects(spec, 'resourceClaims', path, max);
  v.unique(refs.map(([r, p]) => [typeof r.name === 'string' ? r.name : undefined, `${p}.name`]));
  for (const [r, p] of refs) {
    const name = v.str(r, 'name', p, true);
    if (name !== undefined) v.name(`${p}.name`, name, dns1123Label(name));
    const set = ['resourceClaimName', 'resourceClaimTemplateName'].filter((k) => typeof r[k] === 'string' && r[k] !== '');
    if (set.length !== 1) v.invalid('one-of', p, r, 'must specify one of: `resourceClaimName`, `resourceClaimTemplateName`');
    for (const k of set) v.name(`${p}.${k}`, r[k] as string, dns1123Subdomain(r[k] as string));
  }
}

// ---- PodGroup (scheduling.k8s.io/v1alpha2) -----------------------------------------------------

/** MaxPodGroupResourceClaims in k8s.io/api/scheduling/v1alpha2 (v1.36). */
const POD_GROUP_CLAIMS = 4;

/** pkg/apis/scheduling/validation (v1.36) and the declarative tags of the v1alpha2 types. */
function podGroupSpec(v: Issues, spec: Obj, path: string): void {
  const ref = v.obj(spec, 'podGroupTemplateRef', path);
  if (ref) {
    const p = `${path}.podGroupTemplateRef`;
    const workload = v.obj(ref, 'workload', p);
    if (!workload) v.invalid('one-of', p, '', 'must specify one of: `workload`');
    else {
      const wp = `${p}.workload`;
      const name = v.str(workload, 'workloadName', wp, true);
      if (name !== undefined) v.name(`${wp}.workloadName`, name, dns1123Subdomain(name));
      const template = v.str(workload, 'podGroupTemplateName', wp, true);
      if (template !== undefined) v.name(`${wp}.podGroupTemplateName`, template, dns1123Label(template));
    }
  }
  const policyPath = `${path}.schedulingPolicy`;
  const policy = v.obj(spec, 'schedulingPolicy', path) ?? {};
  const set = ['basic', 'gang'].filter((k) => policy[k] !== undefined && policy[k] !== null);
  if (set.length === 0) v.invalid('one-of', policyPath, '', 'must specify one of: `basic`, `gang`');
  else if (set.length > 1) v.invalid('one-of', policyPath, '{`basic`, `gang`}', 'exactly one of `basic`, `gang` is required, but multiple fields are set');
  else if (set[0] === 'basic') v.obj(policy, 'basic', policyPath);
  else {
    const gang = v.obj(policy, 'gang', policyPath);
    // Upstream reports 0 (Go's zero value, also when absent) as Required, negatives as not positive.
    const minCount = gang ? v.int(gang, 'minCount', `${policyPath}.gang`) ?? 0 : undefined;
    if (minCount === 0 && gang && (gang.minCount === undefined || gang.minCount === null || gang.minCount === 0)) v.required(`${policyPath}.gang.minCount`);
    else if (minCount !== undefined && minCount < 0) v.invalid('invalid-value', `${policyPath}.gang.minCount`, minCount, 'must be greater than zero');
  }
  claimRefs(v, spec, path, POD_GROUP_CLAIMS);
}
