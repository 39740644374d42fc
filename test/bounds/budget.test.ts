/**
 * Issue 11 part 2, item 1: every allocation has a budget — a time limit like kube-scheduler's
 * DRA Filter timeout and a step limit — in the library API, allocate, schedule and explain.
 * The hostile fixture (8 × 1 device, distinctAttribute over 7 values on 64 devices) has no
 * answer, and upstream's search needs ~64^7 steps to find that out.
 */
import { describe, it, expect, beforeAll } from 'vitest';
import { Engine } from '../../src/engine.js';
import { main } from '../../src/cli/main.js';
import { formatDuration, parseDuration } from '../../src/budget.js';
import type { DraObject, ResourceClaim } from '../../src/model/types.js';
import { DISTINCT_FILES, distinctObjects } from './hostile.js';
import { referenceAllocate } from '../reference/allocator.js';
import { featuresFromGates, GATE_DEFAULTS } from '../../src/features.js';

let objects: DraObject[];
let hostile: ResourceClaim;
beforeAll(async () => {
  ({ objects, claim: hostile } = await distinctObjects());
});

function cli() {
  const out = { stdout: '', stderr: '' };
  return { out, io: { stdout: (t: string) => void (out.stdout += t), stderr: (t: string) => void (out.stderr += t), readStdin: async () => '' } };
}
const files = DISTINCT_FILES.flatMap((f) => ['-f', f]);
const TIMEOUT = 'timed out trying to allocate devices after 200ms (filter timeout)';

describe('Go durations', () => {
  it('parses and prints as time.ParseDuration and Duration.String do', () => {
    expect(parseDuration('10s')).toBe(10_000);
    expect(parseDuration('500ms')).toBe(500);
    expect(parseDuration('1m30s')).toBe(90_000);
    expect(parseDuration('1.5h')).toBe(5_400_000);
    expect(parseDuration('250us')).toBe(0.25);
    expect(parseDuration('0')).toBe(0);
    for (const bad of ['', '10', '-1s', '1x', 's', '1s ', '+1s']) expect(parseDuration(bad)).toBeUndefined();
    expect(formatDuration(200)).toBe('200ms');
    expect(formatDuration(10_000)).toBe('10s');
    expect(formatDuration(1_500)).toBe('1.5s');
    expect(formatDuration(90_000)).toBe('1m30s');
    expect(formatDuration(7_200_000)).toBe('2h0m0s');
  });
});

describe('library API budgets', () => {
  it('the time limit ends the hostile search with the filter-timeout message (Engine option)', { timeout: 30_000 }, async () => {
    const engine = await Engine.create({ objects, filterTimeoutMs: 200 });
    const out = engine.allocateSync([hostile], { node: 'n1' });
    expect(out).toMatchObject({ kind: 'error', message: TIMEOUT });
    // The deadline is checked after each slice: at least one full slice ran.
    expect(out.stats!.steps).toBeGreaterThanOrEqual(1 << 14);
  });

  it('per-call options override the engine: a step budget, and a time limit', { timeout: 30_000 }, async () => {
    const engine = await Engine.create({ objects, filterTimeoutMs: 0 });
    const steps = await engine.allocate([hostile], { node: 'n1', maxSteps: 40_000 });
    expect(steps).toMatchObject({ kind: 'error', stats: { steps: 40_000 } });
    expect((steps as { message: string }).message).toMatch(/^search stopped after 40000 steps without an answer \(step budget\)/);
    expect(await engine.allocate([hostile], { node: 'n2', filterTimeoutMs: 200 })).toMatchObject({ kind: 'error', message: TIMEOUT });
    // The budget is per call: the easy claim on the same engine is answered.
    const easy = objects.find((o): o is ResourceClaim => o.kind === 'ResourceClaim' && o.metadata.name === 'one')!;
    expect((await engine.allocate([easy], { node: 'n1' })).kind).toBe('allocated');
  });

  it('a step budget above 2^32 is not cut to 32 bits (4294967297 used to stop after 1 step)', { timeout: 30_000 }, async () => {
    const engine = await Engine.create({ objects, maxSteps: 4_294_967_297, filterTimeoutMs: 200 });
    const out = engine.allocateSync([hostile], { node: 'n1' });
    expect(out).toMatchObject({ kind: 'error', message: TIMEOUT });
    expect(out.stats!.steps).toBeGreaterThan(1);
  });

  it('a search of several slices ends as the reference allocator says, in the same steps however it is sliced', { timeout: 30_000 }, async () => {
    // 5 requests with distinct zones, 4 zones on 20 devices: unsatisfiable after ~36,000 steps (3 slices).
    const node = { apiVersion: 'v1', kind: 'Node', metadata: { name: 'n1' } };
    const cls = { apiVersion: 'resource.k8s.io/v1', kind: 'DeviceClass', metadata: { name: 'any' }, spec: {} };
    const devices = Array.from({ length: 20 }, (_, i) => ({ name: `dev-${i}`, attributes: { zone: { string: `z${i % 4}` } } }));
    const slice = { apiVersion: 'resource.k8s.io/v1', kind: 'ResourceSlice', metadata: { name: 's' }, spec: { driver: 'd.example.com', nodeName: 'n1', pool: { name: 'p', generation: 1, resourceSliceCount: 1 }, devices } };
    const requests = Array.from({ length: 5 }, (_, i) => ({ name: `r${i}`, exactly: { deviceClassName: 'any' } }));
    const claim = { apiVersion: 'resource.k8s.io/v1', kind: 'ResourceClaim', metadata: { name: 'c', namespace: 'default' }, spec: { devices: { requests, constraints: [{ distinctAttribute: 'd.example.com/zone' }] } } } as ResourceClaim;
    const all = [node, cls, slice] as DraObject[];
    expect(referenceAllocate({ objects: all, claims: [claim], node: 'n1', features: featuresFromGates(GATE_DEFAULTS) }).kind).toBe('unsatisfiable');
    const engine = await Engine.create({ objects: all, filterTimeoutMs: 0 });
    const whole = engine.allocateSync([claim], { node: 'n1' });
    expect(whole.kind).toBe('unsatisfiable');
    const steps = whole.stats!.steps;
    expect(steps).toBeGreaterThan(2 * (1 << 14));
    // Sliced differently (the last slice is cut to the budget), asynchronously: the same answer.
    expect(await engine.allocate([claim], { node: 'n1', maxSteps: steps })).toEqual(whole);
    expect(engine.allocateSync([claim], { node: 'n1', maxSteps: steps - 1 })).toMatchObject({ kind: 'error', stats: { steps: steps - 1 } });
  });

  it('rejects budgets that are not numbers of the right kind, naming the option', async () => {
    await expect(Engine.create({ maxSteps: -1 })).rejects.toThrow('EngineOptions: maxSteps must be an integer from 0 (no limit)');
    await expect(Engine.create({ filterTimeoutMs: Number.NaN })).rejects.toThrow('EngineOptions: filterTimeoutMs must be a finite number');
    const engine = await Engine.create({ objects });
    expect(() => engine.allocateSync([hostile], { node: 'n1', maxSteps: 1.5 })).toThrow('AllocateOptions: maxSteps must be an integer');
  });

  it('allocate yields to the event loop between slices; calls on one engine run one after the other', { timeout: 30_000 }, async () => {
    // A step budget of five slices (the engine's slice is 2^14 steps) makes the number of pauses
    // independent of the machine's speed: four pauses, each one event-loop turn for the spinner.
    const engine = await Engine.create({ objects, filterTimeoutMs: 0, maxSteps: 5 * 16_384 });
    let turns = 0;
    let spinning = true;
    const spin = () => {
      if (!spinning) return;
      turns++;
      setImmediate(spin);
    };
    setImmediate(spin);
    const easy = objects.find((o): o is ResourceClaim => o.kind === 'ResourceClaim' && o.metadata.name === 'one')!;
    const [slow, quick] = await Promise.all([engine.allocate([hostile], { node: 'n1' }), engine.allocate([easy], { node: 'n1' })]);
    spinning = false;
    expect(slow).toMatchObject({ kind: 'error', message: expect.stringContaining('search stopped after 81920 steps without an answer (step budget)') });
    expect(quick.kind).toBe('allocated');
    // The spinner ran between the slices: the search did not hold the event loop.
    expect(turns).toBeGreaterThanOrEqual(4);
  });

  it('an aborted signal stops a search without a time limit between two slices', { timeout: 30_000 }, async () => {
    const engine = await Engine.create({ objects, filterTimeoutMs: 0 });
    const stop = new AbortController();
    setTimeout(() => stop.abort(), 100);
    const out = await engine.allocate([hostile], { node: 'n1', signal: stop.signal });
    expect(out).toMatchObject({ kind: 'error', message: 'allocation aborted' });
  });

  it('allocateSync during a paused allocate is refused with a clear error, and the paused search is unharmed', { timeout: 30_000 }, async () => {
    // The timeout is far above one slice of the search even on a loaded machine, and the check
    // runs in the first event-loop turn after the call: the search's first slice has run by then
    // (a microtask) and it is paused until its own setImmediate, registered after ours.
    const engine = await Engine.create({ objects, filterTimeoutMs: 2_000 });
    const slow = engine.allocate([hostile], { node: 'n1' });
    await new Promise((r) => setImmediate(r));
    expect(() => engine.allocateSync([hostile], { node: 'n2' })).toThrow('Engine.allocateSync was called while an allocate() of the same engine is in progress');
    expect(await slow).toMatchObject({ kind: 'error', message: TIMEOUT.replace('200ms', '2s') });
  });
});

describe('CLI budgets', () => {
  it('allocate: --filter-timeout ends the hostile search with exit 2 and the message', { timeout: 30_000 }, async () => {
    const { out, io } = cli();
    expect(await main(['allocate', ...files, '--node', 'n1', '--filter-timeout', '200ms'], io)).toBe(2);
    expect(out.stderr).toBe(`error: ${TIMEOUT}\n`);
  });

  it('schedule: each node that runs out is unschedulable for the hostile Pod, the next Pod is placed', { timeout: 30_000 }, async () => {
    const { out, io } = cli();
    expect(await main(['schedule', ...files, '--filter-timeout', '200ms', '-o', 'json'], io)).toBe(1);
    const items = JSON.parse(out.stdout).items as { kind: string; metadata: { name: string }; spec: { nodeName?: string }; status?: { conditions?: { message: string }[] } }[];
    const pod = (name: string) => items.find((i) => i.kind === 'Pod' && i.metadata.name === name)!;
    expect(pod('hostile').status!.conditions![0].message).toBe(`0/2 nodes are available: 2 ${TIMEOUT}.`);
    expect(pod('easy').spec.nodeName).toBe('n1');
  });

  it('schedule: --max-steps is a per-node step budget', { timeout: 30_000 }, async () => {
    const { out, io } = cli();
    expect(await main(['schedule', ...files, '--max-steps', '1000', '--filter-timeout', '0', '-o', 'stats'], io)).toBe(1);
    expect(out.stderr).toContain('unschedulable: default/hostile: 0/2 nodes are available: 2 search stopped after 1000 steps without an answer (step budget)');
  });

  it('explain: every node times out → the nodes grouped by that reason, exit 2', { timeout: 30_000 }, async () => {
    const { out, io } = cli();
    expect(await main(['explain', ...files, '--claim', 'distinct8', '--filter-timeout', '200ms', '-o', 'json'], io)).toBe(2);
    const e = JSON.parse(out.stdout) as { nodes: { node: string; verdict: string; message: string }[] };
    expect(e.nodes.map((n) => [n.node, n.verdict, n.message])).toEqual([
      ['n1', 'error', TIMEOUT],
      ['n2', 'error', TIMEOUT],
    ]);
  });

  it('bad budget flags are usage errors naming the flag', async () => {
    for (const [args, message] of [
      [['--filter-timeout', '10'], '--filter-timeout wants a duration ≥ 0 such as 500ms, 10s or 1m (0 = no limit), got "10"'],
      [['--filter-timeout', '-1s'], '--filter-timeout wants a duration ≥ 0 such as 500ms, 10s or 1m (0 = no limit), got "-1s"'],
      [['--max-steps', '-1'], '--max-steps wants an integer from 0 (no limit) to 9007199254740991, got "-1"'],
      [['--max-steps', '9007199254740992'], '--max-steps wants an integer from 0 (no limit) to 9007199254740991, got "9007199254740992"'],
      [['--max-steps', '1e3'], '--max-steps wants an integer from 0 (no limit) to 9007199254740991, got "1e3"'],
    ] as const) {
      const rest: Record<string, string[]> = {
        allocate: ['-f', 'x', '--node', 'n'],
        schedule: ['-f', 'x'],
        explain: ['-f', 'x', '--claim', 'c'],
        report: ['-f', 'x', '-o', 'r.html'],
      };
      for (const [cmd, more] of Object.entries(rest)) {
        const { out, io } = cli();
        expect(await main([cmd, ...args, ...more], io)).toBe(2);
        expect(out.stderr.split('\n')[0]).toBe(`error: ${message}`);
      }
    }
  });

  it('help texts document both flags', async () => {
    for (const cmd of ['allocate', 'schedule', 'explain', 'report', 'scheduler']) {
      const { out, io } = cli();
      await main(['help', cmd], io);
      expect(out.stdout).toContain('--filter-timeout D');
      expect(out.stdout).toContain('--max-steps N');
    }
  });
});
