/**
 * lint's fast path for JSON Lists (lintJsonList) against the YAML parser's path on the same
 * texts: the findings (severity, rule, file, line, object, path, message) must be identical.
 * Texts: every gen workload at a small scale (one item per line, as gen writes them, and
 * pretty-printed, where field lines differ from item lines), with seeded mutations that make
 * items invalid (wrong types, bad quantities and names, missing fields) so that findings exist.
 */
import { describe, expect, it } from 'vitest';
import { lintJsonList, lintText, type LintInput } from '../../src/lint/load.js';
import { lint } from '../../src/lint/index.js';
import { generateWorkload, WORKLOADS } from '../../src/gen/registry.js';
import { Random } from '../../src/gen/random.js';

const CEL = { consumableCapacity: true, listTypeAttributes: false };

const fresh = (): LintInput => ({ docs: [], findings: [] });

/** Findings of `text` through the fast path (which must take it) and through the YAML parser. */
function bothWays(text: string): { fast: unknown[]; yaml: unknown[] } {
  const fastInput = fresh();
  expect(lintJsonList(text, 'w.json', fastInput)).toBe(true);
  const yamlInput = fresh();
  lintText(text, 'w.json', yamlInput, { yaml: true });
  return { fast: lint(fastInput, CEL), yaml: lint(yamlInput, CEL) };
}

type Json = Record<string, unknown>;

/** A seeded mutation of one object (something the API server refuses or lint warns about). */
function mutate(o: Json, r: Random): void {
  const spec = (o.spec ?? {}) as Json;
  const meta = (o.metadata ?? {}) as Json;
  switch (r.int(6)) {
    case 0:
      meta.name = 'Not_A-Valid.Name!';
      break;
    case 1:
      delete meta.name;
      break;
    case 2:
      spec.nodeName = 42;
      break;
    case 3: {
      const devices = spec.devices as Json[] | undefined;
      if (devices?.length) devices[0].capacity = { memory: { value: '400Gbps' } };
      else o.spec = { bogus: true };
      break;
    }
    case 4:
      o.spec = 'a string';
      break;
    default:
      o.unknownTopLevel = { x: 1 };
  }
}

function listOf(items: Json[], pretty: boolean): string {
  const list = { apiVersion: 'v1', kind: 'List', items };
  return pretty ? JSON.stringify(list, null, 2) : `{"apiVersion":"v1","kind":"List","items":[\n${items.map((i) => JSON.stringify(i)).join(',\n')}\n]}\n`;
}

describe('lint: the JSON List fast path gives the YAML path findings', () => {
  for (const def of WORKLOADS) {
    it(`${def.name}: as written, pretty-printed, and with mutations`, { timeout: 60_000 }, () => {
      const w = generateWorkload(def.name, { scale: 4, seed: 3 });
      const items = JSON.parse(JSON.stringify([...w.classes, ...w.nodes, ...w.slices, ...(w.claims ?? []), ...w.templates, ...(w.podGroups ?? []), ...w.pods])) as Json[];
      for (const pretty of [false, true]) {
        const clean = bothWays(listOf(items, pretty));
        expect(clean.fast).toEqual(clean.yaml);
      }
      const r = new Random(7);
      const mutated = items.map((o) => JSON.parse(JSON.stringify(o)) as Json);
      for (let i = 0; i < mutated.length; i += 1 + r.int(3)) mutate(mutated[i], r);
      for (const pretty of [false, true]) {
        const { fast, yaml } = bothWays(listOf(mutated, pretty));
        expect(fast.length).toBeGreaterThan(0);
        expect(fast).toEqual(yaml);
      }
    });
  }

  it('leaves texts it could read differently to the YAML path', { timeout: 10_000 }, () => {
    const item = '{"apiVersion":"v1","kind":"Node","metadata":{"name":"n1"}}';
    for (const text of [
      `{"kind":"List","items":[{"apiVersion":"v1","kind":"Node","metadata":{"name":"a","name":"b"}}]}`, // a key twice
      `{"kind":"List","items":[{"apiVersion":"v1","kind":"Node","metadata":{"n\\u0061me":"a"}}]}`, // an escaped key
      `{"kind":"List","items":[{"apiVersion":"v1","kind":"Node","metadata":{"name":"a"},"x":12345678901234567890}]}`, // a long number
      `{"kind":"List","items":[${item},]}`, // not JSON
      `{"kind":"NodeList","items":[${item}]}`, // not a List
      item, // one object
    ]) {
      expect(lintJsonList(text, 'x.json', fresh())).toBe(false);
    }
  });

  it('names the line of a bad field in a pretty-printed item (worked out by hand)', { timeout: 10_000 }, () => {
    const text = ['{', '  "kind": "List",', '  "items": [', '    {', '      "apiVersion": "v1",', '      "kind": "Node",', '      "metadata": {', '        "name": "Bad_Name"', '      }', '    }', '  ]', '}', ''].join('\n');
    const input = fresh();
    expect(lintJsonList(text, 'x.json', input)).toBe(true);
    const findings = lint(input, CEL).filter((f) => f.path === 'metadata.name');
    expect(findings.map((f) => [f.line, f.object])).toEqual([[8, 'Node Bad_Name']]);
  });
});
