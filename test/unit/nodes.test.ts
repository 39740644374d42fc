import { describe, expect, it } from 'vitest';
import { NodeSelectorError, nodeMatches, nodeSelectorMatches } from '../../src/model/nodes.js';
import type { NodeSelectorRequirement, NodeSelectorTerm } from '../../src/model/types.js';
import { node } from './objects.js';

const n = node('worker-1', { zone: 'a', cores: '64', gpu: 'true' });
const expr = (...matchExpressions: NodeSelectorRequirement[]): NodeSelectorTerm => ({ matchExpressions });
const matches = (...terms: NodeSelectorTerm[]) => nodeSelectorMatches({ nodeSelectorTerms: terms }, n);

describe('nodeSelectorMatches', () => {
  it('In / NotIn', () => {
    expect(matches(expr({ key: 'zone', operator: 'In', values: ['b', 'a'] }))).toBe(true);
    expect(matches(expr({ key: 'zone', operator: 'In', values: ['b'] }))).toBe(false);
    expect(matches(expr({ key: 'rack', operator: 'In', values: ['a'] }))).toBe(false);
    expect(matches(expr({ key: 'zone', operator: 'NotIn', values: ['b'] }))).toBe(true);
    expect(matches(expr({ key: 'zone', operator: 'NotIn', values: ['a'] }))).toBe(false);
    expect(matches(expr({ key: 'rack', operator: 'NotIn', values: ['a'] }))).toBe(true); // absent label is "not in"
  });

  it('Exists / DoesNotExist', () => {
    expect(matches(expr({ key: 'gpu', operator: 'Exists' }))).toBe(true);
    expect(matches(expr({ key: 'rack', operator: 'Exists' }))).toBe(false);
    expect(matches(expr({ key: 'rack', operator: 'DoesNotExist' }))).toBe(true);
    expect(matches(expr({ key: 'gpu', operator: 'DoesNotExist' }))).toBe(false);
  });

  it('Gt / Lt compare integers; non-integers and absent labels never match', () => {
    expect(matches(expr({ key: 'cores', operator: 'Gt', values: ['63'] }))).toBe(true);
    expect(matches(expr({ key: 'cores', operator: 'Gt', values: ['64'] }))).toBe(false);
    expect(matches(expr({ key: 'cores', operator: 'Lt', values: ['65'] }))).toBe(true);
    expect(matches(expr({ key: 'cores', operator: 'Lt', values: ['64'] }))).toBe(false);
    expect(matches(expr({ key: 'zone', operator: 'Gt', values: ['1'] }))).toBe(false);
    expect(matches(expr({ key: 'rack', operator: 'Lt', values: ['100'] }))).toBe(false);
  });

  it('matchFields knows metadata.name', () => {
    expect(matches({ matchFields: [{ key: 'metadata.name', operator: 'In', values: ['worker-1'] }] })).toBe(true);
    expect(matches({ matchFields: [{ key: 'metadata.name', operator: 'In', values: ['worker-2'] }] })).toBe(false);
    expect(matches({ matchFields: [{ key: 'metadata.name', operator: 'NotIn', values: ['worker-2'] }] })).toBe(true);
    expect(() => matches({ matchFields: [{ key: 'spec.podCIDR', operator: 'In', values: ['x'] }] })).toThrow(NodeSelectorError);
  });

  it('requirements of a term are ANDed, terms are ORed', () => {
    const zoneA = { key: 'zone', operator: 'In', values: ['a'] };
    const big = { key: 'cores', operator: 'Gt', values: ['100'] };
    expect(matches(expr(zoneA, big))).toBe(false);
    expect(matches(expr(big), expr(zoneA))).toBe(true);
    expect(matches({ matchExpressions: [zoneA], matchFields: [{ key: 'metadata.name', operator: 'In', values: ['other'] }] })).toBe(false);
  });

  it('an empty term matches nothing, and so does a selector without terms', () => {
    expect(matches({})).toBe(false);
    expect(matches({ matchExpressions: [], matchFields: [] })).toBe(false);
    expect(matches()).toBe(false);
  });

  it('unknown operators are an error', () => {
    expect(() => matches(expr({ key: 'zone', operator: 'Like', values: ['a'] }))).toThrow('unknown node selector operator "Like"');
  });
});

describe('nodeMatches (a slice\'s or device\'s node selection)', () => {
  it('nodeName, then allNodes, then nodeSelector; nothing set matches nothing', () => {
    const sel = { nodeSelectorTerms: [expr({ key: 'zone', operator: 'In', values: ['a'] })] };
    expect(nodeMatches(n, 'worker-1', undefined, undefined)).toBe(true);
    expect(nodeMatches(n, 'worker-2', true, sel)).toBe(false); // nodeName decides
    expect(nodeMatches(n, undefined, true, undefined)).toBe(true);
    expect(nodeMatches(n, undefined, undefined, sel)).toBe(true);
    expect(nodeMatches(node('worker-2', { zone: 'b' }), undefined, undefined, sel)).toBe(false);
    expect(nodeMatches(n, undefined, undefined, undefined)).toBe(false);
  });
});
