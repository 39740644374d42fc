/**
 * `dralloc schedule -o json|yaml` as a process writing into a pipe (processIO's pieces path,
 * which the in-process tests do not take): the bytes, stderr and exit code are those of the
 * in-process run; the YAML is the JSON's objects in YAML; a reader that closes the pipe early
 * (`| head`) ends the output without an error or a stack trace.
 */
import { describe, it, expect, afterAll } from 'vitest';
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { stringify as yamlStringify } from 'yaml';
import { generateWorkload } from '../../src/gen/registry.js';
import { workloadFiles } from '../../src/gen/files.js';
import { cli } from '../run-cli.js';
import { withoutShareIds } from '../regression/workloads.js';

const BIN = fileURLToPath(new URL('../../build/js/cli/main.js', import.meta.url));
const tmp = mkdtempSync(join(tmpdir(), 'dralloc-output-pipe-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** gpu-5k's cluster at scale 40 with the Pods of scale 200 (five times what fits): ~800 items (several pieces), some Pods unschedulable. */
function input(): string {
  const dir = join(tmp, 'in');
  mkdirSync(dir, { recursive: true });
  const file = (scale: number, name: string) => workloadFiles(generateWorkload('gpu-5k', { scale, seed: 2 })).find((f) => f.name === name)!.text;
  writeFileSync(join(dir, 'cluster.json'), file(40, 'cluster.json'));
  writeFileSync(join(dir, 'pods.json'), file(200, 'pods.json'));
  return dir;
}

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** The built CLI with stdout a pipe; with `closeAfter`, the pipe is closed once that many bytes arrived. */
function run(args: string[], closeAfter?: number): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    let got = 0;
    let stderr = '';
    child.stdout.on('data', (b: Buffer) => {
      out.push(b);
      got += b.length;
      if (closeAfter !== undefined && got >= closeAfter) child.stdout.destroy();
    });
    child.stderr.on('data', (b: Buffer) => (stderr += b.toString('utf8')));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout: Buffer.concat(out).toString('utf8'), stderr }));
  });
}

describe('schedule writes its output into a pipe', () => {
  const dir = input();

  it('json: the same bytes, stderr and exit code as in process', { timeout: 60_000 }, async () => {
    const piped = await run(['schedule', '-f', dir, '-o', 'json', '--quiet']);
    const inProcess = await cli('schedule', '-f', dir, '-o', 'json', '--quiet');
    expect(inProcess.code).toBe(1); // the overfull Pods
    expect(inProcess.stderr).toMatch(/^unschedulable: /m);
    expect(piped.code).toBe(inProcess.code);
    expect(piped.stderr).toBe(inProcess.stderr);
    expect((JSON.parse(piped.stdout) as { items: unknown[] }).items.length).toBeGreaterThan(512); // several pieces
    expect(withoutShareIds(piped.stdout)).toBe(withoutShareIds(inProcess.stdout));
  });

  it('yaml: the objects of the json output, as the yaml package writes them', { timeout: 60_000 }, async () => {
    const json = await run(['schedule', '-f', dir, '-o', 'json', '--quiet']);
    const piped = await run(['schedule', '-f', dir, '-o', 'yaml', '--quiet']);
    expect(piped.code).toBe(json.code);
    expect(piped.stderr).toBe(json.stderr);
    expect(piped.stdout).toBe(yamlStringify(JSON.parse(json.stdout), { aliasDuplicateObjects: false }));
  });

  it('a reader closing the pipe early: no error, no stack trace, the exit code and stderr lines as usual', { timeout: 60_000 }, async () => {
    const full = await cli('schedule', '-f', dir, '-o', 'json', '--quiet');
    const cut = await run(['schedule', '-f', dir, '-o', 'json', '--quiet'], 1);
    expect(cut.stderr).toBe(full.stderr);
    expect(cut.code).toBe(full.code);
    expect(cut.stdout.length).toBeLessThan(full.stdout.length);
  });
});
