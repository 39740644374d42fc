/**
 * Lint's warnings: what the API server accepts but is almost surely wrong, judged against the
 * inventory of the input (its ResourceSlices). Selectors are evaluated with the allocator's
 * own compiled inventory and selector masks, so "matches nothing" means the allocator would
 * find nothing either.
 */

import type { DeviceClass, DeviceRequestCore, DeviceSelector, DeviceTaintRule, DraObject, Pod, PodGroup, ResourceClaim, ResourceClaimTemplate, ResourceSlice } from '../model/types.js';
import type { CelOptions } from '../cel/index.js';
import { Inventory } from '../compile/inventory.js';
import { SelectorMasks } from '../compile/selectors.js';
import { Quantity } from '../model/quantity.js';
import { attributeProblems, sliceNames } from './attributes.js';
import type { AttributeNames } from '../compile/attribute-names.js';
import type { LintDoc } from './load.js';
import type { Finding } from './types.js';
import { groupClaimOf } from '../schedule/pod-claims.js';

type Warn = (doc: LintDoc, rule: string, path: string, message: string) => void;

interface Ctx {
  warn: Warn;
  inv: Inventory;
  masks: SelectorMasks;
  known: AttributeNames;
  classes: Map<string, DeviceClass>;
}

/**
 * The warnings for the decoded documents of `docs`. ResourceSlices in `invalid` (the API
 * server would refuse them) are left out of the inventory and the pool rules.
 */
export function semanticWarnings(docs: readonly LintDoc[], cel: CelOptions, invalid: ReadonlySet<LintDoc>): Finding[] {
  const out: Finding[] = [];
  const warn: Warn = (doc, rule, path, message) =>
    out.push({ severity: 'warning', rule, file: doc.origin.file, line: doc.lineOf(path), object: doc.label, path, message });
  const ok = docs.filter((d): d is LintDoc & { object: DraObject } => d.object !== undefined);
  const of = <K extends DraObject['kind']>(kind: K) => ok.filter((d) => d.object.kind === kind) as (LintDoc & { object: Extract<DraObject, { kind: K }> })[];
  const slices = of('ResourceSlice').filter((d) => !invalid.has(d));
  const inv = new Inventory(slices.map((d) => d.object));
  const ctx: Ctx = {
    warn,
    inv,
    masks: new SelectorMasks(inv, cel),
    known: sliceNames(inv.slices),
    classes: new Map(of('DeviceClass').map((d) => [d.object.metadata.name, d.object])),
  };
  duplicates(ok, warn);
  for (const d of slices) sliceAttributes(d, d.object, warn);
  pools(slices, warn);
  for (const d of of('DeviceClass')) classRules(d, d.object, ctx);
  for (const d of of('ResourceClaim')) claimRules(d, d.object.spec, 'spec', ctx);
  for (const d of of('ResourceClaimTemplate')) claimRules(d, d.object.spec.spec, 'spec.spec', ctx);
  podRefs(of('Pod'), of('ResourceClaim'), of('ResourceClaimTemplate'), warn);
  podGroups(of('Pod'), of('PodGroup'), invalid, warn);
  for (const d of of('DeviceTaintRule')) taintRule(d, d.object, inv, warn);
  return out;
}

function duplicates(docs: readonly (LintDoc & { object: DraObject })[], warn: Warn): void {
  const seen = new Map<string, LintDoc>();
  for (const d of docs) {
    const key = `${d.object.kind}/${d.object.metadata?.namespace ?? ''}/${d.object.metadata?.name ?? ''}`;
    const first = seen.get(key);
    if (first) warn(d, 'duplicate-object', 'metadata.name', `another ${d.object.kind} with this name is at ${first.origin.file}:${first.line}; the API server keeps one object per name`);
    else seen.set(key, d);
  }
}

/** Valid-looking but suspicious attributes: a domain other than the driver's, a quantity in a string. */
function sliceAttributes(doc: LintDoc, s: ResourceSlice, warn: Warn): void {
  const driver = s.spec.driver;
  const reported = new Set<string>(); // one domain warning per attribute name and slice
  (s.spec.devices ?? []).forEach((d, i) => {
    for (const [name, a] of Object.entries(d.attributes ?? {})) {
      const path = `spec.devices[${i}].attributes[${JSON.stringify(name)}]`;
      const slash = name.indexOf('/');
      const domain = slash < 0 ? driver : name.slice(0, slash);
      if (domain !== driver && !/(^|\.)(kubernetes\.io|k8s\.io)$/.test(domain) && !reported.has(name)) {
        reported.add(name);
        warn(doc, 'attribute-domain', path, `attribute domain ${domain} differs from the driver ${driver}: selectors must look it up as device.attributes[${JSON.stringify(domain)}].${name.slice(slash + 1)}, not under the driver's domain; drop the prefix to use the driver's`);
      }
      if (typeof a.string === 'string' && /^\d+(\.\d+)?(Ki|Mi|Gi|Ti|Pi|Ei|k|M|G|T|P|E)$/.test(a.string) && Quantity.tryParse(a.string)) {
        warn(doc, 'quantity-as-string', `${path}.string`, `${JSON.stringify(a.string)} is a quantity stored as a string: selectors compare it as text ("9Gi" > "80Gi"); publish it as spec.devices[${i}].capacity, which selectors compare with quantity() and claims can consume`);
      }
    }
  });
}

/** Slices of one pool that disagree on generation or count, pools missing slices, counters no device consumes. */
function pools(slices: readonly (LintDoc & { object: ResourceSlice })[], warn: Warn): void {
  const byPool = new Map<string, (LintDoc & { object: ResourceSlice })[]>();
  for (const d of slices) {
    const key = `${d.object.spec.driver}/${d.object.spec.pool.name}`;
    byPool.set(key, [...(byPool.get(key) ?? []), d]);
  }
  for (const [id, members] of byPool) {
    const gens = [...new Set(members.map((d) => d.object.spec.pool.generation))].sort((a, b) => a - b);
    const top = gens[gens.length - 1];
    const current = members.filter((d) => d.object.spec.pool.generation === top);
    if (gens.length > 1) {
      for (const d of members.filter((m) => m.object.spec.pool.generation !== top)) {
        warn(d, 'pool-generation', 'spec.pool.generation', `pool ${id} has slices at generations ${gens.join(', ')}: the allocator uses only generation ${top}, so this slice's devices are ignored`);
      }
    }
    const counts = [...new Set(current.map((d) => d.object.spec.pool.resourceSliceCount))];
    if (counts.length > 1) {
      for (const d of current) warn(d, 'pool-count', 'spec.pool.resourceSliceCount', `slices of pool ${id} (generation ${top}) disagree on resourceSliceCount: ${counts.join(' vs ')}`);
    } else if (current.length !== counts[0]) {
      warn(current[0], 'pool-incomplete', 'spec.pool.resourceSliceCount', `pool ${id} says it has ${counts[0]} slice(s) at generation ${top}, but the input has ${current.length}: the allocator treats the pool as incomplete and uses none of its devices`);
    }
    const consumed = new Set<string>();
    for (const d of current) for (const dev of d.object.spec.devices ?? []) for (const c of dev.consumesCounters ?? []) for (const n of Object.keys(c.counters ?? {})) consumed.add(`${c.counterSet}/${n}`);
    const sets = new Map<string, Set<string>>();
    for (const d of current) {
      (d.object.spec.sharedCounters ?? []).forEach((set, i) => {
        sets.set(set.name, new Set(Object.keys(set.counters ?? {})));
        for (const n of Object.keys(set.counters ?? {})) {
          if (!consumed.has(`${set.name}/${n}`)) warn(d, 'counter-unused', `spec.sharedCounters[${i}].counters.${n}`, `no device of pool ${id} consumes counter ${n} of counter set ${set.name}`);
        }
      });
    }
    for (const d of current) {
      (d.object.spec.devices ?? []).forEach((dev, i) =>
        (dev.consumesCounters ?? []).forEach((c, j) => {
          const set = sets.get(c.counterSet);
          const path = `spec.devices[${i}].consumesCounters[${j}]`;
          if (!set) warn(d, 'counter-missing', `${path}.counterSet`, `pool ${id} has no counter set ${c.counterSet}: the allocator treats the pool as invalid`);
          else for (const n of Object.keys(c.counters ?? {})) if (!set.has(n)) warn(d, 'counter-missing', `${path}.counters.${n}`, `counter set ${c.counterSet} of pool ${id} has no counter ${n}: the allocator treats the pool as invalid`);
        }),
      );
    }
  }
}

/** Indices of the inventory's devices for which every selector is true. */
function matching(selectors: readonly DeviceSelector[], ctx: Ctx, within?: readonly number[]): number[] {
  const all = within ?? Array.from({ length: ctx.inv.size }, (_, i) => i);
  return all.filter((i) => selectors.every((s) => ctx.masks.value(s.cel?.expression ?? '', i) === true));
}

/**
 * Per selector: lookups of unknown attributes, runtime errors, matching no device — over the
 * devices the allocator would evaluate it on (`within`: those its class accepts; default all).
 * Returns the devices every selector matches.
 */
function selectorRules(doc: LintDoc, selectors: readonly DeviceSelector[], path: string, ctx: Ctx, within?: readonly number[]): number[] {
  const devices = within ?? Array.from({ length: ctx.inv.size }, (_, i) => i);
  selectors.forEach((s, i) => {
    const expression = s.cel?.expression;
    if (expression === undefined) return;
    const p = `${path}[${i}].cel.expression`;
    for (const problem of attributeProblems(expression, ctx.known)) ctx.warn(doc, 'unknown-attribute', p, problem);
    if (devices.length === 0) return;
    let errored: string | undefined;
    let hits = 0;
    for (const d of devices) {
      const v = ctx.masks.value(expression, d);
      if (v === true) hits++;
      else if (typeof v === 'object' && v.kind === 'runtime' && errored === undefined) errored = `${ctx.inv.idAt(d)}: ${v.message}`;
      else if (typeof v === 'object' && v.kind === 'compile') return; // the cel-compile error says it
    }
    if (errored) ctx.warn(doc, 'selector-runtime-error', p, `fails with a runtime error on device ${errored} (an allocation that reaches that device fails); guard lookups with has() or "in"`);
    const of = within ? ` the ${devices.length} devices of its class` : ` the ${devices.length} devices`;
    if (hits === 0) ctx.warn(doc, 'selector-matches-nothing', p, `matches none of${of} in the input`);
  });
  return matching(selectors, ctx, devices);
}

function classRules(doc: LintDoc, c: DeviceClass, ctx: Ctx): void {
  const hits = selectorRules(doc, c.spec.selectors ?? [], 'spec.selectors', ctx);
  const each = (c.spec.selectors ?? []).every((s) => matching([s], ctx).length > 0);
  if (ctx.inv.size > 0 && hits.length === 0 && each && (c.spec.selectors?.length ?? 0) > 1) {
    ctx.warn(doc, 'class-unsatisfiable', 'spec.selectors', `no device in the input satisfies all ${c.spec.selectors!.length} selectors together: no claim can ever be satisfied by class ${c.metadata.name}`);
  }
}

function claimRules(doc: LintDoc, spec: ResourceClaim['spec'] | undefined, path: string, ctx: Ctx): void {
  (spec?.devices?.requests ?? []).forEach((r, i) => {
    const p = `${path}.devices.requests[${i}]`;
    if (r.exactly) requestRules(doc, r.exactly, `${p}.exactly`, ctx);
    (r.firstAvailable ?? []).forEach((s, j) => requestRules(doc, s, `${p}.firstAvailable[${j}]`, ctx));
  });
}

function requestRules(doc: LintDoc, r: DeviceRequestCore, path: string, ctx: Ctx): void {
  const cls = ctx.classes.get(r.deviceClassName);
  if (!cls) {
    if (r.deviceClassName) ctx.warn(doc, 'unknown-class', `${path}.deviceClassName`, `DeviceClass ${r.deviceClassName} is not in the input (allocation fails with "could not retrieve device class")`);
    selectorRules(doc, r.selectors ?? [], `${path}.selectors`, ctx);
    return;
  }
  const byClass = matching(cls.spec.selectors ?? [], ctx);
  const hits = selectorRules(doc, r.selectors ?? [], `${path}.selectors`, ctx, byClass);
  const each = (r.selectors ?? []).every((s) => matching([s], ctx, byClass).length > 0);
  if (byClass.length > 0 && hits.length === 0 && each && (r.selectors?.length ?? 0) > 1) {
    ctx.warn(doc, 'request-unsatisfiable', `${path}.selectors`, `no device of class ${cls.metadata.name} in the input matches all these selectors together`);
  }
}

function podRefs(
  pods: readonly (LintDoc & { object: Pod })[],
  claims: readonly (LintDoc & { object: ResourceClaim })[],
  templates: readonly (LintDoc & { object: ResourceClaimTemplate })[],
  warn: Warn,
): void {
  const key = (ns: string | undefined, name: string | undefined) => `${ns ?? 'default'}/${name}`;
  const claimKeys = new Set(claims.map((d) => key(d.object.metadata.namespace, d.object.metadata.name)));
  const templateKeys = new Set(templates.map((d) => key(d.object.metadata.namespace, d.object.metadata.name)));
  for (const d of pods) {
    const ns = d.object.metadata.namespace;
    (d.object.spec.resourceClaims ?? []).forEach((r, i) => {
      if (r.resourceClaimName && !claimKeys.has(key(ns, r.resourceClaimName))) {
        warn(d, 'unknown-claim', `spec.resourceClaims[${i}].resourceClaimName`, `ResourceClaim ${key(ns, r.resourceClaimName)} is not in the input`);
      }
      if (r.resourceClaimTemplateName && !templateKeys.has(key(ns, r.resourceClaimTemplateName))) {
        warn(d, 'unknown-template', `spec.resourceClaims[${i}].resourceClaimTemplateName`, `ResourceClaimTemplate ${key(ns, r.resourceClaimTemplateName)} is not in the input (templates are namespaced: the Pod's namespace is searched)`);
      }
    });
  }
}

/**
 * Pods and their PodGroups, as kube-scheduler's GangScheduling plugin treats them: a Pod whose
 * PodGroup does not exist waits for it; a gang with fewer Pods than minCount waits for more;
 * Pods of one group with different schedulerNames are all rejected. Groups the API server would
 * refuse (`invalid`) get no warnings of their own.
 */
function podGroups(pods: readonly (LintDoc & { object: Pod })[], groups: readonly (LintDoc & { object: PodGroup })[], invalid: ReadonlySet<LintDoc>, warn: Warn): void {
  const key = (ns: string | undefined, name: string) => `${ns ?? 'default'}/${name}`;
  const members = new Map<string, (LintDoc & { object: Pod })[]>(groups.map((d) => [key(d.object.metadata.namespace, d.object.metadata.name), []]));
  const byKey = new Map(groups.map((d) => [key(d.object.metadata.namespace, d.object.metadata.name), d.object]));
  for (const d of pods) {
    const name = d.object.spec.schedulingGroup?.podGroupName;
    if (!name) continue;
    const k = key(d.object.metadata.namespace, name);
    const list = members.get(k);
    if (list) {
      list.push(d);
      groupClaimsDiffer(d, byKey.get(k)!, warn);
    } else warn(d, 'unknown-pod-group', 'spec.schedulingGroup.podGroupName', `PodGroup ${k} is not in the input: the Pod stays pending until it exists (PodGroups are namespaced: the Pod's namespace is searched)`);
  }
  for (const d of groups.filter((g) => !invalid.has(g))) {
    const pods = members.get(key(d.object.metadata.namespace, d.object.metadata.name)) ?? [];
    const minCount = d.object.spec.schedulingPolicy?.gang?.minCount;
    if (minCount !== undefined && minCount > 0 && pods.length < minCount) {
      warn(d, 'gang-too-small', 'spec.schedulingPolicy.gang.minCount', `${minCount}, but ${pods.length} Pod${pods.length === 1 ? '' : 's'} of the input belong${pods.length === 1 ? 's' : ''} to the group: none is scheduled until minCount Pods exist`);
    }
    const names = new Set(pods.map((p) => p.object.spec.schedulerName ?? 'default-scheduler'));
    if (names.size > 1) {
      warn(d, 'pod-group-scheduler-names', '', `its Pods use different schedulerNames (${[...names].sort().join(', ')}): kube-scheduler rejects every Pod of the group`);
    }
  }
}

/**
 * A Pod entry named like an entry of its PodGroup's `resourceClaims` but not equal to it in
 * every field: it does not share the group's claim (DRAWorkloadResourceClaims) — the Pod gets
 * its own — which is rarely what the name suggests.
 */
function groupClaimsDiffer(d: LintDoc & { object: Pod }, group: PodGroup, warn: Warn): void {
  (d.object.spec.resourceClaims ?? []).forEach((ref, i) => {
    const named = group.spec.resourceClaims?.find((g) => g.name === ref.name);
    if (!named || groupClaimOf(group, ref)) return;
    const source = (r: { resourceClaimName?: string; resourceClaimTemplateName?: string }) => (r.resourceClaimName ? `resourceClaimName ${r.resourceClaimName}` : `resourceClaimTemplateName ${r.resourceClaimTemplateName}`);
    warn(d, 'pod-group-claim-differs', `spec.resourceClaims[${i}]`, `named like claim "${ref.name}" of PodGroup ${group.metadata.name} (${source(named)}) but with ${source(ref)}: only an entry equal in every field shares the group's claim; this Pod gets its own`);
  });
}

function taintRule(doc: LintDoc, r: DeviceTaintRule, inv: Inventory, warn: Warn): void {
  if (inv.size === 0) return;
  const sel = r.spec.deviceSelector ?? {};
  const hit = inv.devices.some((d, i) => {
    const s = inv.sliceOf[i].spec;
    return (!sel.driver || sel.driver === s.driver) && (!sel.pool || sel.pool === s.pool.name) && (!sel.device || sel.device === d.name);
  });
  if (!hit) {
    const pools = [...new Set(inv.slices.filter((s) => !sel.driver || s.spec.driver === sel.driver).map((s) => s.spec.pool.name))];
    warn(doc, 'taint-rule-matches-nothing', 'spec.deviceSelector', `selects no device in the input${sel.pool ? ` (pools${sel.driver ? ` of driver ${sel.driver}` : ''}: ${pools.join(', ') || 'none'}; deviceSelector.pool is a pool name, not a node name)` : ''}`);
  }
}
