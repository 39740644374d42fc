/** kube-scheduler's node sampling: how many feasible nodes it looks for before scoring. */

const MIN_FEASIBLE_NODES_TO_FIND = 100;
const MIN_FEASIBLE_NODES_PERCENTAGE = 5;

/**
 * `numFeasibleNodesToFind` with the default (adaptive) percentageOfNodesToScore:
 * 50% − nodes/125, at least 5%, and never fewer than 100 nodes.
 */
export function numFeasibleNodesToFind(numNodes: number, percentage = 0): number {
  if (numNodes < MIN_FEASIBLE_NODES_TO_FIND) return numNodes;
  let p = percentage;
  if (p <= 0) p = Math.max(MIN_FEASIBLE_NODES_PERCENTAGE, 50 - Math.floor(numNodes / 125));
  if (p >= 100) return numNodes;
  return Math.max(MIN_FEASIBLE_NODES_TO_FIND, Math.floor((numNodes * p) / 100));
}

/** Pods in the order the scheduling queue pops them: higher spec.priority first, then input order. */
export function podOrder<T extends { spec: { priority?: number } }>(pods: readonly T[]): T[] {
  // Array.prototype.sort is stable: equal priorities keep input order.
  return pods.slice().sort((a, b) => (b.spec.priority ?? 0) - (a.spec.priority ?? 0));
}
