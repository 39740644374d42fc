import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { decodeObject } from '../../src/model/decode.js';
import { InputError } from '../../src/model/errors.js';
import { loadPaths, loadText, type LoadResult } from '../../src/model/load.js';

const CASES = 'test/conformance/cases';
const tmp = mkdtempSync(join(tmpdir(), 'dralloc-load-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** Writes `files` (relative path → text) below a fresh folder and returns it. */
function folder(name: string, files: Record<string, string>): string {
  const root = join(tmp, name);
  for (const [rel, text] of Object.entries(files)) {
    mkdirSync(join(root, rel, '..'), { recursive: true });
    writeFileSync(join(root, rel), text);
  }
  return root;
}

/** `Kind name` of every loaded object, in order. */
const names = (r: LoadResult) => r.objects.map((o) => `${o.object.kind} ${o.object.metadata?.name}`);

const node = (name: string) => `apiVersion: v1\nkind: Node\nmetadata:\n  name: ${name}\n`;
const cls = (name: string) => `apiVersion: resource.k8s.io/v1\nkind: DeviceClass\nmetadata:\n  name: ${name}\nspec: {}\n`;
const slice = (devices: string) =>
  `apiVersion: resource.k8s.io/v1
kind: ResourceSlice
metadata:
  name: gpu-node-1
spec:
  driver: gpu.example.com
  pool: {name: pool-1, generation: 1, resourceSliceCount: 1}
  nodeName: node-1
  devices:
${devices}`;

function loadError(text: string): string {
  try {
    loadText(text, 'bad.yaml');
  } catch (e) {
    expect(e).toBeInstanceOf(InputError);
    return (e as Error).message;
  }
  throw new Error('expected an InputError');
}

describe('loadText', () => {
  it('keeps multi-document order and duplicate names, skipping empty and comment-only documents', () => {
    const text = `# header\n${node('n1')}---\n---\n# only a comment\n---\n${cls('a')}---\n${cls('a')}---\n~\n---\n${node('n1')}`;
    const r = loadText(text, 'multi.yaml');
    expect(names(r)).toEqual(['Node n1', 'DeviceClass a', 'DeviceClass a', 'Node n1']);
    expect(r.objects.map((o) => o.origin)).toEqual([
      { file: 'multi.yaml', doc: 0 },
      { file: 'multi.yaml', doc: 3 },
      { file: 'multi.yaml', doc: 4 },
      { file: 'multi.yaml', doc: 6 },
    ]);
    expect(r.warnings).toEqual([]);
  });

  it('reads JSON, keeping big integers exact', () => {
    const json = JSON.stringify({
      apiVersion: 'resource.k8s.io/v1',
      kind: 'ResourceSlice',
      metadata: { name: 's' },
      spec: { driver: 'd', pool: { name: 'p', generation: 2, resourceSliceCount: 1 }, devices: [{ name: 'x' }] },
    }).replace('"name":"x"', '"name":"x","attributes":{"big":{"int":9223372036854775807},"neg":{"int":-5}}');
    const r = loadText(json, 'one.json');
    expect(r.objects).toEqual([
      {
        origin: { file: 'one.json', doc: 0 },
        object: {
          apiVersion: 'resource.k8s.io/v1',
          kind: 'ResourceSlice',
          metadata: { name: 's' },
          spec: {
            driver: 'd',
            pool: { name: 'p', generation: 2, resourceSliceCount: 1 },
            devices: [{ name: 'x', attributes: { big: { int: 9223372036854775807n }, neg: { int: -5 } } }],
          },
        },
      },
    ]);
  });

  it('reads kubectl-style JSON Lists and reports JSON syntax errors with line and column', () => {
    const item = (name: string) => ({ apiVersion: 'v1', kind: 'Node', metadata: { name } });
    const r = loadText(JSON.stringify({ apiVersion: 'v1', kind: 'List', items: [item('a'), item('b')] }, null, 2), 'l.json');
    expect(r).toEqual({
      objects: [
        { object: item('a'), origin: { file: 'l.json', doc: 0, item: 0 } },
        { object: item('b'), origin: { file: 'l.json', doc: 0, item: 1 } },
      ],
      warnings: [],
    });
    expect(loadError('{"apiVersion": "v1",\n "kind": "Node",\n "metadata": {"name": "x"}\n')).toBe(
      'bad.yaml: line 4, column 1: syntax error: Flow map must end with a }',
    );
    expect(loadError('{"apiVersion": "v1", "kind": "List", "items": [5]}')).toBe(
      'bad.yaml: document 1 item 1: expected a Kubernetes object, got number',
    );
  });

  it('flattens a v1 List in order, with item origins', () => {
    const text = `${node('n0')}---
apiVersion: v1
kind: List
items:
- {apiVersion: resource.k8s.io/v1, kind: DeviceClass, metadata: {name: a}, spec: {}}
- {apiVersion: apps/v1, kind: Deployment, metadata: {name: web}}
- {apiVersion: resource.k8s.io/v1, kind: DeviceClass, metadata: {name: b}, spec: {}}
`;
    const r = loadText(text, 'list.yaml');
    expect(names(r)).toEqual(['Node n0', 'DeviceClass a', 'DeviceClass b']);
    expect(r.objects.map((o) => o.origin)).toEqual([
      { file: 'list.yaml', doc: 0 },
      { file: 'list.yaml', doc: 1, item: 0 },
      { file: 'list.yaml', doc: 1, item: 2 },
    ]);
    expect(r.warnings).toEqual(['list.yaml: document 2 item 2: skipping apps/v1 Deployment web: kind not used by dralloc']);
  });

  it('names the list item in errors', () => {
    expect(loadError('kind: List\napiVersion: v1\nitems:\n- {apiVersion: v1, kind: Node, metadata: {name: 7}}\n')).toBe(
      'bad.yaml: document 1 item 1 (Node): metadata.name: expected a string, got number',
    );
    expect(loadError('kind: List\napiVersion: v1\nitems: {}\n')).toBe(
      'bad.yaml: document 1 (List): items: expected an array, got object',
    );
  });

  it('warns about and skips unknown kinds', () => {
    const r = loadText(`apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\n---\n${node('n1')}`, 'mixed.yaml');
    expect(names(r)).toEqual(['Node n1']);
    expect(r.warnings).toEqual(['mixed.yaml: document 1: skipping apps/v1 Deployment web: kind not used by dralloc']);
  });

  it('reports YAML syntax errors with line and column', () => {
    expect(loadError(`${node('n1')}---\n${node('"n2')}`)).toBe('bad.yaml: line 10, column 1: syntax error: Missing closing "quote');
    expect(loadError(`${node('n1')}---\nkind: [Node\n`)).toBe(
      'bad.yaml: line 7, column 1: syntax error: Flow sequence in block collection must be sufficiently indented and end with a ]',
    );
  });

  it('reports wrong JSON types with file, document, kind, name and field path', () => {
    expect(loadError(`${node('n1')}---\n${slice('  - name: ok\n  - name: 12\n')}`)).toBe(
      'bad.yaml: document 2 (ResourceSlice gpu-node-1): spec.devices[1].name: expected a string, got number',
    );
    expect(loadError(slice('  - name: a\n    attributes:\n      gpu.example.com/model: {int: "7"}\n'))).toBe(
      'bad.yaml: document 1 (ResourceSlice gpu-node-1): spec.devices[0].attributes["gpu.example.com/model"].int: expected an integer, got string',
    );
    expect(loadError(slice('  - name: a\n    allowMultipleAllocations: "true"\n'))).toBe(
      'bad.yaml: document 1 (ResourceSlice gpu-node-1): spec.devices[0].allowMultipleAllocations: expected a boolean, got string',
    );
    expect(loadError(slice('    name: a\n'))).toBe(
      'bad.yaml: document 1 (ResourceSlice gpu-node-1): spec.devices: expected an array, got object',
    );
    expect(
      loadError(
        'apiVersion: resource.k8s.io/v1\nkind: ResourceClaim\nmetadata: {name: c, namespace: ns}\nspec:\n  devices:\n    requests:\n    - name: r\n      exactly: {deviceClassName: x, count: 1.5}\n',
      ),
    ).toBe('bad.yaml: document 1 (ResourceClaim ns/c): spec.devices.requests[0].exactly.count: expected an integer, got number 1.5');
  });

  it('rejects quantities that do not parse', () => {
    expect(loadError(slice('  - name: a\n    capacity:\n      memory:\n        value: 400Gbps\n'))).toBe(
      `bad.yaml: document 1 (ResourceSlice gpu-node-1): spec.devices[0].capacity.memory.value: quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$' (got "400Gbps")`,
    );
    expect(
      loadError(slice('  - name: a\n    capacity:\n      bw:\n        value: 1Gi\n        requestPolicy: {validRange: {min: 1x}}\n')),
    ).toBe(
      `bad.yaml: document 1 (ResourceSlice gpu-node-1): spec.devices[0].capacity.bw.requestPolicy.validRange.min: quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$' (got "1x")`,
    );
  });

  it('requires a name, a spec and a supported apiVersion', () => {
    expect(loadError('apiVersion: resource.k8s.io/v1\nkind: DeviceClass\nmetadata: {}\nspec: {}\n')).toBe(
      'bad.yaml: document 1 (DeviceClass): metadata.name: missing',
    );
    expect(loadError('apiVersion: resource.k8s.io/v1\nkind: ResourceClaim\nmetadata: {name: c}\nspec: null\n')).toBe(
      'bad.yaml: document 1 (ResourceClaim c): spec: missing',
    );
    expect(loadError('apiVersion: resource.k8s.io/v1beta1\nkind: DeviceClass\nmetadata: {name: c}\nspec: {}\n')).toBe(
      'bad.yaml: document 1 (DeviceClass c): apiVersion: resource.k8s.io/v1beta1 is not supported for DeviceClass (use resource.k8s.io/v1 or resource.k8s.io/v1beta2)',
    );
    expect(loadError('apiVersion: v1\nmetadata: {name: c}\n')).toBe('bad.yaml: document 1: kind: missing');
    expect(loadError('- a\n')).toBe('bad.yaml: document 1: expected a Kubernetes object, got array');
  });

  it('passes deliberately invalid but decodable objects through unchanged', () => {
    const claim = `apiVersion: resource.k8s.io/v1
kind: ResourceClaim
metadata: {name: claim-0}
spec:
  devices:
    requests:
    - name: req-0
      exactly:
        deviceClassName: ""
        allocationMode: future-mode
        selectors: [{}]
        someFutureField: {x: 1}
    constraints: [{}]
`;
    const slice0 = slice('  - name: a\n    attributes:\n      empty: {}\n');
    for (const text of [claim, slice0]) {
      expect(loadText(text, 'ok.yaml').objects.map((o) => o.object)).toEqual([parse(text)]);
    }
  });

  it('normalises the way Go decoding does: null fields dropped, number quantities as strings', () => {
    const r = loadText(slice('  - name: a\n    nodeName: null\n    capacity:\n      cores: {value: 8}\n      mem: null\n'), 'q.yaml');
    const spec = (r.objects[0].object as { spec: { devices: unknown[] } }).spec;
    expect(spec.devices).toEqual([{ name: 'a', capacity: { cores: { value: '8' }, mem: { value: '0' } } }]);
  });

  it('keeps 64-bit attribute integers exact and refuses what int64 cannot hold', { timeout: 60_000 }, () => {
    const ints = (v: string) => slice(`  - name: a\n    attributes:\n      n: {int: ${v}}\n      l: {ints: [1, ${v}]}\n`);
    const attrs = (v: string) =>
      (loadText(ints(v), 'i.yaml').objects[0].object as { spec: { devices: { attributes: unknown }[] } }).spec.devices[0]
        .attributes;
    expect(attrs('9007199254740993')).toEqual({ n: { int: 9007199254740993n }, l: { ints: [1, 9007199254740993n] } });
    expect(attrs('-9223372036854775808')).toEqual({
      n: { int: -9223372036854775808n },
      l: { ints: [1, -9223372036854775808n] },
    });
    expect(attrs('9007199254740991')).toEqual({ n: { int: 9007199254740991 }, l: { ints: [1, 9007199254740991] } });
    expect(loadError(ints('9223372036854775808'))).toBe(
      'bad.yaml: document 1 (ResourceSlice gpu-node-1): spec.devices[0].attributes.n.int: integer 9223372036854775808 does not fit in 64 bits',
    );
    expect(loadError(slice('  - name: a\n').replace('generation: 1', 'generation: 9007199254740992'))).toBe(
      'bad.yaml: document 1 (ResourceSlice gpu-node-1): spec.pool.generation: integer 9007199254740992 is out of the range dralloc supports (magnitude at most 2^53 - 1)',
    );
  });
});

describe('decodeObject', () => {
  it('fills Go zero values for absent non-optional fields and null list elements', () => {
    const raw = {
      apiVersion: 'resource.k8s.io/v1',
      kind: 'ResourceSlice',
      metadata: { name: 's' },
      spec: { devices: [null, { name: 'd', consumesCounters: [{ counterSet: 'cs' }] }] },
    };
    const warnings: string[] = [];
    expect(decodeObject(raw, { file: 'f', doc: 0 }, warnings)).toEqual({
      ...raw,
      spec: {
        driver: '',
        pool: { name: '', generation: 0, resourceSliceCount: 0 },
        devices: [{ name: '' }, { name: 'd', consumesCounters: [{ counterSet: 'cs', counters: {} }] }],
      },
    });
    expect(warnings).toEqual([]);
  });
});

describe('loadPaths', () => {
  it('loads folders recursively in path order, then files, then stdin, in the order given', async () => {
    const dir = folder('tree', {
      'b.yaml': node('b'),
      'a/z.yml': node('a-z'),
      'a/b/c.json': JSON.stringify({ apiVersion: 'v1', kind: 'Node', metadata: { name: 'a-b-c' } }),
      'a.yaml': node('a'),
      'notes.txt': node('ignored'),
    });
    const single = join(tmp, 'single.txt');
    writeFileSync(single, node('single'));
    const r = await loadPaths([dir, single, '-'], { stdin: node('stdin') });
    expect(names(r)).toEqual(['Node a', 'Node a-b-c', 'Node a-z', 'Node b', 'Node single', 'Node stdin']);
    expect(r.objects.map((o) => o.origin.file)).toEqual([
      join(dir, 'a.yaml'),
      join(dir, 'a/b/c.json'),
      join(dir, 'a/z.yml'),
      join(dir, 'b.yaml'),
      single,
      '<stdin>',
    ]);
    expect(r.warnings).toEqual([]);
  });

  it('reports missing paths, missing stdin and empty folders', async () => {
    await expect(loadPaths([join(tmp, 'nope.yaml')])).rejects.toThrow(
      new InputError(`${join(tmp, 'nope.yaml')}: no such file or directory`),
    );
    await expect(loadPaths(['-'])).rejects.toThrow(new InputError('-: no standard input was given'));
    const empty = folder('empty', { 'readme.md': '# nothing' });
    expect(await loadPaths([empty])).toEqual({
      objects: [],
      warnings: [`${empty}: no *.yaml, *.yml, *.json files found`],
    });
  });

  it('loads every conformance scenario', { timeout: 60_000 }, async () => {
    const cases = readdirSync(CASES).filter((c) => /^\d{3}-/.test(c));
    expect(cases.length).toBeGreaterThan(100);
    for (const c of cases) {
      const file = join(CASES, c, 'scenario.yaml');
      const r = await loadPaths([file]);
      const docs = readFileSync(file, 'utf8').match(/^kind: /gm)?.length;
      expect([c, r.objects.length, r.warnings]).toEqual([c, docs, []]);
    }
  });

  it.each([
    ['009-duplicate-slice', { Node: 1, DeviceClass: 1, ResourceSlice: 2, ResourceClaim: 1 }, ['slice-1', 'slice-1-2']],
    ['028-all-devices-some-allocated', { Node: 1, DeviceClass: 1, ResourceSlice: 1, ResourceClaim: 2 }, ['slice-1']],
  ])('loads conformance case %s with the right objects', async (c, kinds, slices) => {
    const r = await loadPaths([join(CASES, c, 'scenario.yaml')]);
    const count: Record<string, number> = {};
    for (const { object } of r.objects) count[object.kind] = (count[object.kind] ?? 0) + 1;
    expect(count).toEqual(kinds);
    expect(r.objects.filter((o) => o.object.kind === 'ResourceSlice').map((o) => o.object.metadata?.name)).toEqual(slices);
  });
});

describe('decodeObject with reuse (in place, for JSON.parse output)', () => {
  /** Decodes the JSON text once copying and once in place; both must print the same. */
  const both = (json: string) => {
    const copy = decodeObject(JSON.parse(json), { file: 'f', doc: 0 }, []);
    const inPlace = decodeObject(JSON.parse(json), { file: 'f', doc: 0 }, [], { reuse: true });
    return { copy: JSON.stringify(copy), inPlace: JSON.stringify(inPlace) };
  };
  const sliceJson = (pool: string, device: string) =>
    `{"apiVersion":"resource.k8s.io/v1","kind":"ResourceSlice","metadata":{"name":"s"},` +
    `"spec":{${pool},"devices":[null,${device}]}}`;

  it('gives the copy, key order included, when fields must move, be dropped or filled in', () => {
    const cases = [
      // required fields in order: decoded in place
      sliceJson('"driver":"d","pool":{"name":"p","generation":1,"resourceSliceCount":1}', '{"name":"a","capacity":{"m":{"value":8}}}'),
      // required fields out of order (pool before driver) and missing (resourceSliceCount)
      sliceJson('"pool":{"generation":1,"name":"p"},"driver":"d"', '{"capacity":{"m":{"value":"1Gi"}},"name":"a"}'),
      // a typed field that is null (dropped), an unknown field that is null (kept)
      sliceJson('"driver":"d","pool":{"name":"p","generation":1,"resourceSliceCount":1},"nodeName":null,"future":null', '{"name":"a","taints":null}'),
    ];
    for (const json of cases) {
      const { copy, inPlace } = both(json);
      expect(inPlace).toBe(copy);
    }
    // the first case needs no change of key order: it is decoded in place, not copied
    const raw = JSON.parse(cases[0]);
    expect(decodeObject(raw, { file: 'f', doc: 0 }, [], { reuse: true })).toBe(raw);
    expect(raw.spec.devices[1].capacity.m.value).toBe('8');
    // and the copy is what Go decoding gives, worked out by hand for the second case
    expect(JSON.parse(both(cases[1]).copy).spec).toEqual({
      driver: 'd',
      pool: { name: 'p', generation: 1, resourceSliceCount: 0 },
      devices: [{ name: '' }, { name: 'a', capacity: { m: { value: '1Gi' } } }],
    });
    expect(Object.keys(JSON.parse(both(cases[1]).copy).spec)).toEqual(['driver', 'pool', 'devices']);
  });

  it('keeps a `__proto__` key as a plain field, never as the prototype', () => {
    const json = `{"apiVersion":"v1","kind":"Node","metadata":{"name":"n","labels":{"__proto__":"x"}},"__proto__":{"polluted":true}}`;
    for (const reuse of [false, true]) {
      const node = decodeObject(JSON.parse(json), { file: 'f', doc: 0 }, [], { reuse }) as unknown as Record<string, unknown>;
      expect(Object.getPrototypeOf(node)).toBe(Object.prototype);
      expect(Object.getOwnPropertyDescriptor(node, '__proto__')?.value).toEqual({ polluted: true });
      const labels = (node.metadata as { labels: object }).labels;
      expect(Object.getOwnPropertyDescriptor(labels, '__proto__')?.value).toBe('x');
    }
  });
});
