/**
 * splitJsonList: a JSON List cut into item texts must give exactly what JSON.parse of the whole
 * text gives (head without items + the items), and undefined for anything else.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { splitJsonList } from '../../src/model/json-list.js';
import { loadText } from '../../src/model/load.js';

function rejoin(text: string): unknown {
  const s = splitJsonList(text);
  return s && { ...s.head, items: s.items.map((t) => JSON.parse(t) as unknown) };
}

describe('splitJsonList', () => {
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
    expect(splitJsonList(text)!.items).toEqual(['{"a":"}]\\"{["}', '{"items":[{"b":"x"}]}']);
  });

  it('undefined for what is not a List of objects', () => {
    for (const text of [
      '[1,2]',
      '{"kind":"Node","items":[{}]}',
      '{"kind":"List","items":[{}, 3]}',
      '{"kind":"List","items":["x"]}',
      '{"kind":"List","items":null}',
      '{"kind":"List"}',
      '{"kind":"List","items":[{}],"items":[{}]}',
      '{"kind":"List","items":[{}]} trailing',
      '{"kind":"List","items":[{"a":1}',
    ]) {
      expect(splitJsonList(text), text).toBeUndefined();
    }
  });

  it('a large List file loads item by item with the same objects, origins and errors as a small one', { timeout: 60_000 }, () => {
    const node = (i: number) => ({ apiVersion: 'v1', kind: 'Node', metadata: { name: `n${i}`, labels: { pad: 'x'.repeat(300) } } });
    const nodes = Array.from({ length: 4000 }, (_, i) => node(i)); // > 1 MiB: the split path
    const text = JSON.stringify({ apiVersion: 'v1', kind: 'List', items: nodes });
    expect(text.length).toBeGreaterThan(1 << 20);
    const { objects } = loadText(text, 'big.json');
    expect(objects.map((o) => o.object.metadata.name)).toEqual(nodes.map((n) => n.metadata.name));
    expect(objects[3999].origin).toEqual({ file: 'big.json', doc: 0, item: 3999 });
    const bad = JSON.stringify({ apiVersion: 'v1', kind: 'List', items: [...nodes, { apiVersion: 'v1', kind: 'Node', metadata: {} }] });
    expect(() => loadText(bad, 'big.json')).toThrow('big.json: document 1 item 4001 (Node): metadata.name: missing');
  });
});
