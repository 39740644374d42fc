/**
 * `dralloc lint` on a fixture with one object per rule (test/fixtures/lint/rules.yaml) and on
 * the seed article's examples (test/fixtures/lint/seed, indentation restored, every mistake
 * kept). Expected findings are worked out by hand from the API surface (api-surface-v1.36.md)
 * and the fixture's devices.
 */
import { describe, it, expect } from 'vitest';
import { lintPaths, lintString, formatFinding, type Finding } from '../../src/lint/index.js';
import { quantitySuggestion } from '../../src/lint/quantity-hint.js';
import { main } from '../../src/cli/main.js';

const CEL = { consumableCapacity: true, listTypeAttributes: false };
const key = (f: Finding) => `${f.severity} ${f.rule} ${f.object} ${f.path}`;

describe('lint rules', () => {
  it('reports each rule of the rules fixture, with file, line, object and path', { timeout: 60_000 }, async () => {
    const findings = await lintPaths(['test/fixtures/lint/rules.yaml'], CEL);
    // Each finding's line is its field's line in the fixture (the key, or the list item), in line order.
    expect(findings.map((f) => `${f.line} ${key(f)}`)).toEqual([
      '16 error invalid-name ResourceSlice Bad_Slice metadata.name',
      '17 error one-of ResourceSlice Bad_Slice spec',
      '21 error invalid-value ResourceSlice Bad_Slice spec.pool.generation',
      '21 error invalid-value ResourceSlice Bad_Slice spec.pool.resourceSliceCount',
      '23 error invalid-name ResourceSlice Bad_Slice spec.devices[0].name',
      '24 error one-of ResourceSlice Bad_Slice spec.devices[0].attributes.model',
      '25 error unsupported-value ResourceSlice Bad_Slice spec.devices[0].taints[0].effect',
      '26 error duplicate ResourceSlice Bad_Slice spec.devices[1].name',
      '26 error invalid-name ResourceSlice Bad_Slice spec.devices[1].name',
      '34 warning pool-count ResourceSlice counters spec.pool.resourceSliceCount',
      '37 warning counter-unused ResourceSlice counters spec.sharedCounters[0].counters.cores',
      '45 warning pool-count ResourceSlice partitions spec.pool.resourceSliceCount',
      '55 warning unknown-attribute DeviceClass typo spec.selectors[0].cel.expression',
      '55 warning selector-runtime-error DeviceClass typo spec.selectors[0].cel.expression',
      '55 warning selector-matches-nothing DeviceClass typo spec.selectors[0].cel.expression',
      '61 warning class-unsatisfiable DeviceClass never spec.selectors',
      '62 warning selector-runtime-error DeviceClass never spec.selectors[0].cel.expression',
      '81 error unsupported-value ResourceClaim default/claim spec.devices.requests[0].exactly.allocationMode',
      '83 warning selector-matches-nothing ResourceClaim default/claim spec.devices.requests[0].exactly.selectors[0].cel.expression',
      '84 error duplicate ResourceClaim default/claim spec.devices.requests[1].name',
      '85 error required ResourceClaim default/claim spec.devices.requests[1].firstAvailable',
      '87 error unknown-request ResourceClaim default/claim spec.devices.constraints[0].requests[1]',
      '88 error invalid-name ResourceClaim default/claim spec.devices.constraints[0].matchAttribute',
      '95 warning unknown-template Pod default/pod spec.resourceClaims[0].resourceClaimTemplateName',
    ]);
    const text = findings.map(formatFinding);
    expect(text).toContain(
      'test/fixtures/lint/rules.yaml:23: ResourceSlice Bad_Slice: spec.devices[0].name: Invalid value: "GPU_0": a lowercase RFC 1123 label must consist of lower case alphanumeric characters or \'-\', and must start and end with an alphanumeric character (e.g. \'my-name\',  or \'123-abc\', regex used for validation is \'[a-z0-9]([-a-z0-9]*[a-z0-9])?\')',
    );
    expect(text).toContain('test/fixtures/lint/rules.yaml:25: ResourceSlice Bad_Slice: spec.devices[0].taints[0].effect: Unsupported value: "Sometimes": supported values: "NoSchedule", "NoExecute", "None"');
    expect(text).toContain('test/fixtures/lint/rules.yaml:55: DeviceClass typo: spec.selectors[0].cel.expression: device.attributes["gpu.example.com"].modle: no device in the input has attribute gpu.example.com/modle; did you mean .model?');
    expect(text).toContain('test/fixtures/lint/rules.yaml:37: ResourceSlice counters: spec.sharedCounters[0].counters.cores: no device of pool part.example.com/parts consumes counter cores of counter set mem');
  });

  it('limits: devices per slice (64 with taints), requests per claim, subrequests, selector length', { timeout: 60_000 }, () => {
    const devices = (n: number, taint: boolean) =>
      Array.from({ length: n }, (_, i) => `  - name: d${i}${taint ? '\n    taints: [{key: k, effect: NoSchedule}]' : ''}`).join('\n');
    const slice = (n: number, taint: boolean) =>
      `apiVersion: resource.k8s.io/v1\nkind: ResourceSlice\nmetadata: {name: s}\nspec:\n  driver: d.example.com\n  allNodes: true\n  pool: {name: p, generation: 0, resourceSliceCount: 1}\n  devices:\n${devices(n, taint)}\n`;
    const too = (text: string) => lintString(text, 'x.yaml', CEL).filter((f) => f.rule === 'too-many' || f.rule === 'too-long').map((f) => `${f.path}: ${f.message}`);
    expect(too(slice(128, false))).toEqual([]);
    expect(too(slice(129, false))).toEqual(['spec.devices: Too many: 129: must have at most 128 items']);
    expect(too(slice(65, true))).toEqual(['spec.devices: Too many: 65: must have at most 64 items (devices use taints, consumesCounters or list attributes)']);
    const claim = (requests: string) => `apiVersion: resource.k8s.io/v1\nkind: ResourceClaim\nmetadata: {name: c}\nspec:\n  devices:\n    requests:\n${requests}`;
    const req = (i: number) => `    - name: r${i}\n      exactly: {deviceClassName: x}\n`;
    expect(too(claim(Array.from({ length: 33 }, (_, i) => req(i)).join('')))).toEqual(['spec.devices.requests: Too many: 33: must have at most 32 items']);
    const subs = Array.from({ length: 9 }, (_, i) => `      - {name: s${i}, deviceClassName: x}\n`).join('');
    expect(too(claim(`    - name: r\n      firstAvailable:\n${subs}`))).toEqual(['spec.devices.requests[0].firstAvailable: Too many: 9: must have at most 8 items']);
    const long = `device.driver == "${'a'.repeat(10 * 1024)}"`;
    expect(too(claim(`    - name: r\n      exactly:\n        deviceClassName: x\n        selectors: [{cel: {expression: '${long}'}}]\n`))).toEqual([
      'spec.devices.requests[0].exactly.selectors[0].cel.expression: Too long: may not be more than 10240 bytes',
    ]);
  });

  it('the corrected A100 example has no findings', { timeout: 60_000 }, async () => {
    expect(await lintPaths(['examples/a100'], CEL)).toEqual([]);
  });
});

describe('lint: the seed article corpus', () => {
  it('catches each real mistake of the article', { timeout: 60_000 }, async () => {
    const findings = await lintPaths(['test/fixtures/lint/seed'], CEL);
    const has = (file: string, rule: string, path: string, text?: string) =>
      expect(findings.some((f) => f.file.endsWith(file) && f.rule === rule && f.path === path && (!text || f.message.includes(text))), `${file} ${rule} ${path}`).toBe(true);
    // Attributes named with a domain that is not the driver's, and memory as a string attribute.
    has('01-resourceslice-gpu.yaml', 'attribute-domain', 'spec.devices[0].attributes["nvidia.com/gpu"]', 'differs from the driver gpu.nvidia.com');
    has('01-resourceslice-gpu.yaml', 'quantity-as-string', 'spec.devices[0].attributes["nvidia.com/memory"].string', '"80Gi" is a quantity stored as a string');
    // device.attributes["gpu.nvidia.com/gpu"]: the qualified name used as the domain key.
    has('02-deviceclass-a100.yaml', 'cel-compile', 'spec.selectors[0].cel.expression', "found no matching overload for '_==_' applied to '(map(string, dyn), string)'");
    has('02-deviceclass-a100.yaml', 'unknown-attribute', 'spec.selectors[0].cel.expression', 'did you mean device.attributes["nvidia.com"].gpu?');
    has('05-template-flexible.yaml', 'unknown-attribute', 'spec.spec.devices.requests[0].firstAvailable[0].selectors[0].cel.expression', 'did you mean device.attributes["nvidia.com"].memory?');
    has('15-deviceclasses-tenants.yaml', 'unknown-attribute', 'spec.selectors[0].cel.expression', 'device.attributes["gpu.nvidia.com/gpu"]');
    // A YAML comment inside a |- block is part of the CEL text.
    has('15-deviceclasses-tenants.yaml', 'cel-compile', 'spec.selectors[0].cel.expression', 'Syntax error: found # but expecting end of input');
    // Classes the claims name but nobody defines.
    has('05-template-flexible.yaml', 'unknown-class', 'spec.spec.devices.requests[0].firstAvailable[1].deviceClassName', 'nvidia-a100-40g');
    has('07-deployment-20g-slice.yaml', 'unknown-class', 'spec.spec.devices.requests[0].exactly.deviceClassName', 'nvidia-gpu-20g-slice');
    has('09-template-high-bandwidth.yaml', 'invalid-quantity', 'spec.spec.devices.requests[0].exactly.capacity.requests.bandwidth', 'Invalid value: "200Gbps"');
    // One pool name, two generations (42 in the first slice, 1 in the partition slices).
    has('06-partitionable.yaml', 'pool-generation', 'spec.pool.generation', 'generations 1, 42');
    // "400Gbps" and "10Gbps" are no quantities.
    has('08-rdma-slice.yaml', 'invalid-quantity', 'spec.devices[0].capacity.bandwidth.value', 'Invalid value: "400Gbps": quantities must match the regular expression');
    has('08-rdma-slice.yaml', 'invalid-quantity', 'spec.devices[0].capacity.bandwidth.requestPolicy.validRange.step', '"10Gbps"');
    // The "update" slice lacks driver, pool and node selection, and reuses a name.
    has('10-slice-taint.yaml', 'required', 'spec.driver');
    has('10-slice-taint.yaml', 'required', 'spec.pool');
    has('10-slice-taint.yaml', 'required', 'spec', 'exactly one of `nodeName`, `nodeSelector`, `allNodes`, `perDeviceNodeSelection` is required');
    has('10-slice-taint.yaml', 'duplicate-object', 'metadata.name');
    // DeviceTaintRule selects pool "worker-gpu-01", a node name.
    has('11-devicetaintrule.yaml', 'taint-rule-matches-nothing', 'spec.deviceSelector', 'deviceSelector.pool is a pool name, not a node name');
    has('14-pod-gpu-agent.yaml', 'unknown-template', 'spec.resourceClaims[0].resourceClaimTemplateName', 'agent-gpu-slice');
    // Objects without mistakes stay quiet; kinds dralloc does not read (Deployment) are skipped.
    for (const clean of ['03-template-gpu-claim.yaml', '04-pod-llm-inference.yaml', '12-template-tolerant.yaml', '13-claim-debug.yaml']) {
      expect(findings.filter((f) => f.file.endsWith(clean))).toEqual([]);
    }
    expect(findings.filter((f) => f.object.startsWith('Deployment'))).toEqual([]);
  });
});

describe('dralloc lint (CLI)', () => {
  async function run(args: string[], stdin = '') {
    let stdout = '';
    let stderr = '';
    const code = await main(['lint', ...args], { stdout: (t) => void (stdout += t), stderr: (t) => void (stderr += t), readStdin: async () => stdin });
    return { code, stdout, stderr };
  }

  it('exit codes: 0 clean, 1 findings, 2 unreadable input', async () => {
    expect((await run(['-f', 'examples/a100'])).code).toBe(0);
    expect((await run(['-f', 'examples/a100'])).stdout).toBe('0 errors, 0 warnings\n');
    const bad = await run(['-f', '-'], 'apiVersion: resource.k8s.io/v1\nkind: DeviceClass\nmetadata: {name: X}\nspec: {}\n');
    expect(bad.code).toBe(1);
    expect(bad.stdout).toBe(
      'error: <stdin>:3: DeviceClass X: metadata.name: Invalid value: "X": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, \'-\' or \'.\', and must start and end with an alphanumeric character (e.g. \'example.com\', regex used for validation is \'[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\') [invalid-name]\n1 error, 0 warnings\n',
    );
    const missing = await run(['-f', 'no/such/path']);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toBe('error: no/such/path: no such file or directory\n');
  });

  it('-o json and -o wide', async () => {
    const json = await run(['-f', 'test/fixtures/lint/seed/08-rdma-slice.yaml', '-o', 'json']);
    const findings = JSON.parse(json.stdout) as Finding[];
    expect(findings).toHaveLength(4);
    expect(findings[0]).toEqual({
      severity: 'error',
      rule: 'invalid-quantity',
      file: 'test/fixtures/lint/seed/08-rdma-slice.yaml',
      line: 20, // value: "400Gbps"
      object: 'ResourceSlice rdma-nic-worker-01',
      path: 'spec.devices[0].capacity.bandwidth.value',
      message: 'Invalid value: "400Gbps": quantities must match the regular expression \'^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$\'; did you mean "400G"?',
    });
    const wide = await run(['-f', 'test/fixtures/lint/seed/01-resourceslice-gpu.yaml', '-f', 'test/fixtures/lint/seed/11-devicetaintrule.yaml', '-o', 'wide']);
    const lines = wide.stdout.split('\n');
    expect(lines[0]).toMatch(/^SEVERITY  WHERE +OBJECT +FIELD +RULE +MESSAGE$/);
    const row = lines.find((l) => l.includes('taint-rule-matches-nothing'))!;
    expect(row.indexOf('taint-rule-matches-nothing')).toBe(lines[0].indexOf('RULE'));
    expect(row.indexOf('DeviceTaintRule')).toBe(lines[0].indexOf('OBJECT'));
    expect(lines.at(-2)).toBe('0 errors, 7 warnings');
  });
});

describe('lint: where and what a newcomer sees', () => {
  const at = (text: string) => lintString(text, 'x.yaml', CEL).map((f) => `${f.line} ${f.rule} ${f.path}`);

  it('a finding names the line of its field, also inside a List and for absent fields', () => {
    const claim = [
      'apiVersion: v1', //                        1
      'kind: List', //                            2
      'items:', //                                3
      '- apiVersion: resource.k8s.io/v1', //      4
      '  kind: ResourceClaim', //                 5
      '  metadata: {name: c}', //                 6
      '  spec:', //                               7
      '    devices:', //                          8
      '      requests:', //                       9
      '      - name: ok', //                      10
      '        exactly: {deviceClassName: x}', // 11
      '      - name: bad', //                     12
      '        exactly:', //                      13
      '          deviceClassName: x', //          14
      '          count: 0', //                    15
      '      - name: empty', //                   16
    ].join('\n');
    expect(at(claim)).toEqual([
      '11 unknown-class spec.devices.requests[0].exactly.deviceClassName', // class x is not in the input
      '14 unknown-class spec.devices.requests[1].exactly.deviceClassName',
      '15 invalid-value spec.devices.requests[1].exactly.count',
      // requests[2] has neither exactly nor firstAvailable: the line of requests[2] itself.
      '16 required spec.devices.requests[2]',
    ]);
  });

  it('a ResourceClaim of another apiVersion gets the apiVersion message allocate gives, not its fields', () => {
    const beta = 'apiVersion: resource.k8s.io/v1beta1\nkind: ResourceClaim\nmetadata: {name: c}\nspec:\n  devices:\n    requests:\n    - name: gpu\n      deviceClassName: gpu\n';
    const findings = lintString(beta, 'x.yaml', CEL);
    expect(findings.map(formatFinding)).toEqual([
      'x.yaml:1: ResourceClaim c: apiVersion: resource.k8s.io/v1beta1 is not supported for ResourceClaim (use resource.k8s.io/v1 or resource.k8s.io/v1beta2)',
    ]);
  });

  it('a quantity written with a unit gets the quantity it probably meant', () => {
    expect(quantitySuggestion('400Gbps')).toBe('400G');
    expect(quantitySuggestion('10GiB')).toBe('10Gi');
    expect(quantitySuggestion('512 MB')).toBe('512M');
    expect(quantitySuggestion('8kiB')).toBe('8Ki');
    expect(quantitySuggestion('1.5 Gi')).toBe('1.5Gi');
    expect(quantitySuggestion('1Kb')).toBe('1k');
    // No guess where the intent is unclear, or nothing is wrong.
    for (const t of ['2GPUs', '5ms', '1mB', 'abc', '40Gi', '100', '1e3Gbps']) expect(quantitySuggestion(t), t).toBeUndefined();
    const slice =
      'apiVersion: resource.k8s.io/v1\nkind: ResourceSlice\nmetadata: {name: s}\nspec:\n  driver: d.example.com\n  allNodes: true\n  pool: {name: p, generation: 0, resourceSliceCount: 1}\n  devices:\n  - name: d\n    capacity:\n      memory: {value: 80GB}\n      ports: {value: 2GPUs}\n';
    expect(lintString(slice, 'x.yaml', CEL).map((f) => `${f.line} ${f.path}: ${f.message.replace(/ quantities must match .*'(;|$)/, '$1')}`)).toEqual([
      '11 spec.devices[0].capacity.memory.value: Invalid value: "80GB":; did you mean "80G"?',
      '12 spec.devices[0].capacity.ports.value: Invalid value: "2GPUs":',
    ]);
  });
});
