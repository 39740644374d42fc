/**
 * Issue 11 part 2, item 4: loading hostile folders and files.
 * - A symbolic link back into the folder (`loop -> .`) is not followed (a warning says so):
 *   the files are loaded once and the answer is the one without the link.
 * - A duplicate key is the API server's strict-decoding error, the same in allocate and lint.
 * - An unreadable folder is a clear error (see load-eacces.test.ts).
 */
import { describe, it, expect } from 'vitest';
import { mkdtempSync, mkdirSync, symlinkSync, writeFileSync, chmodSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadPaths } from '../../src/model/load.js';
import { main } from '../../src/cli/main.js';

const H = 'test/fixtures/hostile';

async function run(args: string[]) {
  const out = { stdout: '', stderr: '' };
  const code = await main(args, { stdout: (t) => void (out.stdout += t), stderr: (t) => void (out.stderr += t), readStdin: async () => '' });
  return { code, ...out };
}

describe('folders with symbolic links', () => {
  it('a link back to the folder is not followed: every object once, the claim fits (exit 0)', async () => {
    const { objects, warnings } = await loadPaths([`${H}/symlink-loop`]);
    expect(objects.map((o) => `${o.object.kind}/${o.object.metadata?.name}`)).toEqual(['Node/n1', 'DeviceClass/any', 'ResourceSlice/n1-devices', 'ResourceClaim/two']);
    expect(warnings).toEqual([expect.stringMatching(/^test\/fixtures\/hostile\/symlink-loop\/loop: not following the symbolic link to .*symlink-loop: it leads back into test\/fixtures\/hostile\/symlink-loop \(a cycle, or the same files twice\)$/)]);
    const { code, stderr } = await run(['allocate', '-f', `${H}/symlink-loop`, '--node', 'n1', '-o', 'json']);
    expect(code).toBe(0);
    expect(stderr).toContain('not following the symbolic link');
  });

  it('links deeper down (to an ancestor, to a sibling) are skipped too; a link out of the tree is followed once', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'dralloc-links-'));
    const tree = join(dir, 'tree');
    const outside = join(dir, 'outside');
    mkdirSync(join(tree, 'a', 'b'), { recursive: true });
    mkdirSync(outside);
    writeFileSync(join(tree, 'a', 'b', 'node.yaml'), 'apiVersion: v1\nkind: Node\nmetadata:\n  name: inside\n');
    writeFileSync(join(outside, 'node.yaml'), 'apiVersion: v1\nkind: Node\nmetadata:\n  name: outside\n');
    symlinkSync('../..', join(tree, 'a', 'b', 'up')); // → tree: a cycle
    symlinkSync('b', join(tree, 'a', 'same')); // → a/b again
    symlinkSync(outside, join(tree, 'ext1'));
    symlinkSync(outside, join(tree, 'ext2')); // the same outside folder a second time
    symlinkSync(join(dir, 'missing'), join(tree, 'dangling'));
    const { objects, warnings } = await loadPaths([tree]);
    expect(objects.map((o) => `${o.object.metadata?.name} ${o.origin.file.slice(tree.length + 1)}`)).toEqual(['inside a/b/node.yaml', 'outside ext1/node.yaml']);
    expect(warnings.map((w) => w.slice(tree.length + 1, w.indexOf(':')))).toEqual(['a/b/up', 'a/same', 'ext2']);
  });
});

describe('duplicate keys', () => {
  const json = `${H}/duplicate-keys.json`;
  const yaml = `${H}/duplicate-keys.yaml`;

  it('allocate refuses JSON and YAML with a duplicate key, naming the field as strict decoding does', async () => {
    expect(await run(['allocate', '-f', json, '--node', 'n1'])).toMatchObject({
      code: 2,
      stderr: `error: ${json}: line 4, column 100: strict decoding error: duplicate field "items[1].spec.devices.requests[0].exactly.count"\n`,
    });
    expect(await run(['allocate', '-f', yaml, '--node', 'n1'])).toMatchObject({
      code: 2,
      stderr: `error: ${yaml}: line 5, column 3: strict decoding error: duplicate field "metadata.name"\n`,
    });
  });

  it('lint reports the same text', async () => {
    const { code, stdout, stderr } = await run(['lint', '-f', json, '-f', yaml]);
    expect(code).toBe(1);
    const text = stdout + stderr;
    expect(text).toContain(`${json}:4: document 1: strict decoding error: duplicate field "items[1].spec.devices.requests[0].exactly.count"`);
    expect(text).toContain(`${yaml}:5: document 1: strict decoding error: duplicate field "metadata.name"`);
  });

  it('JSON without duplicates still loads (strings holding `":` and spaced colons take the exact path)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'dralloc-json-'));
    const file = join(dir, 'n.json');
    writeFileSync(file, '{"apiVersion": "v1", "kind": "Node", "metadata": {"name": "n1", "labels": {"a": "x\\":y"}, "annotations" : {"b": "c"}}}');
    const { objects } = await loadPaths([file]);
    expect(objects[0].object.metadata).toEqual({ name: 'n1', labels: { a: 'x":y' }, annotations: { b: 'c' } });
  });
});

describe('duplicate keys and separators in large Lists (parsed item by item)', () => {
  const node = (i: number, metadata = `{"name":"n${i}","labels":{"pad":"${'x'.repeat(300)}"}}`) => `{"apiVersion":"v1","kind":"Node","metadata":${metadata}}`;
  /** A List of 4,000 Nodes (> 1 MiB, so several scan steps) with item 1234 written as `bad`. */
  const list = (bad: string, sep = ',') =>
    `{"apiVersion":"v1","kind":"List","items":[${Array.from({ length: 4000 }, (_, i) => (i === 1234 ? bad : node(i))).join(sep)}]}`;

  it('a key given twice in one item is the strict-decoding error, also with spaces around the colon', { timeout: 60_000 }, async () => {
    expect(list(node(0)).length).toBeGreaterThan(1 << 20);
    for (const metadata of ['{"name":"a","name":"b"}', '{"name" : "a" , "name":"b"}']) {
      await expect(loadPaths(['-'], { stdin: list(node(1234, metadata)) })).rejects.toThrow(
        /^<stdin>: line 1, column \d+: strict decoding error: duplicate field "items\[1234\]\.metadata\.name"$/,
      );
    }
  });

  it('items without a comma between them are a syntax error, not two objects', { timeout: 60_000 }, async () => {
    await expect(loadPaths(['-'], { stdin: list(node(1234), ' ') })).rejects.toThrow(/^<stdin>: line 1, column \d+: syntax error: /);
  });
});

describe('unreadable folders', () => {
  // chmod cannot keep root out (root ignores permission bits): load-eacces.test.ts simulates it.
  it.skipIf(process.getuid?.() === 0)('a folder without read permission is "permission denied", not an internal error', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'dralloc-perm-'));
    mkdirSync(join(dir, 'locked'));
    chmodSync(join(dir, 'locked'), 0o000);
    try {
      await expect(loadPaths([dir])).rejects.toThrow(`${join(dir, 'locked')}: cannot read the folder: permission denied`);
    } finally {
      chmodSync(join(dir, 'locked'), 0o755);
    }
  });
});
