/**
 * The CEL value bound to the `device` variable, built lazily once per (Device object, driver,
 * options) and cached in a WeakMap, so that many selectors evaluated against the same device
 * share it. Conversion follows upstream `DeviceMatches`: *every* attribute is converted, so
 * one unsupported attribute makes every selector on that device fail, referenced or not.
 */
import { celList, celMap, type CelMap, type CelValue } from '@bufbuild/cel';
import type { Device, DeviceAttribute } from '../model/types.js';
import { Quantity } from '../model/quantity.js';
import { CelRuntimeError } from './errors.js';
import { quantityValue, semverValue } from './kube-types.js';
import { parseSemver } from './semver.js';
import { domainMap } from './domain-map.js';
import { attributeField, isCelInt, splitQualifiedName } from './device-fields.js';

export interface DeviceValueOptions {
  consumableCapacity: boolean;
  listTypeAttributes: boolean;
}

/** Either the converted device or the conversion error, which is cached as well. */
type Converted = { value: CelMap } | { error: CelRuntimeError };

const cache = new WeakMap<Device, Map<string, Converted>>();

/**
 * The `device` CEL value for `device` published by `driver`; throws CelRuntimeError (e.g.
 * "attribute foo: unsupported attribute value") when an attribute or capacity cannot be converted.
 */
export function deviceValue(device: Device, driver: string, opts: DeviceValueOptions): CelMap {
  let perDevice = cache.get(device);
  if (perDevice === undefined) {
    perDevice = new Map();
    cache.set(device, perDevice);
  }
  const key = `${opts.consumableCapacity ? 1 : 0}${opts.listTypeAttributes ? 1 : 0}${driver}`;
  let converted = perDevice.get(key);
  if (converted === undefined) {
    try {
      converted = { value: convert(device, driver, opts) };
    } catch (e) {
      if (!(e instanceof CelRuntimeError)) throw e;
      converted = { error: e };
    }
    perDevice.set(key, converted);
  }
  if ('error' in converted) throw converted.error;
  return converted.value;
}

function capacityQuantity(name: string, value: string): Quantity {
  const q = Quantity.tryParse(value);
  if (q === undefined) throw new CelRuntimeError(`capacity ${name}: invalid quantity ${JSON.stringify(value)}`);
  return q;
}

function convert(device: Device, driver: string, opts: DeviceValueOptions): CelMap {
  const attributes = new Map<string, Map<string, CelValue>>();
  for (const [name, attr] of Object.entries(device.attributes ?? {})) {
    put(attributes, name, driver, attributeValue(name, attr, opts.listTypeAttributes));
  }
  const capacity = new Map<string, Map<string, CelValue>>();
  for (const [name, cap] of Object.entries(device.capacity ?? {})) {
    put(capacity, name, driver, quantityValue(capacityQuantity(name, cap.value)));
  }
  const fields = new Map<string, CelValue>([
    ['driver', driver],
    ['attributes', domainMap(attributes)],
    ['capacity', domainMap(capacity)],
  ]);
  if (opts.consumableCapacity) fields.set('allowMultipleAllocations', device.allowMultipleAllocations === true);
  return celMap(fields);
}

/** Files `value` under the QualifiedName's domain (the driver when it has none) and id. */
function put(into: Map<string, Map<string, CelValue>>, name: string, driver: string, value: CelValue): void {
  const [domain, id] = splitQualifiedName(name, driver);
  let inner = into.get(domain);
  if (inner === undefined) {
    inner = new Map();
    into.set(domain, inner);
  }
  inner.set(id, value);
}

function toInt(name: string, v: number | bigint): bigint {
  if (!isCelInt(v)) throw new CelRuntimeError(`attribute ${name}: unsupported attribute value`);
  return BigInt(v);
}

/** Parsed version values (immutable, so shared across devices) or the parse error text; bounded. */
const VERSION_CACHE_LIMIT = 10_000;
const versions = new Map<string, CelValue | string>();

function toVersion(name: string, s: string): CelValue {
  let v = versions.get(s);
  if (v === undefined) {
    try {
      v = semverValue(parseSemver(s));
    } catch (e) {
      v = (e as Error).message;
    }
    if (versions.size >= VERSION_CACHE_LIMIT) versions.clear();
    versions.set(s, v);
  }
  if (typeof v === 'string') throw new CelRuntimeError(`attribute ${name}: parse semantic version: ${v}`);
  return v;
}

/** Upstream `getAttributeValue`: the value of the first set field (convertible.ts has the order). */
function attributeValue(name: string, a: DeviceAttribute, lists: boolean): CelValue {
  switch (attributeField(a, lists)) {
    case 'int':
      return toInt(name, a.int!);
    case 'bool':
      return a.bool!;
    case 'string':
      return a.string!;
    case 'version':
      return toVersion(name, a.version!);
    case 'ints':
      return celList(a.ints!.map((v) => toInt(name, v)));
    case 'bools':
      return celList(a.bools!);
    case 'strings':
      return celList(a.strings!);
    case 'versions':
      return celList(a.versions!.map((v) => toVersion(name, v)));
    case undefined:
      throw new CelRuntimeError(`attribute ${name}: unsupported attribute value`);
  }
}
