/**
 * JsonScan (model/json-scan.ts): the one pass over a JSON text's bytes before parsing. Expected
 * values come from how each text was built: a serializer that writes a chosen key twice knows
 * whether the text has a duplicate; a List cut into items must give what JSON.parse of the whole
 * text gives.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { JsonScan, keyCount } from '../../src/model/json-scan.js';
import { loadText } from '../../src/model/load.js';

/** Scans `text` whole, or in steps of `step` bytes. */
function scanned(text: string, step = Infinity): JsonScan {
  const scan = new JsonScan(Buffer.from(text, 'utf8'));
  while (scan.pos < scan.bytes.length) scan.scan(scan.pos + step);
  return scan;
}

/** The List as JSON.parse of its head and item texts gives it, or undefined when not split. */
function rejoin(text: string): unknown {
  const scan = scanned(text);
  const list = scan.list();
  if (!list) return undefined;
  const items = list.starts.map((s, k) => JSON.parse(scan.bytes.toString('utf8', s, list.ends[k])) as unknown);
  return { ...(JSON.parse(list.head.toString('utf8')) as object), items };
}

/**
 * JSON text of `v` with the key at depth-first object position `dupAt` (counting keys in write
 * order) written twice (its value first as `0`), and whether that happened.
 */
function withDuplicate(v: unknown, dupAt: number): { text: string; duplicated: boolean } {
  let seen = 0;
  let duplicated = false;
  const write = (x: unknown): string => {
    if (Array.isArray(x)) return `[${x.map(write).join(',')}]`;
    if (x === null || typeof x !== 'object') return JSON.stringify(x);
    const members = Object.entries(x).map(([k, e]) => {
      const key = JSON.stringify(k);
      const again = seen++ === dupAt ? ((duplicated = true), `${key}:0,`) : '';
      return `${again}${key}:${write(e)}`;
    });
    return `{${members.join(',')}}`;
  };
  return { text: write(v), duplicated };
}

/** The scan's verdict: a key repeats (exact when no key has an escape; else by count, as load.ts does). */
function hasDuplicate(text: string, step?: number): boolean {
  const scan = scanned(text, step);
  return scan.duplicate || (scan.escapedKey && scan.keys !== keyCount(JSON.parse(text)));
}

describe('JsonScan: duplicate keys', () => {
  it('finds a key written twice anywhere (any keys, escapes, large objects), and none in JSON.stringify output', { timeout: 60_000 }, () => {
    const value = fc.oneof(
      fc.jsonValue(),
      fc.dictionary(fc.string({ maxLength: 3 }), fc.jsonValue({ maxDepth: 1 }), { minKeys: 30, maxKeys: 60 }), // past SMALL_OBJECT
    );
    fc.assert(
      fc.property(value, fc.nat(80), fc.integer({ min: 1, max: 40 }), (v, dupAt, step) => {
        expect(hasDuplicate(JSON.stringify(v))).toBe(false);
        const { text, duplicated } = withDuplicate(v, dupAt);
        expect(hasDuplicate(text)).toBe(duplicated);
        expect(hasDuplicate(text, step)).toBe(duplicated);
      }),
      { numRuns: 400 },
    );
  });

  it('hand-picked texts', () => {
    expect(scanned('{"a":1,"b":{"a":2},"c":[{"a":3},{"a":4}]}').duplicate).toBe(false); // same key, different objects
    expect(scanned('{"a":{"x":1},"a":2}').duplicate).toBe(true);
    expect(scanned('{"ab":1,"ba":2,"aab":1,"abb":2}').duplicate).toBe(false); // equal fingerprints are compared byte by byte
    expect(scanned('{"a" : 1 , "a" : 2}').duplicate).toBe(true); // spaces around the colon
    expect(scanned('{"x":"\\"a\\":","a":1}').duplicate).toBe(false); // a string value holding `"a":`
    const escaped = scanned('{"a":1,"\\u0061":2}');
    expect([escaped.duplicate, escaped.escapedKey, escaped.keys]).toEqual([false, true, 2]); // JSON.parse keeps 1 key
    expect(scanned('{"é":1,"é":2}').duplicate).toBe(true);
    expect(scanned('{"é":1,"e":2}').duplicate).toBe(false);
  });

  it('flags number tokens with 16 digits in a row, not strings of digits', () => {
    expect(scanned('{"a":123456789012345}').longNumber).toBe(false);
    expect(scanned('{"a":1234567890123456}').longNumber).toBe(true);
    expect(scanned('{"a":0.1234567890123456}').longNumber).toBe(true);
    expect(scanned('{"a":"12345678901234567890"}').longNumber).toBe(false);
    expect(scanned('{"a":12345678901234567890}', 3).longNumber).toBe(true); // a run across step boundaries
  });
});

describe('JsonScan: List items', () => {
  it('any List of objects (strings with braces, brackets, quotes, escapes, an "items" key inside) splits to what JSON.parse gives', { timeout: 60_000 }, () => {
    const item = fc.dictionary(fc.string(), fc.jsonValue(), { maxKeys: 5 });
    fc.assert(
      fc.property(fc.array(item, { maxLength: 8 }), fc.dictionary(fc.string(), fc.jsonValue(), { maxKeys: 3 }), fc.boolean(), (items, extra, pretty) => {
        const { kind: _k, items: _i, ...rest } = extra;
        const doc = { apiVersion: 'v1', ...rest, kind: 'List', items };
        const text = JSON.stringify(doc, null, pretty ? 2 : undefined);
        expect(rejoin(text)).toEqual(JSON.parse(text));
      }),
      { numRuns: 300 },
    );
  });

  it('hand-picked tricky texts', () => {
    const text = '{"kind":"List","metadata":{"items":[1]},"items":[ {"a":"}]\\"{["} , {"items":[{"b":"x"}]} ] , "z":"items"}';
    expect(rejoin(text)).toEqual(JSON.parse(text));
    const scan = scanned(text);
    const list = scan.list()!;
    expect(list.starts.map((s, k) => scan.bytes.toString('utf8', s, list.ends[k]))).toEqual(['{"a":"}]\\"{["}', '{"items":[{"b":"x"}]}']);
    expect(list.head.toString('utf8')).toBe('{"kind":"List","metadata":{"items":[1]},"items":[] , "z":"items"}');
  });

  it('no split for what is not a List of objects separated by single commas', () => {
    for (const text of [
      '[1,2]',
      '{"kind":"List","items":[{}, 3]}',
      '{"kind":"List","items":["x"]}',
      '{"kind":"List","items":[{}, [] ]}',
      '{"kind":"List","items":[{}, true]}',
      '{"kind":"List","items":null}',
      '{"kind":"List","items":{}}',
      '{"kind":"List"}',
      '{"kind":"List","items":[{}],"items":[{}]}',
      '{"kind":"List","items":[{"a":1}',
      '{"kind":"List","items":[{} {}]}', // a missing comma: JSON.parse of each item alone would accept it
      '{"kind":"List","items":[{},]}',
      '{"kind":"List","items":[{},,{}]}',
      '{"kind":"List","items":[,{}]}',
    ]) {
      expect(scanned(text).list(), text).toBeUndefined();
    }
  });

  it('a large List file loads item by item with the same objects, origins and errors as a small one', { timeout: 60_000 }, () => {
    const node = (i: number) => ({ apiVersion: 'v1', kind: 'Node', metadata: { name: `n${i}`, labels: { pad: 'x'.repeat(300) } } });
    const nodes = Array.from({ length: 4000 }, (_, i) => node(i)); // > 1 MiB: several scan steps
    const text = JSON.stringify({ apiVersion: 'v1', kind: 'List', items: nodes });
    expect(text.length).toBeGreaterThan(1 << 20);
    const { objects } = loadText(text, 'big.json');
    expect(objects.map((o) => o.object.metadata?.name)).toEqual(nodes.map((n) => n.metadata.name));
    expect(objects[3999].origin).toEqual({ file: 'big.json', doc: 0, item: 3999 });
    const bad = JSON.stringify({ apiVersion: 'v1', kind: 'List', items: [...nodes, { apiVersion: 'v1', kind: 'Node', metadata: {} }] });
    expect(() => loadText(bad, 'big.json')).toThrow('big.json: document 1 item 4001 (Node): metadata.name: missing');
  });
});
