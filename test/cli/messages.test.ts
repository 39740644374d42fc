/**
 * What the CLI says when things do not fit (in process): allocate's per-claim reasons and the
 * explain command to run, schedule's per-Pod lines on stderr whatever the output format, the
 * no-Nodes case, explain's "did you mean" for a mistyped attribute domain, and quantities in
 * `-o stats`. Inputs are small YAML texts given on standard input; expected texts are worked
 * out by hand from the inputs (device counts in comments).
 */
import { describe, it, expect } from 'vitest';
import { main } from '../../src/cli/main.js';
import type { CliIO } from '../../src/cli/io.js';

async function cli(stdin: string, ...argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const io: CliIO = { stdout: (t) => void (stdout += t), stderr: (t) => void (stderr += t), readStdin: async () => stdin };
  const code = await main(argv, io);
  return { code, stdout, stderr };
}

const doc = (...parts: string[]) => parts.join('\n---\n');

const CLASS = `apiVersion: resource.k8s.io/v1
kind: DeviceClass
metadata: {name: gpu}
spec:
  selectors:
  - cel: {expression: device.driver == "gpu.example.com"}`;
const NODE = `apiVersion: v1
kind: Node
metadata: {name: node-a}`;
/** node-a has two GPUs; each has model A100. */
const SLICE = `apiVersion: resource.k8s.io/v1
kind: ResourceSlice
metadata: {name: node-a-gpus}
spec:
  driver: gpu.example.com
  nodeName: node-a
  pool: {name: node-a, generation: 1, resourceSliceCount: 1}
  devices:
  - {name: gpu-0, attributes: {model: {string: A100}}}
  - {name: gpu-1, attributes: {model: {string: A100}}}`;
const claim = (name: string, count: number, selector?: string) => `apiVersion: resource.k8s.io/v1
kind: ResourceClaim
metadata: {name: ${name}, namespace: default}
spec:
  devices:
    requests:
    - name: gpu
      exactly:
        deviceClassName: gpu
        count: ${count}${selector ? `\n        selectors:\n        - cel: {expression: '${selector}'}` : ''}`;
const POD = `apiVersion: v1
kind: Pod
metadata: {name: big, namespace: default}
spec:
  containers: [{name: c, image: x}]
  resourceClaims: [{name: gpu, resourceClaimName: want-3}]`;

describe('allocate: unsatisfiable says why per claim', () => {
  it('a claim that cannot fit alone gets its funnel reason; the one that fits says so', { timeout: 30_000 }, async () => {
    // 2 GPUs: want-3 needs 3 (fails at the first stage, "reachable"), want-1 fits alone.
    const r = await cli(doc(CLASS, NODE, SLICE, claim('want-3', 3), claim('want-1', 1)), 'allocate', '-f', '-', '--node', 'node-a');
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe(
      'unsatisfiable: cannot allocate all claims on node node-a\n' +
        '  claim default/want-3 cannot be allocated on node node-a: request gpu: fewer than 3 devices are reachable from the node\n' +
        '  claim default/want-1 fits on node node-a\n' +
        '  details: dralloc explain -f - --claim default/want-3 --node node-a\n',
    );
  });

  it('claims that fit alone but not together are named as competing', { timeout: 30_000 }, async () => {
    // 2 + 1 GPUs wanted, 2 there: each fits alone.
    const r = await cli(doc(CLASS, NODE, SLICE, claim('two', 2), claim('one', 1)), 'allocate', '-f', '-', '--node', 'node-a');
    expect(r.code).toBe(1);
    expect(r.stderr.split('\n').slice(1)).toEqual([
      '  claim default/two fits on node node-a',
      '  claim default/one fits on node node-a',
      '  each claim fits alone: together they compete for the same devices, counters or capacity',
      '  details: dralloc explain -f - --claim default/two --node node-a',
      '',
    ]);
  });
});

describe('allocate: many claims', () => {
  it('explains the first 10 and counts the rest', { timeout: 60_000 }, async () => {
    // 12 one-GPU claims, 2 GPUs: each fits alone, but the last two were not explained.
    const claims = Array.from({ length: 12 }, (_, i) => claim(`c${i}`, 1));
    const r = await cli(doc(CLASS, NODE, SLICE, ...claims), 'allocate', '-f', '-', '--node', 'node-a');
    expect(r.code).toBe(1);
    const lines = r.stderr.trimEnd().split('\n');
    expect(lines).toHaveLength(1 + 10 + 2);
    expect(lines[10]).toBe('  claim default/c9 fits on node node-a');
    expect(lines[11]).toBe('  … and 2 more claims');
    expect(lines[12]).toBe('  details: dralloc explain -f - --claim default/c0 --node node-a');
  });
});

describe('schedule: why Pods stay unplaced, on stderr', () => {
  for (const output of ['yaml', 'json']) {
    it(`-o ${output}: one "unschedulable:" line per Pod that was not placed`, { timeout: 30_000 }, async () => {
      const r = await cli(doc(CLASS, NODE, SLICE, claim('want-3', 3), POD), 'schedule', '-f', '-', '-o', output, '-q');
      expect(r.code).toBe(1);
      expect(r.stderr).toBe(
        'unschedulable: default/big: 0/1 nodes are available: 1 cannot allocate all claims. ' +
          'claim default/want-3 cannot be allocated on node node-a: request gpu: fewer than 3 devices are reachable from the node.\n',
      );
    });
  }

  it('an input without Nodes says so (and the Pod gets kube-scheduler\'s no-nodes message)', { timeout: 30_000 }, async () => {
    const r = await cli(doc(CLASS, SLICE, claim('want-3', 3), POD), 'schedule', '-f', '-', '-o', 'json', '-q');
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(
      'warning: the input has no Node objects, so no Pod can be placed (add the Nodes with -f, e.g. from dralloc snapshot or dralloc gen)\n' +
        'unschedulable: default/big: no nodes available to schedule pods\n',
    );
    const pod = (JSON.parse(r.stdout) as { items: { kind: string; status?: { conditions?: { message: string }[] } }[] }).items.find((i) => i.kind === 'Pod');
    expect(pod?.status?.conditions?.[0].message).toBe('no nodes available to schedule pods');
  });

  it('-o stats prints counter capacity and consumption as quantities', { timeout: 30_000 }, async () => {
    // test/fixtures/cli/counters.yaml: one 40Gi counter, one 20Gi half allocated.
    const r = await cli('', 'schedule', '-f', 'test/fixtures/cli/counters.yaml', '-o', 'stats', '-q');
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).utilization.counters).toEqual({ memory: { capacity: '40Gi', consumed: '20Gi', fraction: 0.5 } });
  });
});

describe('explain: a mistyped attribute domain', () => {
  it('adds the closest existing reference to the runtime error', { timeout: 30_000 }, async () => {
    const typo = claim('c', 1, 'device.attributes["gpu.exmaple.com"].model == "A100"');
    const r = await cli(doc(CLASS, NODE, SLICE, typo), 'explain', '-f', '-', '--claim', 'c');
    expect(r.code).toBe(2); // the selector fails at run time on every node
    expect(r.stdout).toContain('CEL runtime error: no such key: model');
    expect(r.stdout).toContain(
      '\nhint: request gpu, selector #0: device.attributes["gpu.exmaple.com"].model: no device has attributes in domain "gpu.exmaple.com"; ' +
        'did you mean device.attributes["gpu.example.com"].model?\n',
    );
    const json = await cli(doc(CLASS, NODE, SLICE, typo), 'explain', '-f', '-', '--claim', 'c', '-o', 'json');
    expect(JSON.parse(json.stdout).hints).toHaveLength(1);
  });

  it('a class selector typo is named by class; correct selectors give no hints', { timeout: 30_000 }, async () => {
    const badClass = CLASS.replace('device.driver == "gpu.example.com"', '\'device.attributes["gpu.example.com"].modle == "A100"\'');
    const r = await cli(doc(badClass, NODE, SLICE, claim('c', 1)), 'explain', '-f', '-', '--claim', 'c', '-o', 'json');
    expect(JSON.parse(r.stdout).hints).toEqual([
      'class gpu, selector #0: device.attributes["gpu.example.com"].modle: no device has attributes "modle" in domain "gpu.example.com"; did you mean device.attributes["gpu.example.com"].model?',
    ]);
    const ok = await cli(doc(CLASS, NODE, SLICE, claim('c', 1, 'device.attributes["gpu.example.com"].model == "A100"')), 'explain', '-f', '-', '--claim', 'c', '-o', 'json');
    expect(ok.code).toBe(0);
    expect(JSON.parse(ok.stdout).hints).toBeUndefined();
  });
});
