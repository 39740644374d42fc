/**
 * Issue 11 part 2, item 5: corrupted allocated state — one device in two claims' allocations,
 * a device its pool does not have, a claim allocated on another node than its Pod's — is
 * reported by lint and refused by schedule (exit 2), instead of being built upon silently.
 */
import { describe, it, expect } from 'vitest';
import { main } from '../../src/cli/main.js';
import { allocatedStateProblems } from '../../src/schedule/allocated-check.js';
import type { DraObject, ResourceClaim } from '../../src/model/types.js';

const C = 'test/fixtures/hostile/corrupt';

async function run(args: string[]) {
  const out = { stdout: '', stderr: '' };
  const code = await main(args, { stdout: (t) => void (out.stdout += t), stderr: (t) => void (out.stderr += t), readStdin: async () => '' });
  return { code, ...out };
}

const CASES = [
  {
    file: 'double',
    lint: `${C}/double.yaml:36: ResourceClaim default/b: status.allocation.devices.results[0]: device d.example.com/n1/dev-0 is also allocated to claim default/a (status.allocation.devices.results[0]): a device can be allocated only once (unless shared with shareID)`,
  },
  {
    file: 'missing-device',
    lint: `${C}/missing-device.yaml:16: ResourceClaim default/ghost: status.allocation.devices.results[0]: device d.example.com/n1/dev-9 does not exist: pool d.example.com/n1 has no device dev-9`,
  },
  {
    file: 'wrong-node',
    lint: `${C}/wrong-node.yaml:31: Pod default/misplaced: spec.resourceClaims[0]: the Pod is bound to node n2, but its claim default/onn1 is allocated on devices that node cannot reach (status.allocation.nodeSelector does not match it)`,
  },
];

describe('corrupted allocated state', () => {
  for (const c of CASES) {
    it(`${c.file}: lint reports it as an error, schedule and report refuse it (exit 2)`, { timeout: 30_000 }, async () => {
      const files = ['-f', `${C}/cluster.yaml`, '-f', `${C}/${c.file}.yaml`];
      const lint = await run(['lint', ...files]);
      expect(lint.code).toBe(1);
      expect(lint.stdout + lint.stderr).toContain(`error: ${c.lint} [allocated-state]`);
      const schedule = await run(['schedule', ...files, '-o', 'json']);
      expect(schedule.code).toBe(2);
      expect(schedule.stdout).toBe('');
      const detail = c.lint.slice(c.lint.indexOf(': ') + 2);
      expect(schedule.stderr).toBe(`error: the allocated state of the input is inconsistent (dralloc lint lists every problem): ${detail}\n`);
      expect((await run(['report', ...files, '-o', '/tmp/dralloc-never.html', '--quiet'])).code).toBe(2);
    });
  }

  it('the same cluster without the corruption schedules (exit 0)', { timeout: 30_000 }, async () => {
    expect((await run(['schedule', '-f', `${C}/cluster.yaml`, '-o', 'json'])).code).toBe(0);
    expect((await run(['lint', '-f', `${C}/cluster.yaml`])).code).toBe(0);
  });

  it('shares (shareID) of one device and adminAccess results are not double allocations', () => {
    const slice = { apiVersion: 'resource.k8s.io/v1', kind: 'ResourceSlice', metadata: { name: 's' }, spec: { driver: 'd', nodeName: 'n', pool: { name: 'p', generation: 1, resourceSliceCount: 1 }, devices: [{ name: 'x' }] } } as DraObject;
    const claim = (name: string, result: Record<string, unknown>) =>
      ({ apiVersion: 'resource.k8s.io/v1', kind: 'ResourceClaim', metadata: { name, namespace: 'ns' }, spec: {}, status: { allocation: { devices: { results: [{ request: 'r', driver: 'd', pool: 'p', device: 'x', ...result }] } } } }) as ResourceClaim;
    expect(allocatedStateProblems([slice, claim('a', { shareID: 'u1' }), claim('b', { shareID: 'u2' }), claim('c', { adminAccess: true })])).toEqual([]);
    const whole = allocatedStateProblems([slice, claim('a', { shareID: 'u1' }), claim('b', {})]);
    expect(whole.map((p) => p.message)).toEqual(['device d/p/x is allocated whole here but shared by claim ns/a']);
    // A pool that is not in the input at all (its driver gone) is not judged.
    expect(allocatedStateProblems([claim('a', { pool: 'elsewhere' })])).toEqual([]);
  });
});
