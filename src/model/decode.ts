/**
 * Decoding: turn one parsed YAML/JSON document into a typed `DraObject`, accepting exactly what
 * Go's JSON decoding into the `k8s.io/api` structs would accept (see `decodeObject`).
 */
import { InputError, originText } from './errors.js';
import { Quantity, QuantityError } from './quantity.js';
import type { DraObject, Origin } from './types.js';

/**
 * A value Go could not decode: why, and where. The path is collected on the way out (each
 * container adds its key as the error passes through it), so decoding a valid object builds no
 * path strings at all.
 */
class FieldError extends Error {
  /** Keys from the failing value up to the object root, innermost first. */
  readonly at: (string | number)[] = [];
  constructor(readonly reason: string) {
    super(reason);
  }

  /** The path from the object root, e.g. `spec.devices[0].name` (`''` for the root itself). */
  path(): string {
    let path = '';
    for (let i = this.at.length - 1; i >= 0; i--) {
      const key = this.at[i];
      path = typeof key === 'number' ? `${path}[${key}]` : member(path, key);
    }
    return path;
  }
}

/** Rethrows `e` with `key` added to its path (for FieldErrors). */
function within(e: unknown, key: string | number): never {
  if (e instanceof FieldError) e.at.push(key);
  throw e;
}

/**
 * Checks and normalises one JSON value; `decode` is never called with `null`; throws FieldError.
 * With `reuse` the value belongs to the decoder (fresh from JSON.parse: no part of it is shared or
 * seen by anyone else) and containers are normalised in place wherever the result equals, key
 * order included, the copy that is made otherwise.
 */
interface Codec {
  decode(value: unknown, reuse: boolean): unknown;
  /** Go's zero value: used for `null` list/map elements and for absent non-optional fields. */
  zero(): unknown;
}

/** The JSON type of a parsed value, as named in error messages (bigints are numbers). */
export function jsonType(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  if (typeof v === 'bigint') return 'number';
  return typeof v;
}

function mismatch(expected: string, v: unknown): FieldError {
  return new FieldError(`expected ${expected}, got ${jsonType(v)}`);
}

/** `path.key`, or `path["key"]` when the key is not identifier-like (e.g. `gpu.example.com/model`). */
function member(path: string, key: string): string {
  if (!/^[A-Za-z_][\w-]*$/.test(key)) return `${path}[${JSON.stringify(key)}]`;
  return path === '' ? key : `${path}.${key}`;
}

function element(codec: Codec, v: unknown, reuse: boolean): unknown {
  return v === null ? codec.zero() : codec.decode(v, reuse);
}

/** `out[key] = value` as a data property, also for the key `__proto__` (JSON.parse makes it one). */
function put(out: Record<string, unknown>, key: string, value: unknown): void {
  if (key === '__proto__') Object.defineProperty(out, key, { value, enumerable: true, writable: true, configurable: true });
  else out[key] = value;
}

// ---- codecs ------------------------------------------------------------------------------------

function scalar(expected: string, type: 'string' | 'boolean', zero: unknown): Codec {
  return {
    decode(v) {
      if (typeof v !== type) throw mismatch(expected, v);
      return v;
    },
    zero: () => zero,
  };
}

const str = scalar('a string', 'string', '');
const bool = scalar('a boolean', 'boolean', false);

/** Any JSON value (e.g. opaque driver parameters, a Pod's containers). */
const any: Codec = { decode: (v) => v, zero: () => null };

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;

/** Go's int64: a whole number in range; a number when exactly representable, else a bigint. */
function decodeInt64(v: unknown): number | bigint {
  if (typeof v === 'number' && Number.isSafeInteger(v)) return v;
  if (typeof v === 'number' && !Number.isInteger(v)) throw new FieldError(`expected an integer, got number ${v}`);
  if (typeof v !== 'number' && typeof v !== 'bigint') throw mismatch('an integer', v);
  const big = BigInt(v);
  if (big < INT64_MIN || big > INT64_MAX) throw new FieldError(`integer ${big} does not fit in 64 bits`);
  return big;
}

/** int64 fields that may hold any 64-bit value (attribute values): number or bigint. */
const int64: Codec = { decode: decodeInt64, zero: () => 0 };

/** int64/int32 fields dralloc holds as a JS number (counts, generations): at most 2^53 - 1. */
const int: Codec = {
  decode(v) {
    const n = decodeInt64(v);
    if (typeof n === 'bigint') {
      throw new FieldError(`integer ${n} is out of the range dralloc supports (magnitude at most 2^53 - 1)`);
    }
    return n;
  },
  zero: () => 0,
};

/**
 * Quantity texts already known to parse. Clusters repeat a handful of quantities many thousand
 * times; the set is emptied when it grows past QUANTITY_MEMO entries, which bounds its memory.
 */
const parsedQuantities = new Set<string>();
const QUANTITY_MEMO = 4096;

/** resource.Quantity: a string (or a JSON number, which Go also accepts), kept as written. */
const quantity: Codec = {
  decode(v) {
    if (typeof v !== 'string' && typeof v !== 'number' && typeof v !== 'bigint') {
      throw mismatch('a quantity (string or number)', v);
    }
    const text = String(v);
    if (parsedQuantities.has(text)) return text;
    try {
      Quantity.parse(text);
    } catch (e) {
      if (e instanceof QuantityError) throw new FieldError(`${e.message} (got ${JSON.stringify(text)})`);
      throw e;
    }
    if (parsedQuantities.size >= QUANTITY_MEMO) parsedQuantities.clear();
    parsedQuantities.add(text);
    return text;
  },
  zero: () => '0',
};

const RFC3339 = /^\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/;

/** metav1.Time: an RFC 3339 timestamp string. */
const time: Codec = {
  decode(v) {
    if (typeof v !== 'string') throw mismatch('an RFC 3339 time string', v);
    if (!RFC3339.test(v) || Number.isNaN(Date.parse(v))) {
      throw new FieldError(`expected an RFC 3339 time, got ${JSON.stringify(v)}`);
    }
    return v;
  },
  zero: () => undefined,
};

function list(item: Codec): Codec {
  return {
    decode(v, reuse) {
      if (!Array.isArray(v)) throw mismatch('an array', v);
      const out = reuse ? v : new Array<unknown>(v.length);
      let i = 0;
      try {
        for (; i < v.length; i++) out[i] = element(item, v[i], reuse);
      } catch (e) {
        within(e, i);
      }
      return out;
    },
    zero: () => [],
  };
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function dict(value: Codec): Codec {
  return {
    decode(v, reuse) {
      if (!isPlainObject(v)) throw mismatch('an object', v);
      // In place, assigning to an existing own `__proto__` data property is a plain write.
      let key = '';
      try {
        if (reuse) {
          // In place, with `for … in` (nothing allocated; a value fresh from JSON.parse inherits no
          // enumerable key). An own `__proto__` is a data property there: writing it is a plain write.
          for (key in v) v[key] = element(value, v[key], true);
          return v;
        }
        const out: Record<string, unknown> = {};
        for (key of Object.keys(v)) put(out, key, element(value, v[key], false));
        return out;
      } catch (e) {
        within(e, key);
      }
    },
    zero: () => ({}),
  };
}

/**
 * A Go struct: the typed `fields` are decoded, `null` ones dropped (Go leaves the zero value),
 * unknown fields are passed through untouched, and absent `required` (non-pointer, non-optional
 * in types.ts) fields get Go's zero value so that the result honours the TypeScript type.
 * Key order of the result: the required fields first (in `required` order), then the others in
 * input order.
 */
function struct(fields: Record<string, Codec>, required: string[] = []): Codec {
  const known = new Map(Object.entries(fields));
  const zero = () => {
    const out: Record<string, unknown> = {};
    for (const k of required) out[k] = fields[k].zero();
    return out;
  };
  /**
   * Whether decoding in place gives what the copy would: the required fields come first, in
   * order (so none is missing), and no typed field is `null` (which the copy drops). Walks the
   * keys with `for … in` (an object parsed from JSON has no inherited enumerable keys): no key
   * array is allocated per object.
   */
  const inPlace = (v: Record<string, unknown>): boolean => {
    let i = 0;
    for (const k in v) {
      if (i < required.length && k !== required[i]) return false;
      if (v[k] === null && known.has(k)) return false;
      i++;
    }
    return i >= required.length;
  };
  return {
    decode(v, reuse) {
      if (!isPlainObject(v)) throw mismatch('an object', v);
      if (reuse && inPlace(v)) {
        let key = '';
        try {
          for (key in v) {
            const codec = known.get(key);
            if (codec !== undefined) v[key] = codec.decode(v[key], true);
          }
        } catch (e) {
          within(e, key);
        }
        return v;
      }
      const keys = Object.keys(v);
      const out: Record<string, unknown> = {};
      // Placeholders fix the required fields' positions; no decoded value is ever undefined.
      for (const k of required) out[k] = undefined;
      let key = '';
      try {
        for (key of keys) {
          const e = v[key];
          const codec = known.get(key);
          if (codec === undefined) put(out, key, e);
          else if (e !== null) out[key] = codec.decode(e, reuse);
        }
      } catch (e) {
        within(e, key);
      }
      for (const k of required) if (out[k] === undefined) out[k] = fields[k].zero();
      return out;
    },
    zero,
  };
}

// ---- schema (mirrors types.ts) -----------------------------------------------------------------

const strings = list(str);
const meta = struct({
  name: str,
  namespace: str,
  uid: str,
  resourceVersion: str,
  generation: int,
  labels: dict(str),
  annotations: dict(str),
});
const requirement = struct({ key: str, operator: str, values: strings }, ['key', 'operator']);
const nodeSelector = struct(
  { nodeSelectorTerms: list(struct({ matchExpressions: list(requirement), matchFields: list(requirement) })) },
  ['nodeSelectorTerms'],
);
const counters = dict(struct({ value: quantity }, ['value']));
const taint = struct({ key: str, value: str, effect: str, timeAdded: time }, ['key', 'effect']);
const attribute = struct({
  bool,
  int: int64,
  string: str,
  version: str,
  bools: list(bool),
  ints: list(int64),
  strings,
  versions: strings,
});
const capacity = struct(
  {
    value: quantity,
    requestPolicy: struct({
      default: quantity,
      validValues: list(quantity),
      validRange: struct({ min: quantity, max: quantity, step: quantity }),
    }),
  },
  ['value'],
);
const device = struct(
  {
    name: str,
    attributes: dict(attribute),
    capacity: dict(capacity),
    consumesCounters: list(struct({ counterSet: str, counters }, ['counterSet', 'counters'])),
    nodeName: str,
    nodeSelector,
    allNodes: bool,
    taints: list(taint),
    bindsToNode: bool,
    bindingConditions: strings,
    bindingFailureConditions: strings,
    allowMultipleAllocations: bool,
  },
  ['name'],
);
const sliceSpec = struct(
  {
    driver: str,
    pool: struct({ name: str, generation: int, resourceSliceCount: int }, ['name', 'generation', 'resourceSliceCount']),
    nodeName: str,
    nodeSelector,
    allNodes: bool,
    perDeviceNodeSelection: bool,
    devices: list(device),
    sharedCounters: list(struct({ name: str, counters }, ['name', 'counters'])),
  },
  ['driver', 'pool'],
);

const selectors = list(struct({ cel: struct({ expression: str }, ['expression']) }));
const opaque = struct({ driver: str, parameters: any }, ['driver']);
const tolerations = list(
  struct({ key: str, operator: str, value: str, effect: str, tolerationSeconds: int }),
);
/** The fields an `exactly` request and a `firstAvailable` subrequest share. */
const requestCore = {
  deviceClassName: str,
  selectors,
  allocationMode: str,
  count: int,
  tolerations,
  capacity: struct({ requests: dict(quantity) }),
};
const claimSpec = struct({
  devices: struct({
    requests: list(
      struct(
        {
          name: str,
          exactly: struct({ ...requestCore, adminAccess: bool }, ['deviceClassName']),
          firstAvailable: list(struct({ ...requestCore, name: str }, ['name', 'deviceClassName'])),
        },
        ['name'],
      ),
    ),
    constraints: list(struct({ requests: strings, matchAttribute: str, distinctAttribute: str })),
    config: list(struct({ requests: strings, opaque })),
  }),
});
const allocation = struct({
  devices: struct({
    results: list(
      struct(
        {
          request: str,
          driver: str,
          pool: str,
          device: str,
          adminAccess: bool,
          tolerations,
          bindingConditions: strings,
          bindingFailureConditions: strings,
          shareID: str,
          consumedCapacity: dict(quantity),
        },
        ['request', 'driver', 'pool', 'device'],
      ),
    ),
    config: list(struct({ source: str, requests: strings, opaque }, ['source'])),
  }),
  nodeSelector,
  allocationTimestamp: time,
});
const claimStatus = struct({
  allocation,
  reservedFor: list(struct({ apiGroup: str, resource: str, name: str, uid: str }, ['resource', 'name', 'uid'])),
});

interface KindRule {
  apiVersions: readonly string[];
  codec: Codec;
  /** `spec` must be present (the API server never returns these kinds without one). */
  needsSpec: boolean;
}

const RESOURCE_V1 = ['resource.k8s.io/v1', 'resource.k8s.io/v1beta2']; // v1beta2 has v1's shape
const topLevel = (fields: Record<string, Codec>) => struct({ apiVersion: str, kind: str, metadata: meta, ...fields });

const KINDS: Record<string, KindRule> = {
  Node: { apiVersions: ['v1'], codec: topLevel({}), needsSpec: false },
  Namespace: { apiVersions: ['v1'], codec: topLevel({}), needsSpec: false },
  ResourceSlice: { apiVersions: RESOURCE_V1, codec: topLevel({ spec: sliceSpec }), needsSpec: true },
  DeviceClass: {
    apiVersions: RESOURCE_V1,
    codec: topLevel({ spec: struct({ selectors, config: list(struct({ opaque })), extendedResourceName: str }) }),
    needsSpec: true,
  },
  ResourceClaim: { apiVersions: RESOURCE_V1, codec: topLevel({ spec: claimSpec, status: claimStatus }), needsSpec: true },
  ResourceClaimTemplate: {
    apiVersions: RESOURCE_V1,
    codec: topLevel({ spec: struct({ metadata: meta, spec: claimSpec }, ['spec']) }),
    needsSpec: true,
  },
  Pod: {
    apiVersions: ['v1'],
    codec: topLevel({
      spec: struct({
        nodeName: str,
        schedulerName: str,
        priority: int,
        resourceClaims: list(
          struct({ name: str, resourceClaimName: str, resourceClaimTemplateName: str }, ['name']),
        ),
        schedulingGroup: struct({ podGroupName: str }),
        containers: list(any),
      }),
      status: struct({}),
    }),
    needsSpec: true,
  },
  PodGroup: {
    apiVersions: ['scheduling.k8s.io/v1alpha2'],
    codec: topLevel({
      spec: struct(
        {
          podGroupTemplateRef: struct({ workload: struct({ workloadName: str, podGroupTemplateName: str }, ['workloadName', 'podGroupTemplateName']) }),
          schedulingPolicy: struct({ basic: struct({}), gang: struct({ minCount: int }, ['minCount']) }),
          resourceClaims: list(struct({ name: str, resourceClaimName: str, resourceClaimTemplateName: str }, ['name'])),
        },
        ['schedulingPolicy'],
      ),
      status: struct({}),
    }),
    needsSpec: true,
  },
  DeviceTaintRule: {
    apiVersions: ['resource.k8s.io/v1alpha3', 'resource.k8s.io/v1beta2'],
    codec: topLevel({ spec: struct({ deviceSelector: struct({ driver: str, pool: str, device: str }), taint }, ['taint']) }),
    needsSpec: true,
  },
};

/** The kinds decodeObject reads, each with the apiVersion given to an object of that kind that lacks one (the first one read). */
export function defaultApiVersion(kind: string): string | undefined {
  return Object.hasOwn(KINDS, kind) ? KINDS[kind].apiVersions[0] : undefined;
}

/** `namespace/name`, `name`, or undefined when the object has no usable name. */
function objectName(metadata: unknown): string | undefined {
  if (!isPlainObject(metadata) || typeof metadata.name !== 'string' || metadata.name === '') return undefined;
  return typeof metadata.namespace === 'string' && metadata.namespace !== ''
    ? `${metadata.namespace}/${metadata.name}`
    : metadata.name;
}

/** Throws unless `value` (the object's apiVersion or kind) is a non-empty string. */
function typeField(where: () => string, field: string, value: unknown): void {
  if (value === undefined || value === null || value === '') throw new InputError(`${where()}: ${field}: missing`);
  if (typeof value !== 'string') throw new InputError(`${where()}: ${field}: ${mismatch('a string', value).message}`);
}

/**
 * Structurally checks and normalises one parsed document (a non-List object); returns undefined,
 * and pushes a warning, for kinds dralloc does not use. Throws InputError naming file, document,
 * kind, object name, field path and reason.
 *
 * Checked (what Go's JSON decoding into the `k8s.io/api` structs would refuse):
 * - `apiVersion` and `kind` are strings; the apiVersion is one dralloc reads for that kind
 *   (resource kinds: `resource.k8s.io/v1` or the identically shaped `v1beta2`; DeviceTaintRule:
 *   `v1alpha3`/`v1beta2`; PodGroup: `scheduling.k8s.io/v1alpha2`; Node and Pod: `v1`);
 * - the JSON type of every field typed in types.ts (string, boolean, integer, array, map, object),
 *   integers are whole and fit int64 (attribute `int`/`ints`: number when safe, else bigint;
 *   other integer fields must be at most 2^53 - 1);
 * - every quantity parses (`Quantity.parse`), timestamps are RFC 3339;
 * - `metadata.name` is set and, for every kind but Node, `spec` is present: the API server never
 *   returns objects without them.
 *
 * Normalised the way Go decoding does: a `null` field is dropped (zero value), a `null` list or
 * map element and an absent non-optional field become Go's zero value (`""`, `0`, `false`, `[]`,
 * `{}`); quantities written as JSON numbers become strings. Nothing else is changed.
 *
 * Deliberately not checked (API-server validation and defaulting, which the allocator must see
 * undone): enum values (`allocationMode: future-mode`), empty strings (`deviceClassName: ""`),
 * one-of rules (an empty selector `{}`, an empty constraint `{}`, an attribute without a value),
 * name syntax, list limits and defaults (`count` stays absent). Unknown fields pass through.
 *
 * `reuse`: `raw` was parsed for this call alone (JSON.parse output nobody else holds, no shared
 * parts, as YAML aliases would make), so it may be normalised in place instead of copied; the
 * result is the same, key order included, and `raw` must not be used afterwards.
 */
export function decodeObject(
  raw: unknown,
  origin: Origin,
  warnings: string[],
  { reuse = false }: { reuse?: boolean } = {},
): DraObject | undefined {
  const where = () => originText(origin);
  if (!isPlainObject(raw)) throw new InputError(`${where()}: expected a Kubernetes object, got ${jsonType(raw)}`);
  const { apiVersion, kind } = raw;
  typeField(where, 'apiVersion', apiVersion);
  typeField(where, 'kind', kind);
  const name = objectName(raw.metadata);
  const rule = Object.hasOwn(KINDS, kind as string) ? KINDS[kind as string] : undefined;
  if (!rule) {
    warnings.push(`${where()}: skipping ${apiVersion} ${kind} ${name ?? '<unnamed>'}: kind not used by dralloc`);
    return undefined;
  }
  const label = () => `${where()} (${kind}${name === undefined ? '' : ` ${name}`})`;
  if (!rule.apiVersions.includes(apiVersion as string)) {
    const supported = rule.apiVersions.join(' or ');
    throw new InputError(`${label()}: apiVersion: ${apiVersion} is not supported for ${kind} (use ${supported})`);
  }
  let decoded: Record<string, unknown>;
  try {
    decoded = rule.codec.decode(raw, reuse) as Record<string, unknown>;
  } catch (e) {
    if (e instanceof FieldError) throw new InputError(`${label()}: ${e.path()}: ${e.reason}`);
    throw e;
  }
  if (name === undefined) throw new InputError(`${label()}: metadata.name: missing`);
  if (rule.needsSpec && decoded.spec === undefined) throw new InputError(`${label()}: spec: missing`);
  if (kind === 'ResourceSlice') {
    // The API server refuses such a slice (partitionable devices publish their counters in a
    // slice of their own); upstream's allocator, were it to see one, would ignore its devices.
    const spec = decoded.spec as { devices?: unknown[]; sharedCounters?: unknown[] };
    if ((spec.devices?.length ?? 0) > 0 && (spec.sharedCounters?.length ?? 0) > 0) {
      throw new InputError(`${label()}: spec: Forbidden: only one of devices and sharedCounters can be set in a ResourceSlice`);
    }
  }
  return decoded as unknown as DraObject;
}
