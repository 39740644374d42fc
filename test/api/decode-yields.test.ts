/**
 * decodeFiles / loadPaths do not block the event loop for a whole file: the JSON scan (a
 * megabyte per step), a List's items (100 per step), YAML documents (one per step) and object
 * checks (100 per step) are separate steps. Checked by counting event-loop turns with
 * `sliceMs: 0` (a yield after every step), as test/api/api.test.ts does; a loader that decodes a
 * text as one unit turns the loop zero times (stdin involves no I/O).
 */
import { describe, expect, it } from 'vitest';
import * as api from '../../src/index.js';
import { loopTurns } from '../loop-turns.js';

const node = (i: number) => ({ apiVersion: 'v1', kind: 'Node', metadata: { name: `n${i}` } });
const nodes = (n: number) => Array.from({ length: n }, (_, i) => node(i));

describe('decodeFiles yields between steps', () => {
  it('a JSON List: at least one turn per 100 items parsed and per 100 objects checked', { timeout: 60_000 }, async () => {
    const stdin = JSON.stringify({ apiVersion: 'v1', kind: 'List', items: nodes(3000) });
    const turns = loopTurns();
    const { objects } = await api.decodeFiles(['-'], { stdin, sliceMs: 0 });
    turns.stop();
    expect(objects.map((o) => o.metadata?.name)).toEqual(nodes(3000).map((n) => n.metadata.name));
    expect(turns.count()).toBeGreaterThanOrEqual(60); // 30 parse steps + 30 check steps
  });

  it('YAML: at least one turn per document', { timeout: 60_000 }, async () => {
    const stdin = nodes(200).map((n) => `apiVersion: v1\nkind: Node\nmetadata:\n  name: ${n.metadata.name}\n`).join('---\n');
    const turns = loopTurns();
    const { objects } = await api.decodeFiles(['-'], { stdin, sliceMs: 0 });
    turns.stop();
    expect(objects).toHaveLength(200);
    expect(objects[199].metadata?.name).toBe('n199');
    expect(turns.count()).toBeGreaterThanOrEqual(200);
  });

  it("stops at the next step when aborted, with the signal's reason", { timeout: 60_000 }, async () => {
    const stdin = JSON.stringify({ apiVersion: 'v1', kind: 'List', items: nodes(3000) });
    const ctl = new AbortController();
    setImmediate(() => ctl.abort());
    await expect(api.decodeFiles(['-'], { stdin, signal: ctl.signal, sliceMs: 0 })).rejects.toMatchObject({ name: 'AbortError' });
  });
});
