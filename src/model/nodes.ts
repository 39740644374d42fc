/**
 * core/v1 NodeSelector matching (what upstream's `nodeaffinity.NewNodeSelector(...).Match` does):
 * terms are ORed, the requirements of a term ANDed; `matchFields` only knows `metadata.name`.
 * A term without requirements matches nothing; a selector without terms matches nothing.
 */

import type { Node, NodeSelector, NodeSelectorRequirement, NodeSelectorTerm } from './types.js';

export class NodeSelectorError extends Error {}

export function nodeSelectorMatches(sel: NodeSelector, node: Node): boolean {
  return (sel.nodeSelectorTerms ?? []).some((t) => termMatches(t, node));
}

function termMatches(term: NodeSelectorTerm, node: Node): boolean {
  const exprs = term.matchExpressions ?? [];
  const fields = term.matchFields ?? [];
  if (exprs.length === 0 && fields.length === 0) return false;
  const labels = node.metadata.labels ?? {};
  return (
    exprs.every((r) => requirementMatches(r, labels[r.key], r.key in labels)) &&
    fields.every((r) => {
      if (r.key !== 'metadata.name') throw new NodeSelectorError(`unsupported field selector key "${r.key}" (only metadata.name)`);
      if (r.operator !== 'In' && r.operator !== 'NotIn') {
        throw new NodeSelectorError(`field selector operator "${r.operator}" is not supported (only In, NotIn)`);
      }
      return requirementMatches(r, node.metadata.name, true);
    })
  );
}

function requirementMatches(r: NodeSelectorRequirement, value: string | undefined, present: boolean): boolean {
  const values = r.values ?? [];
  switch (r.operator) {
    case 'In':
      return present && values.includes(value!);
    case 'NotIn':
      return !present || !values.includes(value!);
    case 'Exists':
      return present;
    case 'DoesNotExist':
      return !present;
    case 'Gt':
    case 'Lt': {
      if (!present || values.length !== 1) return false;
      const have = Number.parseInt(value!, 10);
      const want = Number.parseInt(values[0], 10);
      if (!Number.isInteger(have) || !Number.isInteger(want)) return false;
      return r.operator === 'Gt' ? have > want : have < want;
    }
    default:
      throw new NodeSelectorError(`unknown node selector operator "${r.operator}"`);
  }
}

/** Upstream `nodeMatches`: one of nodeName / allNodes / nodeSelector decides. */
export function nodeMatches(node: Node, nodeName: string | undefined, allNodes: boolean | undefined, sel: NodeSelector | undefined): boolean {
  if (nodeName) return nodeName === node.metadata.name;
  if (allNodes) return true;
  if (sel) return nodeSelectorMatches(sel, node);
  return false;
}
