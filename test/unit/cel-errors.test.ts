/**
 * How a CEL error reaches the user through allocate: upstream's text first (class or claim,
 * selector number, compile/runtime), then — for runtime errors — the request and the expression.
 */
import { describe, it, expect } from 'vitest';
import { Engine } from '../../src/engine.js';
import type { DraObject, ResourceClaim } from '../../src/model/types.js';

const objects: DraObject[] = [
  { apiVersion: 'v1', kind: 'Node', metadata: { name: 'n1' } },
  { apiVersion: 'resource.k8s.io/v1', kind: 'DeviceClass', metadata: { name: 'any' }, spec: {} },
  {
    apiVersion: 'resource.k8s.io/v1',
    kind: 'ResourceSlice',
    metadata: { name: 's' },
    spec: { driver: 'd.example.com', nodeName: 'n1', pool: { name: 'p', generation: 1, resourceSliceCount: 1 }, devices: [{ name: 'dev-0' }] },
  },
];

const claim = (expression: string): ResourceClaim => ({
  apiVersion: 'resource.k8s.io/v1',
  kind: 'ResourceClaim',
  metadata: { name: 'c', namespace: 'ns' },
  spec: { devices: { requests: [{ name: 'gpu', exactly: { deviceClassName: 'any', selectors: [{ cel: { expression } }] } }] } },
});

describe('CEL errors in allocate', () => {
  it('a runtime error names the claim, selector, request and expression', { timeout: 60_000 }, async () => {
    const engine = await Engine.create({ objects });
    const expr = 'device.attributes["d.example.com"].model == "a"';
    expect(await engine.allocate([claim(expr)], { node: 'n1' })).toMatchObject({
      kind: 'error',
      message: `claim ns/c: selector #0: CEL runtime error: no such key: model (request gpu, expression: ${expr})`,
    });
  });

  it('a compile error keeps the compiler message with the expression and a caret', async () => {
    const engine = await Engine.create({ objects });
    const out = await engine.allocate([claim('device.nosuchfield == 1')], { node: 'n1' });
    expect(out.kind).toBe('error');
    expect((out as { message: string }).message).toMatch(/^claim ns\/c: selector #0: CEL compile error: compilation failed: ERROR: <input>:1:7: /);
    expect((out as { message: string }).message).toContain('| device.nosuchfield == 1');
  });
});
