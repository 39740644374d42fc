/**
 * The non-DRA node checks kube-scheduler makes before DRA's Filter, for the Pod fields dralloc
 * reads: `spec.nodeSelector`, required node affinity, node taints with effect NoSchedule /
 * NoExecute (the Pod must tolerate them), and `spec.unschedulable`. CPU and memory fit, pod
 * (anti-)affinity and topology spread are not checked.
 */

import type { Node, NodeSelector, Pod } from '../model/types.js';
import { nodeSelectorMatches, NodeSelectorError } from '../model/nodes.js';

interface PodToleration {
  key?: string;
  operator?: string;
  value?: string;
  effect?: string;
}
interface NodeTaint {
  key: string;
  value?: string;
  effect: string;
}

/**
 * Why the node cannot take the Pod (kube-scheduler's wording), or undefined when it can: the
 * first failing check in kube-scheduler's filter order (NodeUnschedulable, TaintToleration,
 * NodeAffinity), since a node reports only the first plugin that rejects it.
 */
export function nodeRejects(pod: Pod, node: Node): string | undefined {
  const spec = pod.spec as {
    nodeSelector?: Record<string, string>;
    affinity?: { nodeAffinity?: { requiredDuringSchedulingIgnoredDuringExecution?: NodeSelector } };
    tolerations?: PodToleration[];
  };
  const nodeSpec = (node as { spec?: { unschedulable?: boolean; taints?: NodeTaint[] } }).spec;
  if (nodeSpec?.unschedulable) return 'node(s) were unschedulable';
  for (const t of nodeSpec?.taints ?? []) {
    if (t.effect !== 'NoSchedule' && t.effect !== 'NoExecute') continue;
    if (!(spec.tolerations ?? []).some((tol) => tolerates(tol, t))) return `node(s) had untolerated taint {${t.key}: ${t.value ?? ''}}`;
  }
  const labels = node.metadata.labels ?? {};
  for (const [k, v] of Object.entries(spec.nodeSelector ?? {})) {
    if (labels[k] !== v) return "node(s) didn't match Pod's node affinity/selector";
  }
  const required = spec.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution;
  try {
    if (required && !nodeSelectorMatches(required, node)) return "node(s) didn't match Pod's node affinity/selector";
  } catch (e) {
    if (e instanceof NodeSelectorError) return `invalid node affinity: ${e.message}`;
    throw e;
  }
  return undefined;
}

function tolerates(tol: PodToleration, t: NodeTaint): boolean {
  if (tol.effect && tol.effect !== t.effect) return false;
  if (tol.operator === 'Exists') return !tol.key || tol.key === t.key;
  return tol.key === t.key && (tol.value ?? '') === (t.value ?? '');
}
