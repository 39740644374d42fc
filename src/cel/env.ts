/**
 * The DRA selector environment: the @bufbuild/cel runtime environment (standard library,
 * strings extension, Kubernetes lists/semver/quantity/IP/CIDR/URL libraries, cel-go's sets extension,
 * `includes()` when list-type attributes are enabled, the internal cost meters, a caching RE2
 * for `matches`) and the matching checker declarations (the `device` variable and
 * its `kubernetes.DRADevice` fields). One environment exists per option set.
 */
import { celEnv, CelScalar, mapType, type CelEnv, type CelFunc, type CelType } from '@bufbuild/cel';
import { strings } from '@bufbuild/cel/ext';
import { RE2JS } from '@bufbuild/re2';
import { DEVICE_TYPE, type CheckerEnv } from './checker.js';
import { cidrFuncs } from './cidr-lib.js';
import { comprehensionFuncs } from './comprehension-lib.js';
import { costFuncs } from './cost.js';
import { meterSizes } from './size-cost.js';
import { ipFuncs } from './ip-lib.js';
import { includesFuncs, listFuncs } from './lists-lib.js';
import { kubeRegistry, QUANTITY_TYPE } from './kube-types.js';
import { quantityFuncs } from './quantity-lib.js';
import { semverFuncs } from './semver-lib.js';
import { urlFuncs } from './url-lib.js';

export interface EnvOptions {
  consumableCapacity: boolean;
  listTypeAttributes: boolean;
}

export interface SelectorEnv {
  readonly runtime: CelEnv;
  readonly checker: CheckerEnv;
}

const { STRING, DYN, BOOL } = CelScalar;

/** Compiled patterns are reused across evaluations (bounded; cleared when full). */
const PATTERN_CACHE_LIMIT = 1000;
const patterns = new Map<string, RE2JS>();
const re2 = {
  compile(pattern: string) {
    let re = patterns.get(pattern);
    if (re === undefined) {
      if (patterns.size >= PATTERN_CACHE_LIMIT) patterns.clear();
      re = RE2JS.compile(pattern);
      patterns.set(pattern, re);
    }
    return re;
  },
};

const commonFuncs: CelFunc[] = [
  ...strings,
  ...listFuncs,
  ...semverFuncs,
  ...quantityFuncs,
  ...ipFuncs,
  ...cidrFuncs,
  ...urlFuncs,
  ...comprehensionFuncs,
  ...costFuncs,
];

function deviceFields(opts: EnvOptions): Map<string, CelType> {
  const fields = new Map<string, CelType>([
    ['driver', STRING],
    ['attributes', mapType(STRING, mapType(STRING, DYN))],
    ['capacity', mapType(STRING, mapType(STRING, QUANTITY_TYPE))],
  ]);
  if (opts.consumableCapacity) fields.set('allowMultipleAllocations', BOOL);
  return fields;
}

function build(opts: EnvOptions): SelectorEnv {
  const funcs = opts.listTypeAttributes ? [...commonFuncs, ...includesFuncs] : commonFuncs;
  // Every function once (the standard library's included, with the caching RE2 `matches`),
  // then again with the size-dependent ones metered, replacing the originals by id.
  const unmetered = celEnv({ registry: kubeRegistry, funcs, re2 });
  const runtime = celEnv({ registry: kubeRegistry, funcs: meterSizes(unmetered.funcs) });
  const functions = new Map<string, CelFunc[]>();
  for (const f of runtime.funcs) {
    const list = functions.get(f.name);
    if (list === undefined) functions.set(f.name, [f]);
    else list.push(f);
  }
  return {
    runtime,
    checker: {
      variables: new Map([['device', DEVICE_TYPE]]),
      objectFields: new Map([[DEVICE_TYPE.name, deviceFields(opts)]]),
      functions,
    },
  };
}

const envs = new Map<string, SelectorEnv>();

/** The (shared, lazily built) environment for an option set. */
export function selectorEnv(opts: EnvOptions): SelectorEnv {
  const key = `${opts.consumableCapacity ? 1 : 0}${opts.listTypeAttributes ? 1 : 0}`;
  let env = envs.get(key);
  if (env === undefined) {
    env = build(opts);
    envs.set(key, env);
  }
  return env;
}
