import { describe, it, expect } from 'vitest';
import {
  compileSelector,
  CelCompileError,
  CelRuntimeError,
  type CelOptions,
} from '../../src/compile/cel/index.js';
import type { Device } from '../../src/model/types.js';

const BASE: CelOptions = { consumableCapacity: false, listTypeAttributes: false };
const ALL: CelOptions = { consumableCapacity: true, listTypeAttributes: true };
const DRIVER = 'driver-a';

/** A GPU-like device of driver-a with one attribute of every scalar kind and two capacities. */
function gpu(): Device {
  return {
    name: 'gpu-0',
    attributes: {
      cores: { int: 108 },
      big: { int: 9007199254740993n },
      healthy: { bool: true },
      'x.example.com/model': { string: 'A100' },
      driverVersion: { version: '1.2.3-rc.1+build.7' },
    },
    capacity: {
      memory: { value: '40Gi' },
      'x.example.com/bandwidth': { value: '1500m' },
    },
    allowMultipleAllocations: true,
  };
}

function run(expression: string, device: Device = gpu(), opts: CelOptions = BASE, driver = DRIVER): boolean {
  return compileSelector(expression, opts).evaluate(device, driver);
}

function runtimeError(expression: string, device: Device = gpu(), opts: CelOptions = BASE): string {
  try {
    run(expression, device, opts);
  } catch (e) {
    expect(e).toBeInstanceOf(CelRuntimeError);
    return (e as Error).message;
  }
  throw new Error(`expected a runtime error from ${expression}`);
}

function compileError(expression: string, opts: CelOptions = BASE): string {
  try {
    compileSelector(expression, opts);
  } catch (e) {
    expect(e).toBeInstanceOf(CelCompileError);
    return (e as Error).message;
  }
  throw new Error(`expected a compile error from ${expression}`);
}

describe('device.driver', () => {
  it('is the driver passed to evaluate', () => {
    expect(run('device.driver == "driver-a"')).toBe(true);
    expect(run('device.driver == "driver-b"')).toBe(false);
    expect(run('device.driver == "driver-b"', gpu(), BASE, 'driver-b')).toBe(true);
  });
  it('supports string functions', () => {
    expect(run('device.driver.startsWith("driver-") && device.driver.endsWith("-a")')).toBe(true);
    expect(run('device.driver.matches("^driver-[a-z]$")')).toBe(true);
    expect(run('device.driver.upperAscii() == "DRIVER-A" && device.driver.split("-")[1] == "a"')).toBe(true);
  });
});

describe('device.attributes', () => {
  it('files bare names under the driver domain', () => {
    expect(run('device.attributes["driver-a"].cores == 108')).toBe(true);
    expect(run('device.attributes["driver-a"]["healthy"]')).toBe(true);
    expect(run('device.attributes["driver-a"].cores > 100 && device.attributes["driver-a"].cores < 200')).toBe(true);
  });
  it('follows the driver argument for bare names', () => {
    expect(run('"cores" in device.attributes["driver-b"]', gpu(), BASE, 'driver-b')).toBe(true);
    expect(run('"cores" in device.attributes["driver-a"]', gpu(), BASE, 'driver-b')).toBe(false);
  });
  it('files qualified names under their own domain', () => {
    expect(run('device.attributes["x.example.com"]["model"] == "A100"')).toBe(true);
    expect(run('device.attributes["x.example.com"].model.startsWith("A1")')).toBe(true);
    expect(run('"model" in device.attributes["driver-a"]')).toBe(false);
  });
  it('keeps int64 values beyond 2^53 exact', () => {
    expect(run('device.attributes["driver-a"].big == 9007199254740993')).toBe(true);
    expect(run('device.attributes["driver-a"].big == 9007199254740992')).toBe(false);
  });
  it('exposes versions as semver objects', () => {
    expect(run('device.attributes["driver-a"].driverVersion.major() == 1')).toBe(true);
    expect(run('device.attributes["driver-a"].driverVersion.patch() == 3')).toBe(true);
    // 1.2.3-rc.1 is a pre-release of 1.2.3, so it is lower; build metadata is ignored.
    expect(run('device.attributes["driver-a"].driverVersion.isLessThan(semver("1.2.3"))')).toBe(true);
    expect(run('device.attributes["driver-a"].driverVersion == semver("1.2.3-rc.1")')).toBe(true);
    expect(run('device.attributes["driver-a"].driverVersion.compareTo(semver("1.2.3-rc.0")) == 1')).toBe(true);
  });
  it('treats an unknown domain as an empty map', () => {
    expect(run('has(device.attributes["nope.example.com"].model)')).toBe(false);
    expect(run('device.attributes["nope.example.com"].size() == 0')).toBe(true);
    expect(run('"nope.example.com" in device.attributes')).toBe(false);
    expect(run('"x.example.com" in device.attributes')).toBe(true);
  });
  it('guards lookups with has() and in', () => {
    expect(run('has(device.attributes["driver-a"].cores) && device.attributes["driver-a"].cores == 108')).toBe(true);
    expect(run('has(device.attributes["driver-a"].missing) && device.attributes["driver-a"].missing == 1')).toBe(false);
    expect(run('"missing" in device.attributes["driver-a"] && device.attributes["driver-a"].missing == 1')).toBe(false);
    expect(run('!has(device.attributes["driver-a"].missing) || device.attributes["driver-a"].missing')).toBe(true);
  });
  it('fails at runtime on a missing key', () => {
    expect(runtimeError('device.attributes["driver-a"].missing == 1')).toBe('no such key: missing');
    expect(runtimeError('device.attributes["nope.example.com"]["model"] == "A100"')).toBe('no such key: model');
  });
  it('lets cel.bind name a domain once', () => {
    expect(run('cel.bind(a, device.attributes["driver-a"], a.cores == 108 && a.healthy)')).toBe(true);
    expect(run('cel.bind(a, device.attributes["driver-a"], cel.bind(b, a.cores * 2, b == 216))')).toBe(true);
  });
});

describe('device.capacity', () => {
  it('holds quantities comparable by value', () => {
    expect(run('device.capacity["driver-a"].memory.compareTo(quantity("40Gi")) == 0')).toBe(true);
    expect(run('device.capacity["driver-a"].memory.compareTo(quantity("32Gi")) == 1')).toBe(true);
    expect(run('device.capacity["driver-a"].memory.isGreaterThan(quantity("40G"))')).toBe(true);
    expect(run('device.capacity["driver-a"].memory.isLessThan(quantity("41Gi"))')).toBe(true);
    expect(run('device.capacity["driver-a"].memory == quantity("40960Mi")')).toBe(true);
    expect(run('device.capacity["driver-a"].memory != quantity("40G")')).toBe(true);
  });
  it('converts and computes', () => {
    expect(run('device.capacity["driver-a"].memory.asInteger() == 42949672960')).toBe(true);
    expect(run('device.capacity["x.example.com"].bandwidth.isInteger()')).toBe(false);
    expect(run('device.capacity["x.example.com"].bandwidth.asApproximateFloat() == 1.5')).toBe(true);
    expect(run('device.capacity["driver-a"].memory.sub(quantity("8Gi")) == quantity("32Gi")')).toBe(true);
    expect(run('device.capacity["driver-a"].memory.add(1).asInteger() == 42949672961')).toBe(true);
    expect(run('quantity("1k").sub(2000).sign() == -1 && sign(quantity("0")) == 0')).toBe(true);
  });
  it('asInteger fails beyond int64', () => {
    expect(runtimeError('quantity("10E").asInteger() > 0')).toBe('cannot convert value to integer');
  });
  it('treats an unknown domain as an empty map', () => {
    expect(run('has(device.capacity["nope.example.com"].memory)')).toBe(false);
    expect(runtimeError('device.capacity["driver-a"].cpu.isInteger()')).toBe('no such key: cpu');
  });
});

describe('Kubernetes libraries', () => {
  it('semver parses strictly, normalizes on request', () => {
    expect(run('isSemver("1.2.3") && !isSemver("v1.2") && isSemver("v1.2", true)')).toBe(true);
    expect(run('semver("v01.2", true) == semver("1.2.0")')).toBe(true);
    expect(run('semver("1.10.0").isGreaterThan(semver("1.9.9"))')).toBe(true);
    expect(run('semver("1.0.0-alpha.10").isGreaterThan(semver("1.0.0-alpha.9"))')).toBe(true);
    expect(run('semver("1.0.0-alpha").compareTo(semver("1.0.0-alpha.1")) == -1')).toBe(true);
    expect(run('semver("1.0.0-1").isLessThan(semver("1.0.0-a"))')).toBe(true);
    expect(runtimeError('semver("1.2") == semver("1.2.0")')).toBe('No Major.Minor.Patch elements found');
  });
  it('quantity parses Kubernetes quantities', () => {
    expect(run('isQuantity("1.5Gi") && !isQuantity("1.5K") && !isQuantity("Mi")')).toBe(true);
    expect(run('quantity("200M").compareTo(quantity("0.2G")) == 0')).toBe(true);
    expect(run('quantity("50M").isLessThan(quantity("50Mi"))')).toBe(true);
  });
  it('standard macros and the strings extension work', () => {
    expect(run('[1, 2, 3].all(x, x > 0) && [1, 2, 3].exists_one(x, x == 2)')).toBe(true);
    expect(run('[1, 2, 3].map(x, x * 2) == [2, 4, 6] && [1, 2, 3].filter(x, x > 1).size() == 2')).toBe(true);
    expect(run('"a-b-c".replace("-", "") == "abc" && "abc".indexOf("c") == 2 && ["a", "b"].join(",") == "a,b"')).toBe(true);
  });
});

describe('lists, sets and two-variable comprehensions', () => {
  it('Kubernetes lists library', () => {
    expect(run('[1, 2, 3].isSorted() && ![2, 1].isSorted()')).toBe(true);
    expect(run('[3, 1, 2].max() == 3 && [3, 1, 2].min() == 1 && [1, 2, 4].sum() == 7')).toBe(true);
    expect(run('[1, 2, 1].indexOf(1) == 0 && [1, 2, 1].lastIndexOf(1) == 2 && [1].indexOf(5) == -1')).toBe(true);
    expect(runtimeError('[].max() == 1')).toBe('max called on empty list');
  });
  it('sets extension', () => {
    expect(run('sets.contains([1, 2, 3], [3, 1]) && !sets.contains([1], [2])')).toBe(true);
    expect(run('sets.equivalent([1, 2, 2], [2, 1]) && sets.intersects([1, 2], [2, 9])')).toBe(true);
  });
  it('two-variable comprehensions', () => {
    expect(run('[10, 11].all(i, v, v == i + 10)')).toBe(true);
    expect(run('{"a": 1, "b": 2}.exists(k, v, k == "b" && v == 2)')).toBe(true);
    expect(run('[5, 6, 7].existsOne(i, v, v > 6)')).toBe(true);
    expect(run('[1, 2, 3].transformList(i, v, v > 1, i * v) == [2, 6]')).toBe(true);
    expect(run('{"a": 1}.transformMap(k, v, v + 1) == {"a": 2}')).toBe(true);
    expect(run('[7, 8].transformMapEntry(i, v, {string(v): i}) == {"7": 0, "8": 1}')).toBe(true);
    expect(runtimeError('[1, 1].transformMapEntry(i, v, {v: i}).size() == 1')).toBe('insert failed: key 1 already exists');
  });
});

describe('compile errors', () => {
  it('reports undeclared references with position and expression', () => {
    const msg = compileError('device.driver == x');
    expect(msg).toContain("undeclared reference to 'x' (in container '')");
    expect(msg).toContain('<input>:1:18:');
    expect(msg).toContain(' | device.driver == x\n | .................^');
  });
  it('reports unknown functions and fields', () => {
    expect(compileError('frobnicate(device.driver)')).toContain("undeclared reference to 'frobnicate'");
    expect(compileError('device.nodeName == "n"')).toContain("undefined field 'nodeName'");
  });
  it('reports calls that match no overload', () => {
    expect(compileError('device.driver.startsWith(1)')).toContain(
      "found no matching overload for 'startsWith' applied to 'string.(int)'",
    );
    expect(compileError('device.driver == 1')).toContain("found no matching overload for '_==_' applied to '(string, int)'");
  });
  it('rejects a statically non-bool result', () => {
    expect(compileError('device.driver')).toContain('must evaluate to bool or the unknown type, not string');
  });
  it('reports syntax errors', () => {
    expect(compileError('device.driver ==')).toMatch(/^compilation failed: ERROR: <input>:1:\d+: Syntax error/);
  });
  it('enforces the 10 KiB expression limit', { timeout: 60_000 }, () => {
    const atLimit = 'true' + ' '.repeat(10 * 1024 - 4);
    expect(compileSelector(atLimit, BASE).evaluate(gpu(), DRIVER)).toBe(true);
    expect(compileError(atLimit + ' ')).toContain('over the limit of 10240 bytes');
  });
  it('caches results, errors included', () => {
    expect(compileSelector('device.driver == "a"', BASE)).toBe(compileSelector('device.driver == "a"', BASE));
    let first: unknown;
    let second: unknown;
    try {
      compileSelector('nope', BASE);
    } catch (e) {
      first = e;
    }
    try {
      compileSelector('nope', BASE);
    } catch (e) {
      second = e;
    }
    expect(first).toBeInstanceOf(CelCompileError);
    expect(second).toBe(first);
  });
});

describe('runtime errors', () => {
  it('rejects a dynamically non-bool result', () => {
    expect(runtimeError('device.attributes["driver-a"].cores')).toBe('CEL result of type int could not be converted to bool');
  });
  it('propagates function errors', () => {
    expect(runtimeError('device.attributes["driver-a"].cores / 0 == 1')).toBe('int divide by zero');
  });
  it('rejects an expression whose estimated cost is over the budget before running it', { timeout: 60_000 }, () => {
    const ten = '[0, 1, 2, 3, 4, 5, 6, 7, 8, 9]';
    const cheap = `${ten}.all(a, ${ten}.all(b, a + b >= 0))`;
    expect(run(cheap)).toBe(true);
    // 10^6 innermost iterations of a body of more than one node: over 1,000,000.
    const costly = `${ten}.all(a, ${ten}.all(b, ${ten}.all(c, ${ten}.all(d, ${ten}.all(e, ${ten}.all(f, a + b + c + d + e + f >= 0))))))`;
    expect(compileError(costly)).toMatch(/^too complex, exceeds cost limit: estimated cost \d+ is over the limit of 1000000: /);
  });
  it('enforces the cost limit at run time where the estimate is too low', { timeout: 60_000 }, () => {
    // The estimate assumes attribute strings of at most 64 characters (the API limit); this one has 2000.
    const device: Device = { name: 'long', attributes: { s: { string: 'x'.repeat(2000) } } };
    const loops = 'device.attributes["driver-a"].s.split("").all(a, device.attributes["driver-a"].s.split("").all(b, a == b))';
    expect(runtimeError(loops, device)).toBe('operation cancelled: actual cost limit exceeded');
    expect(run(loops, { name: 'short', attributes: { s: { string: 'xx' } } })).toBe(true);
  });
});

describe('allowMultipleAllocations', () => {
  it('is declared only with consumable capacity', () => {
    expect(compileError('device.allowMultipleAllocations')).toContain("undefined field 'allowMultipleAllocations'");
    const opts = { consumableCapacity: true, listTypeAttributes: false };
    expect(run('device.allowMultipleAllocations', gpu(), opts)).toBe(true);
    expect(run('device.allowMultipleAllocations', { name: 'plain' }, opts)).toBe(false);
  });
});

describe('list attributes', () => {
  function withLists(): Device {
    return {
      name: 'nic-0',
      attributes: {
        ports: { ints: [80, 443] },
        'x.example.com/modes': { strings: ['a', 'b'] },
        versions: { versions: ['1.0.0', '2.0.0'] },
        flags: { bools: [true, false] },
      },
    };
  }
  it('are CEL lists with the option', () => {
    expect(run('443 in device.attributes["driver-a"].ports', withLists(), ALL)).toBe(true);
    expect(run('device.attributes["x.example.com"].modes == ["a", "b"]', withLists(), ALL)).toBe(true);
    expect(run('device.attributes["driver-a"].versions.exists(v, v.major() == 2)', withLists(), ALL)).toBe(true);
    expect(run('device.attributes["driver-a"].flags.size() == 2', withLists(), ALL)).toBe(true);
  });
  it('includes() matches a list element or a scalar', () => {
    const device: Device = { name: 'cpu', attributes: { roots: { strings: ['pci0', 'pci1'] }, root: { string: 'pci0' } } };
    expect(run('device.attributes["driver-a"].roots.includes("pci1")', device, ALL)).toBe(true);
    expect(run('device.attributes["driver-a"].roots.includes("pci9")', device, ALL)).toBe(false);
    expect(run('device.attributes["driver-a"].root.includes("pci0")', device, ALL)).toBe(true);
    expect(compileError('device.attributes["driver-a"].root.includes("pci0")')).toContain("undeclared reference to 'includes'");
  });
  it('make every selector fail without the option', () => {
    expect(runtimeError('device.driver == "driver-a"', withLists())).toMatch(/^attribute \S+: unsupported attribute value$/);
  });
  it('an attribute without any value fails even with the option', () => {
    const device: Device = { name: 'x', attributes: { empty: {} } };
    expect(runtimeError('true', device, ALL)).toBe('attribute empty: unsupported attribute value');
  });
  it('an unparsable version fails the device', () => {
    const device: Device = { name: 'x', attributes: { v: { version: 'v1' } } };
    expect(runtimeError('true', device)).toBe('attribute v: parse semantic version: No Major.Minor.Patch elements found');
  });
});

describe('per-device caching', () => {
  it('reuses the converted device but keeps drivers and options apart', () => {
    const device = gpu();
    expect(run('device.driver == "driver-a"', device)).toBe(true);
    expect(run('device.driver == "driver-b"', device, BASE, 'driver-b')).toBe(true);
    expect(run('device.allowMultipleAllocations', device, { consumableCapacity: true, listTypeAttributes: false })).toBe(true);
    expect(run('device.attributes["driver-a"].cores == 108', device)).toBe(true);
  });
});
