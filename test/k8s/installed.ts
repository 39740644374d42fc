/**
 * The package as users get it: `npm pack` of this repository (its `prepare` builds it), the
 * tarball installed with npm into a fresh prefix (dependencies from the registry, resolved as
 * for any user: this repository's `overrides` do not apply) together with the optional peer
 * @kubernetes/client-node that the live commands need, and the installed `dralloc` binary run as
 * a child process.
 */

import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { CLIENT_NODE_RANGE } from '../../src/k8s/connect.js';

const run = promisify(execFile);
const ROOT = resolve(import.meta.dirname, '../..');

/** Packs and installs the package; returns the path of the installed `dralloc` binary. */
export async function installPackage(): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), 'dralloc-installed-'));
  const { stdout } = await run('npm', ['pack', '--silent', '--pack-destination', dir], { cwd: ROOT, maxBuffer: 64 << 20 });
  const tarball = join(dir, stdout.trim().split('\n').pop()!);
  const prefix = join(dir, 'prefix');
  await run('npm', ['install', '--prefix', prefix, '--no-audit', '--no-fund', '--omit=dev', tarball, `@kubernetes/client-node@${CLIENT_NODE_RANGE}`], { cwd: dir, maxBuffer: 64 << 20 });
  return join(prefix, 'node_modules', '.bin', 'dralloc');
}

export interface Finished {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** Starts the binary (asynchronously, so that an in-process fake API server keeps answering). */
export function start(bin: string, args: string[]): { child: ChildProcess; done: Promise<Finished>; stderr: () => string } {
  const child = spawn(bin, args, { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, KUBECONFIG: '' } });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  const done = new Promise<Finished>((resolveDone) => child.on('close', (code, signal) => resolveDone({ code, signal, stdout, stderr })));
  return { child, done, stderr: () => stderr };
}
