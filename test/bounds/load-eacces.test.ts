/**
 * Issue 11 part 2, item 4: an unreadable folder gives a clear error. Tests run as root, whom
 * permission bits do not stop, so readdir is made to fail with EACCES for one folder here
 * (load.test.ts has the real chmod case for non-root runs).
 */
import { describe, it, expect, vi } from 'vitest';
import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const LOCKED = 'locked-by-test';
vi.mock('node:fs/promises', async (original) => {
  const fs = await original<typeof import('node:fs/promises')>();
  const readdir = (async (path: string, opts: unknown) => {
    if (String(path).endsWith(LOCKED)) throw Object.assign(new Error(`EACCES: permission denied, scandir '${path}'`), { code: 'EACCES' });
    return fs.readdir(path, opts as never);
  }) as typeof fs.readdir;
  return { ...fs, readdir, default: { ...fs, readdir } };
});

const { main } = await import('../../src/cli/main.js');

describe('unreadable folders (EACCES simulated)', () => {
  it('allocate says which folder cannot be read, exit 2, no internal error', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'dralloc-eacces-'));
    mkdirSync(join(dir, LOCKED));
    writeFileSync(join(dir, 'node.yaml'), 'apiVersion: v1\nkind: Node\nmetadata:\n  name: n1\n');
    let stderr = '';
    const code = await main(['allocate', '-f', dir, '--node', 'n1'], { stdout: () => {}, stderr: (t) => void (stderr += t), readStdin: async () => '' });
    expect(code).toBe(2);
    expect(stderr).toBe(`error: ${join(dir, LOCKED)}: cannot read the folder: permission denied\n`);
  });
});
