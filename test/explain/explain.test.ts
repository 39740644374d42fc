/**
 * `explainClaim` on a small cluster (test/fixtures/explain/cluster.yaml) where each claim stops
 * at a known funnel stage. Expected counts are worked out by hand from the fixture's comments:
 * n1 has gpu-0..3 (gpu-0 held by default/holder, gpu-1 tainted, gpu-2 unhealthy, gpu-3 a T4)
 * and partitions part-a (held) / part-b over a 40Gi counter; n2 has two healthy A100s on
 * NUMA 0 and 1; n3 has nothing.
 */
import { describe, it, expect, beforeAll } from 'vitest';
import { readFileSync } from 'node:fs';
import { Engine } from '../../src/engine.js';
import { loadPaths } from '../../src/model/load.js';
import type { DraObject, ResourceClaim } from '../../src/model/types.js';
import { explainClaim, summarise, STAGES, type Explanation } from '../../src/explain/index.js';
import { findClaim } from '../../src/cli/find-claim.js';
import { compileProblem } from '../../src/compile/problem.js';
import { ST } from '../../src/wasm/layout.js';
import { buildNodeView } from '../../src/compile/nodeview.js';
import { main } from '../../src/cli/main.js';

const FIXTURE = 'test/fixtures/explain/cluster.yaml';
let objects: DraObject[];
let engine: Engine;

beforeAll(async () => {
  objects = (await loadPaths([FIXTURE])).objects.map((l) => l.object);
  engine = await Engine.create({ objects });
});

const claim = (name: string) => findClaim(objects, `default/${name}`);
const counts = (e: Explanation, request = 0, sub = 0) => e.nodes[0].requests[request].funnels[sub].stages.map((s) => s.count);

describe('explain funnels', () => {
  const cases: [string, string, number[], string | undefined][] = [
    ['c-class', 'n1', [6, 0, 0, 0, 0, 0, 0], 'class'],
    ['c-sel', 'n1', [6, 2, 0, 0, 0, 0, 0], 'selectors'],
    ['c-free', 'n1', [6, 2, 1, 0, 0, 0, 0], 'free'],
    ['c-taint', 'n1', [6, 2, 1, 1, 0, 0, 0], 'untainted'],
    ['c-tolerate', 'n1', [6, 2, 1, 1, 1, 1, 1], undefined],
    ['c-fit', 'n1', [6, 2, 2, 1, 1, 0, 0], 'fits'],
    ['c-match2', 'n2', [2, 2, 2, 2, 2, 2, 0], 'constraints'],
    ['c-any', 'n3', [0, 0, 0, 0, 0, 0, 0], 'reachable'],
  ];
  for (const [name, node, want, failedAt] of cases) {
    it(`${name} on ${node} stops at ${failedAt ?? 'nothing'}`, () => {
      const e = explainClaim(engine, claim(name), node);
      expect(counts(e)).toEqual(want);
      expect(e.nodes[0].requests[0].funnels[0].failedAt).toBe(failedAt);
      expect(e.nodes[0].verdict).toBe(failedAt ? 'unsatisfiable' : 'allocatable');
    });
  }

  it('names the closest devices and why each failed', () => {
    const miss = (name: string, node: string) => explainClaim(engine, claim(name), node).nodes[0].requests[0].funnels[0].nearMisses;
    expect(miss('c-free', 'n1')).toEqual([{ device: 'gpu.example.com/n1/gpu-0', reason: 'allocated to claim default/holder' }]);
    expect(miss('c-taint', 'n1')).toEqual([
      { device: 'gpu.example.com/n1/gpu-1', reason: 'taint example.com/maintenance=yes:NoSchedule is not tolerated' },
    ]);
    expect(miss('c-fit', 'n1')).toEqual([
      { device: 'part.example.com/n1-part/part-b', reason: 'counter set mem counter memory: needs 30Gi, 10Gi left (short by 20Gi)' },
    ]);
    expect(miss('c-sel', 'n1').map((m) => m.reason)).toEqual([
      'selector #0 is false: device.attributes["gpu.example.com"].numa == 5',
      'selector #0 is false: device.attributes["gpu.example.com"].numa == 5',
    ]);
    expect(miss('c-match2', 'n2').map((m) => m.reason)).toEqual([
      'gpu.example.com/numa=0 is not shared by enough devices of requests r (matchAttribute)',
      'gpu.example.com/numa=1 is not shared by enough devices of requests r (matchAttribute)',
    ]);
    const cls = explainClaim(engine, claim('c-class'), 'n1').nodes[0].requests[0].funnels[0];
    expect(cls.droppedAtFailure).toBe(6);
    expect(cls.nearMisses[0].reason).toMatch(/^class h100 selector #0 is false: device\.driver == "gpu\.example\.com"/);
  });

  it('one funnel per subrequest; the request is blocked when all fail', () => {
    const e = explainClaim(engine, claim('c-fa'), 'n1');
    const r = e.nodes[0].requests[0];
    expect(r.funnels.map((f) => f.request)).toEqual(['r/big', 'r/small']);
    expect(r.funnels.map((f) => f.failedAt)).toEqual(['class', 'untainted']);
    expect(counts(e, 0, 1)).toEqual([6, 2, 1, 1, 0, 0, 0]);
    expect(r.blocked).toBe(true);
    expect(e.nodes[0].reason).toBe('request r: none of its 2 subrequests fits (first, r/big: no device matches class h100)');
  });

  it('requests that fit alone but not together: the verdict is the allocator\'s', () => {
    const e = explainClaim(engine, claim('c-pair'), 'n2');
    expect(e.nodes[0].verdict).toBe('unsatisfiable');
    expect(e.nodes[0].requests.map((r) => r.blocked)).toEqual([false, false]);
    expect(e.nodes[0].reason).toMatch(/^the requests cannot be satisfied together/);
    expect(e.nodes[0].notes).toEqual(['pool other.example.com/n2-other is incomplete (1 of 2 slices at generation 3): its devices are not used']);
  });

  it('allocation errors and allocated claims', () => {
    const err = explainClaim(engine, claim('c-unknown'), 'n1').nodes[0];
    expect(err.verdict).toBe('error');
    expect(err.message).toBe('claim default/c-unknown, request r: could not retrieve device class nope: deviceclass.resource.k8s.io "nope" not found');
    expect(explainClaim(engine, claim('holder'), 'n1').nodes[0].verdict).toBe('allocated');
    expect(explainClaim(engine, claim('c-any'), 'nowhere').nodes[0]).toMatchObject({ verdict: 'error', message: expect.stringMatching(/^node nowhere not found/) });
  });

  it('summarises all nodes like kube-scheduler, grouped by reason', () => {
    const e = explainClaim(engine, claim('c-any'));
    expect(e.nodes.map((n) => n.node)).toEqual(['n1', 'n2', 'n3']);
    expect(summarise(e)).toBe(
      '1/3 nodes can allocate claim default/c-any: 1 × request r: every free matching device has a taint the request does not tolerate; 1 × request r: no device is reachable from the node',
    );
    expect(summarise(explainClaim(engine, claim('c-free'), 'n1'))).toBe('claim default/c-free cannot be allocated on node n1: request r: every matching device is already allocated');
    expect(summarise(explainClaim(engine, claim('c-tolerate'), 'n1'))).toBe('claim default/c-tolerate fits on node n1');
  });

  it("agrees with the allocator's own pre-pass: selectable devices = the funnel's selectors stage", () => {
    const { masks, allocated, classes, features, nodes } = engine.inspect();
    const claims = objects.filter((o): o is ResourceClaim => o.kind === 'ResourceClaim' && !o.status?.allocation && o.metadata.name !== 'c-unknown');
    for (const c of claims) {
      for (const node of nodes.values()) {
        const view = buildNodeView(engine.nodePools(node), allocated);
        const p = compileProblem(view, [c], { features, classes, masks, allocated });
        const e = explainClaim(engine, c, node.metadata.name);
        const funnels = e.nodes[0].requests.flatMap((r) => r.funnels);
        p.plan.slots.forEach((_, s) => {
          let selectable = 0;
          for (let d = 0; d < view.slots.length; d++) if (p.status[s * view.slots.length + d] & ST.SELECTABLE) selectable++;
          expect(funnels[s].stages[STAGES.indexOf('selectors')].count).toBe(selectable);
        });
        // A blocked request is a proof of unsatisfiability: never claim one on an allocatable node.
        if (e.nodes[0].verdict === 'allocatable') expect(e.nodes[0].requests.every((r) => !r.blocked)).toBe(true);
      }
    }
  });
});

describe('dralloc explain (CLI)', () => {
  async function run(args: string[]) {
    let stdout = '';
    let stderr = '';
    const code = await main(['explain', ...args], { stdout: (t) => void (stdout += t), stderr: (t) => void (stderr += t), readStdin: async () => '' });
    return { code, stdout, stderr };
  }

  it('golden: one node', { timeout: 60_000 }, async () => {
    const r = await run(['-f', FIXTURE, '--claim', 'default/c-fit', '--node', 'n1']);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe(readFileSync('test/fixtures/explain/c-fit.n1.txt', 'utf8'));
  });

  it('golden: all nodes grouped by reason', { timeout: 60_000 }, async () => {
    const r = await run(['-f', FIXTURE, '--claim', 'c-any', '--all-nodes']);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(readFileSync('test/fixtures/explain/c-any.all.txt', 'utf8'));
  });

  it('-o json is the explanation; exit codes 0/1/2', { timeout: 60_000 }, async () => {
    const r = await run(['-f', FIXTURE, '--claim', 'default/c-free', '--node', 'n1', '-o', 'json']);
    expect(r.code).toBe(1);
    const json = JSON.parse(r.stdout) as Explanation;
    expect(json.claim).toBe('default/c-free');
    expect(json.nodes[0]).toMatchObject({ node: 'n1', verdict: 'unsatisfiable', reason: 'request r: every matching device is already allocated' });
    expect(counts(json)).toEqual([6, 2, 1, 0, 0, 0, 0]);
    expect((await run(['-f', FIXTURE, '--claim', 'c-unknown', '--node', 'n1'])).code).toBe(2);
    expect((await run(['-f', FIXTURE, '--claim', 'c-tolerate', '--node', 'n1'])).code).toBe(0);
    const missing = await run(['-f', FIXTURE, '--claim', 'default/none']);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/^error: claim default\/none not found in the input \(claims: default\/holder, default\/c-class/);
    expect((await run(['-f', FIXTURE, '--claim', 'c-any', '--node', 'n1', '--all-nodes'])).code).toBe(2);
  });

  it('finds claims stamped from a Pod\'s ResourceClaimTemplate', { timeout: 60_000 }, async () => {
    const r = await run(['-f', 'examples/a100', '-f', '-', '--claim', 'default/llm-inference-gpu', '--node', 'worker-gpu-01', '-o', 'json']);
    expect(r.code).toBe(2); // no such Pod in the example: the stamped claim does not exist
    const pod = `apiVersion: v1\nkind: Pod\nmetadata: {name: llm, namespace: default}\nspec:\n  resourceClaims: [{name: gpu, resourceClaimTemplateName: gpu-claim-template}]\n`;
    let out = '';
    const code = await main(['explain', '-f', 'examples/a100', '-f', '-', '--claim', 'default/llm-gpu', '--node', 'worker-gpu-01'], {
      stdout: (t) => void (out += t),
      stderr: () => {},
      readStdin: async () => pod,
    });
    expect(code).toBe(0);
    expect(out).toMatch(/^claim default\/llm-gpu on node worker-gpu-01: allocatable/);
  });
});
