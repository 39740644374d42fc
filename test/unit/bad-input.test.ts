/**
 * Bad input through the CLI (in process; the built binary, `npm run build` first, for the cases
 * that check the process itself): each case asserts the exact stderr and exit code 2, with the message worked out by hand (object, field and reason; upstream's text
 * where upstream has one). Fixtures: test/fixtures/bad (cluster.yaml is the valid part).
 */
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { allocateCommand } from '../../src/cli/allocate.js';
import { main } from '../../src/cli/main.js';
import { GATE_DEFAULTS } from '../../src/features.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const BIN = 'build/js/cli/main.js';
const DIR = 'test/fixtures/bad';
const CLUSTER = `${DIR}/cluster.yaml`;
const CLAIM = `${DIR}/claim.yaml`;

/** Runs `dralloc allocate <args>` from the repository root (so paths in messages are relative). */
function allocate(...args: string[]): { code: number; stdout: string; stderr: string } {
  try {
    const stdout = execFileSync(process.execPath, [BIN, 'allocate', ...args], { cwd: ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    return { code: 0, stdout, stderr: '' };
  } catch (e) {
    const err = e as { status: number; stdout: string; stderr: string };
    return { code: err.status, stdout: err.stdout, stderr: err.stderr };
  }
}

/**
 * The same in process (main() with captured output): what most cases below use, since a
 * process per case costs seconds on a busy machine; `allocate` proves the binary behaves alike.
 */
async function run(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const code = await main(['allocate', ...args], { stdout: (t) => void (stdout += t), stderr: (t) => void (stderr += t), readStdin: async () => '' });
  return { code, stdout, stderr };
}

/** Asserts exit code 2, nothing on stdout and exactly `error: <message>` on stderr. */
function expectError(r: { code: number; stdout: string; stderr: string }, message: string): void {
  expect(r.stderr).toBe(`error: ${message}\n`);
  expect(r.code).toBe(2);
  expect(r.stdout).toBe('');
}

const usageError = (message: string) => `${message}\n\nUsage: ${allocateCommand.usage}`;

describe('bad input files', () => {
  it('the valid part alone allocates (so every error below comes from the bad part)', { timeout: 60_000 }, async () => {
    const r = await run('-f', CLUSTER, '-f', CLAIM, '--node', 'node-1', '-o', 'json');
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).items[0].status.allocation.devices.results).toEqual([
      { request: 'gpu', driver: 'gpu.example.com', pool: 'node-1', device: 'gpu-0' },
    ]);
  });

  it('truncated YAML: a syntax error with file, line and column', { timeout: 60_000 }, async () => {
    // The quote opened on line 13 is still open at the end of the file (line 14, column 1),
    // which is where the YAML parser notices.
    expectError(await run('-f', CLUSTER, '-f', `${DIR}/truncated.yaml`, '--node', 'node-1'), `${DIR}/truncated.yaml: line 14, column 1: syntax error: Missing closing "quote`);
  });

  it('a wrong type: devices[0].name: 5', { timeout: 60_000 }, async () => {
    expectError(
      await run('-f', CLUSTER, '-f', `${DIR}/wrong-type.yaml`, '--node', 'node-1'),
      `${DIR}/wrong-type.yaml: document 1 (ResourceSlice node-1-more): spec.devices[0].name: expected a string, got number`,
    );
  });

  it('an invalid quantity: 400Gbps (the seed article\'s mistake)', { timeout: 60_000 }, async () => {
    expectError(
      await run('-f', CLUSTER, '-f', `${DIR}/bad-quantity.yaml`, '--node', 'node-1'),
      `${DIR}/bad-quantity.yaml: document 1 (ResourceSlice node-1-nics): spec.devices[0].capacity.bandwidth.value: ` +
        `quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$' (got "400Gbps")`,
    );
  });

  it('a file that does not exist', { timeout: 60_000 }, async () => {
    expectError(await run('-f', `${DIR}/missing.yaml`, '--node', 'node-1'), `${DIR}/missing.yaml: no such file or directory`);
  });
});

describe('allocation errors (upstream\'s texts)', () => {
  it('a claim naming an unknown DeviceClass', { timeout: 60_000 }, async () => {
    expectError(
      await run('-f', CLUSTER, '-f', `${DIR}/unknown-class.yaml`, '--node', 'node-1'),
      'claim default/c, request gpu: could not retrieve device class nvidia-a100: deviceclass.resource.k8s.io "nvidia-a100" not found',
    );
  });

  it('an empty request selector {}', { timeout: 60_000 }, async () => {
    expectError(
      await run('-f', CLUSTER, '-f', `${DIR}/empty-selector.yaml`, '--node', 'node-1'),
      'claim default/c, request gpu, selector #0: CEL expression empty (unsupported selector type?)',
    );
  });

  // Upstream relies on API validation here (it would dereference nil); dralloc answers with the
  // request-selector text, naming the class.
  it('an empty DeviceClass selector {}', { timeout: 60_000 }, async () => {
    expectError(
      await run('-f', CLUSTER, '-f', `${DIR}/class-empty-selector.yaml`, '--node', 'node-1'),
      'class empty: selector #0: CEL expression empty (unsupported selector type?)',
    );
  });

  it('duplicate device names in one pool', { timeout: 60_000 }, async () => {
    expectError(
      await run('-f', CLUSTER, '-f', CLAIM, '-f', `${DIR}/duplicate-devices.yaml`, '--node', 'node-2'),
      'invalid resource pools were encountered: gpu.example.com/node-2 (duplicate device name gpu-0)',
    );
  });

  it('the seed article\'s CEL: device.attributes["gpu.nvidia.com/gpu"] == "A100-SXM4-80GB"', { timeout: 60_000 }, async () => {
    // device.attributes is map(domain, map(name, dyn)): indexing it with any string gives a
    // map (empty for an unknown domain) — never a string. The type checker knows that, so this
    // is a compile error (no `==` between a map and a string), raised when the first device
    // is checked against the class, not a silent `false`.
    expectError(
      await run('-f', CLUSTER, '-f', `${DIR}/seed-cel.yaml`, '--node', 'node-1'),
      `class nvidia-a100: selector #0: CEL compile error: compilation failed: ERROR: <input>:1:40: found no matching overload for '_==_' applied to '(map(string, dyn), string)'\n` +
        ` | device.attributes["gpu.nvidia.com/gpu"] == "A100-SXM4-80GB"\n` +
        ` | .......................................^`,
    );
  });

  // Upstream (GatherPools) answers `node selector in resource slice <name>: <why>`.
  it('an unknown node selector operator in a slice', { timeout: 60_000 }, async () => {
    const r = await run('-f', CLUSTER, '-f', CLAIM, '-f', `${DIR}/node-selector-operator.yaml`, '--node', 'node-1');
    expect(r.stderr).toMatch(/^error: node selector in resource slice zone-gpus: .*"Like"/);
    expect(r.stderr).not.toContain('internal error');
    expect(r.code).toBe(2);
  });

  it('a node name that is not in the input', { timeout: 60_000 }, async () => {
    expectError(await run('-f', CLUSTER, '-f', CLAIM, '--node', 'node-9'), 'node node-9 not found: the input has no Node object with that name');
  });
});

describe('bad flags', () => {
  it('an unknown flag', { timeout: 60_000 }, async () => {
    expectError(await run('-f', CLUSTER, '-f', CLAIM, '--node', 'node-1', '--frobnicate'), usageError(`Unknown option '--frobnicate'`));
  });

  it('a missing --node', { timeout: 60_000 }, async () => {
    expectError(await run('-f', CLUSTER, '-f', CLAIM), usageError('missing --node NAME'));
  });

  it('a missing -f', { timeout: 60_000 }, async () => {
    expectError(await run('--node', 'node-1'), usageError('missing -f PATH'));
  });

  it('an unknown feature gate', { timeout: 60_000 }, async () => {
    expectError(
      await run('-f', CLUSTER, '-f', CLAIM, '--node', 'node-1', '--feature-gates', 'DRAFoo=true'),
      `unknown feature gate "DRAFoo" (known: ${Object.keys(GATE_DEFAULTS).join(', ')})`,
    );
  });

  it('a feature gate value that is not a boolean', { timeout: 60_000 }, async () => {
    expectError(
      await run('-f', CLUSTER, '-f', CLAIM, '--node', 'node-1', '--feature-gates', 'DRAAdminAccess=maybe'),
      'invalid value "maybe" for feature gate DRAAdminAccess: want true or false',
    );
  });
});

describe('the built binary (one process per case)', () => {
  it('answers bad input like main() does: exit 2, the same single error line, no stack trace', { timeout: 60_000 }, async () => {
    for (const args of [
      ['-f', CLUSTER, '-f', `${DIR}/unknown-class.yaml`, '--node', 'node-1'],
      ['-f', CLUSTER, '-f', CLAIM, '-f', `${DIR}/node-selector-operator.yaml`, '--node', 'node-1'],
      ['-f', CLUSTER, '-f', CLAIM, '--node', 'node-1', '--frobnicate'],
    ]) {
      const [spawned, inProcess] = [allocate(...args), await run(...args)];
      expect(spawned).toEqual(inProcess);
      expect(spawned.code).toBe(2);
      expect(spawned.stderr).toMatch(/^error: /);
      expect(spawned.stderr).not.toMatch(/\n\s+at /); // no stack frames
    }
  });

  it('the valid input allocates through the binary too', { timeout: 60_000 }, () => {
    const r = allocate('-f', CLUSTER, '-f', CLAIM, '--node', 'node-1', '-o', 'json');
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).items[0].status.allocation.devices.results[0].device).toBe('gpu-0');
  });
});
