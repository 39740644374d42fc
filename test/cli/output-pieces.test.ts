/**
 * listPieces: `schedule -o json|yaml` writes its List in pieces of a few hundred items; joined
 * they must be the one-piece text byte for byte (formatObject of the whole List), whatever the
 * number of items relative to the piece size, for both formats, with bigints too.
 */
import { describe, it, expect } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { formatObject, list, listPieces, type OutputFormat } from '../../src/cli/format.js';

/** Pod-like items with nested maps, lists, empty collections, quoted-looking strings and multi-line text. */
function items(n: number): unknown[] {
  return Array.from({ length: n }, (_, i) => ({
    apiVersion: 'v1',
    kind: i % 3 === 0 ? 'ResourceClaim' : 'Pod',
    metadata: { name: `item-${i}`, namespace: i % 2 ? 'default' : 'team-a', labels: {}, annotations: { note: i % 5 === 0 ? 'line one\nline two' : 'true' } },
    spec: { nodeName: `node-${i % 7}`, containers: [{ name: 'c', image: 'registry.example/img:1.0', args: ['--x', String(i)] }], tolerations: [] },
    status: { conditions: i % 4 === 0 ? [{ type: 'PodScheduled', status: 'False', message: `0/${i} nodes are available: "quoted" and a long explanation that goes on past eighty columns of text` }] : [] },
  }));
}

function joined(xs: unknown[], format: OutputFormat): string {
  return [...listPieces(xs, format)].join('');
}

describe('listPieces joins to formatObject of the List', () => {
  for (const format of ['json', 'yaml'] as const) {
    it(`${format}: 0, 1, one piece, a piece boundary and several pieces`, { timeout: 30_000 }, () => {
      for (const n of [0, 1, 255, 256, 257, 700]) {
        const xs = items(n);
        expect(joined(xs, format), `${n} items`).toBe(formatObject(list(xs), format));
      }
    });
  }

  it('json: a bigint in a later piece is written as formatObject writes it (exact number or decimal string)', () => {
    const xs = items(600);
    (xs[400] as { spec: Record<string, unknown> }).spec.big = 2n ** 70n;
    (xs[500] as { spec: Record<string, unknown> }).spec.small = 12n;
    const text = joined(xs, 'json');
    expect(text).toBe(formatObject(list(xs), 'json'));
    const parsed = JSON.parse(text) as { items: { spec: Record<string, unknown> }[] };
    expect(parsed.items[400].spec.big).toBe('1180591620717411303424');
    expect(parsed.items[500].spec.small).toBe(12);
  });

  it('yaml: items yaml-block.ts declines (a Date, a kept final newline) are written by the package, in place', { timeout: 30_000 }, () => {
    const xs = items(300);
    (xs[10] as { spec: Record<string, unknown> }).spec.created = new Date(0);
    (xs[270] as { metadata: { annotations: Record<string, string> } }).metadata.annotations.note = 'kept\n\n';
    expect(joined(xs, 'yaml')).toBe(formatObject(list(xs), 'yaml'));
  });

  it('yaml reads back as the json does', { timeout: 30_000 }, () => {
    const xs = items(300);
    expect(parseYaml(joined(xs, 'yaml'))).toEqual(JSON.parse(joined(xs, 'json')));
  });
});
