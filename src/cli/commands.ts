/**
 * Every `dralloc` command, in the order `dralloc help` lists them: its name, one line for the
 * overview, and a loader. A command's module (and what it needs: engine, CEL, client-node) is
 * imported only when that command runs or its usage is asked for, so `dralloc help` and each
 * command start without loading the others. Adding a command = one entry here.
 */

import type { Command } from './command.js';

export interface CommandEntry {
  name: string;
  summary: string;
  load(): Promise<Command>;
}

export const COMMANDS: readonly CommandEntry[] = [
  { name: 'allocate', summary: 'allocate the unallocated claims of the input together on one node (upstream Allocate)', load: async () => (await import('./allocate.js')).allocateCommand },
  { name: 'schedule', summary: 'place Pods on nodes one by one as kube-scheduler does, allocating their claims', load: async () => (await import('./schedule.js')).scheduleCommand },
  { name: 'report', summary: 'schedule the Pods as `schedule` does and write an HTML report of the result', load: async () => (await import('./report.js')).reportCommand },
  { name: 'explain', summary: 'explain why a claim can or cannot be allocated: per-request device funnels, closest devices', load: async () => (await import('./explain.js')).explainCommand },
  { name: 'lint', summary: 'validate DRA objects like the API server and warn about likely mistakes', load: async () => (await import('./lint.js')).lintCommand },
  { name: 'gen', summary: 'write a seeded synthetic workload (nodes, slices, classes, Pods) as JSON', load: async () => (await import('./gen.js')).genCommand },
  { name: 'snapshot', summary: 'list a live cluster\'s Nodes, slices, classes, claims, templates, Pods and taint rules into one file', load: async () => (await import('./snapshot.js')).snapshotCommand },
  { name: 'scheduler', summary: 'run a secondary scheduler for Pods with spec.schedulerName: NAME on a live cluster', load: async () => (await import('./scheduler.js')).schedulerCommand },
  { name: 'evictions', summary: 'list the Pods NoExecute device taints would evict, and when (--apply deletes the due ones)', load: async () => (await import('./evictions.js')).evictionsCommand },
  { name: 'health', summary: 'report devices that Pod status marks Unhealthy or Unknown, per node, with their Pods', load: async () => (await import('./health.js')).healthCommand },
];
