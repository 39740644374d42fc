/**
 * Claim constraints of the reference allocator, written from upstream v1.36
 * (`structured/internal/experimental`: `matchAttributeConstraint`, `distinctAttributeConstraint`,
 * `lookupAttribute`, `attributeAsSet`). Every successful `add` is undone by exactly one `remove`
 * with the same arguments, in reverse order (the search is depth first).
 *
 * Deliberate choice: matchAttribute over list-type attributes keeps a stack of intersections so
 * that `remove` restores the previous one (upstream's fix #140326 for #140300; v1.36.2 itself
 * keeps the stale intersection). The engine documents the same choice in README.md.
 */

import type { Device, DeviceAttribute } from '../../src/model/types.js';

/** The (sub)request a device is added for: `request` is the parent's name for a subrequest. */
export interface RequestNames {
  request: string;
  /** '' for a request without subrequests. */
  sub: string;
}

export interface Constraint {
  add(req: RequestNames, device: Device, driver: string): boolean;
  remove(req: RequestNames): void;
}

/** Upstream `lookupAttribute`: the exact key, else the bare id when the domain is the device's driver. */
export function lookupAttribute(device: Device, driver: string, name: string): DeviceAttribute | undefined {
  const attrs = device.attributes ?? {};
  if (Object.hasOwn(attrs, name)) return attrs[name];
  const slash = name.indexOf('/');
  if (slash < 0 || name.slice(0, slash) !== driver) return undefined;
  const id = name.slice(slash + 1);
  return Object.hasOwn(attrs, id) ? attrs[id] : undefined;
}

/** A typed set of attribute values (upstream `deviceAttributeListAsSet`). */
interface ValueSet {
  type: 'int' | 'bool' | 'string' | 'version';
  values: Set<string>;
}

/** Upstream `attributeAsSet`: lists first, then scalars; undefined for an attribute without a value. */
function attributeAsSet(a: DeviceAttribute): ValueSet | undefined {
  const set = (type: ValueSet['type'], xs: readonly unknown[]): ValueSet => ({ type, values: new Set(xs.map(String)) });
  if (a.ints?.length) return set('int', a.ints);
  if (a.bools?.length) return set('bool', a.bools);
  if (a.strings?.length) return set('string', a.strings);
  if (a.versions?.length) return set('version', a.versions);
  if (a.int !== undefined) return set('int', [a.int]);
  if (a.bool !== undefined) return set('bool', [a.bool]);
  if (a.string !== undefined) return set('string', [a.string]);
  if (a.version !== undefined) return set('version', [a.version]);
  return undefined;
}

/** The common values of two sets of the same type; undefined when none or the types differ. */
function intersect(a: ValueSet, b: ValueSet): ValueSet | undefined {
  if (a.type !== b.type) return undefined;
  const values = new Set([...a.values].filter((v) => b.values.has(v)));
  return values.size > 0 ? { type: a.type, values } : undefined;
}

/** Scalar value of an attribute in upstream's switch order (string, int, bool, version). */
function scalar(a: DeviceAttribute): { type: string; value: string } | undefined {
  if (a.string !== undefined) return { type: 'string', value: a.string };
  if (a.int !== undefined) return { type: 'int', value: String(a.int) };
  if (a.bool !== undefined) return { type: 'bool', value: String(a.bool) };
  if (a.version !== undefined) return { type: 'version', value: a.version };
  return undefined;
}

/** Whether a constraint limited to `names` (empty = all requests) covers the (sub)request. */
function covers(names: ReadonlySet<string>, req: RequestNames): boolean {
  if (names.size === 0) return true;
  return names.has(req.request) || (req.sub !== '' && names.has(`${req.request}/${req.sub}`));
}

/**
 * What both constraint kinds share: which requests they cover and which attribute they read.
 * `covered` is undefined for a device of a request the constraint does not cover, else the
 * device's attribute (null when the device lacks it, which fails either constraint).
 */
abstract class AttributeConstraint implements Constraint {
  protected numDevices = 0;

  constructor(
    private readonly names: ReadonlySet<string>,
    private readonly attribute: string,
    protected readonly listTypes: boolean,
  ) {}

  abstract add(req: RequestNames, device: Device, driver: string): boolean;
  abstract remove(req: RequestNames): void;

  protected covers(req: RequestNames): boolean {
    return covers(this.names, req);
  }

  protected covered(req: RequestNames, device: Device, driver: string): DeviceAttribute | null | undefined {
    if (!covers(this.names, req)) return undefined;
    return lookupAttribute(device, driver, this.attribute) ?? null;
  }
}

/** matchAttribute: every covered device has the attribute, all with one common value. */
export class MatchAttribute extends AttributeConstraint {
  /** Scalar mode: the first device's attribute. */
  private first?: DeviceAttribute;
  /** List mode: the intersection after each added device. */
  private readonly stack: ValueSet[] = [];

  add(req: RequestNames, device: Device, driver: string): boolean {
    const attr = this.covered(req, device, driver);
    if (attr === undefined) return true;
    if (attr === null) return false;
    if (this.listTypes) {
      const set = attributeAsSet(attr);
      if (set === undefined) return false;
      const next = this.numDevices === 0 ? set : intersect(this.stack[this.numDevices - 1], set);
      if (next === undefined) return false;
      this.stack.push(next);
    } else if (this.numDevices === 0) {
      this.first = attr;
    } else {
      const have = scalar(attr);
      const want = scalar(this.first!);
      // Upstream compares the field the new value has; a first value of another type never matches.
      if (have === undefined || want === undefined || have.type !== want.type || have.value !== want.value) return false;
    }
    this.numDevices++;
    return true;
  }

  remove(req: RequestNames): void {
    if (!this.covers(req)) return;
    this.numDevices--;
    if (this.listTypes) this.stack.pop();
  }
}

/**
 * distinctAttribute as upstream v1.36 implements it: the constraint remembers one attribute
 * value *per request name* (`attributes[requestName]`, the parent's name for subrequests) and
 * rejects a device whose value equals (lists: intersects) any remembered one. A second device of
 * the same request overwrites that request's entry, and `remove` deletes it, so within one
 * request only consecutive devices are compared (docs/semantics.md, Constraints).
 */
export class DistinctAttribute extends AttributeConstraint {
  private readonly byRequest = new Map<string, DeviceAttribute>();

  add(req: RequestNames, device: Device, driver: string): boolean {
    const attr = this.covered(req, device, driver);
    if (attr === undefined) return true;
    if (attr === null) return false;
    if (this.numDevices > 0 && !this.distinctFromAll(attr)) return false;
    this.byRequest.set(req.request, attr);
    this.numDevices++;
    return true;
  }

  remove(req: RequestNames): void {
    if (!this.covers(req)) return;
    this.byRequest.delete(req.request);
    this.numDevices--;
  }

  private distinctFromAll(attr: DeviceAttribute): boolean {
    if (this.listTypes) {
      const set = attributeAsSet(attr);
      if (set === undefined) return false;
      for (const other of this.byRequest.values()) {
        const otherSet = attributeAsSet(other);
        if (otherSet !== undefined && intersect(set, otherSet) !== undefined) return false;
      }
      return true;
    }
    for (const other of this.byRequest.values()) {
      const mine = scalar(attr);
      if (mine === undefined) return false; // upstream: unknown value type never matches
      const theirs = scalar(other);
      if (theirs !== undefined && theirs.type === mine.type && theirs.value === mine.value) return false;
    }
    return true;
  }
}
