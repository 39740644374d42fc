/**
 * The async operations of the public API over a whole cluster: prepare, schedule, explain and
 * lint. Each runs the same code as the CLI, cooperatively (util/steps.ts: it yields to the event
 * loop between slices of `sliceMs`, default 20 ms, and stops at the next slice boundary when
 * `signal` aborts), and imports its implementation on first call, so that importing dralloc
 * stays light.
 */

import type { Engine } from '../engine.js';
import type { DraObject, ResourceClaim } from '../model/types.js';
import type { Scheduler, ScheduleOptions, ScheduleResult } from '../schedule/scheduler.js';
import type { Explanation } from '../explain/types.js';
import type { Finding } from '../lint/types.js';
import type { FeatureGates } from '../features.js';
import { featuresFromGates, parseFeatureGates } from '../features.js';
import { drainSliced, TimeSlicer, type AsyncOptions } from '../util/steps.js';

/**
 * Compiles ahead what the first allocations would compile: the inventory (a few thousand devices
 * per step), every node's pools (one node per step), every DeviceClass selector (a few thousand
 * devices per step) — `Engine.precompileSteps`.
 */
export async function prepare(engine: Engine, opts: AsyncOptions = {}): Promise<void> {
  await drainSliced(engine.precompileSteps(), new TimeSlicer(opts));
}

/**
 * Places every Pod of `objects` as `dralloc schedule` does (by priority, then input order),
 * allocating and committing into `engine`. On abort the engine keeps the allocations of the
 * Pods placed so far.
 */
export async function schedule(engine: Engine, objects: readonly DraObject[], opts: ScheduleOptions & AsyncOptions = {}): Promise<ScheduleResult> {
  const slicer = new TimeSlicer(opts);
  const { scheduleSteps } = await import('../schedule/scheduler.js');
  return drainSliced(scheduleSteps(engine, objects, opts), slicer);
}

/**
 * A scheduler to place Pods one at a time (`schedulePod`), for a resident loop: it knows the
 * Nodes, DeviceClasses, claims, templates and Namespaces of `objects`, learns new claims,
 * templates and Namespaces through `remember`, and must be told through `stateChanged` when
 * devices changed outside it (slices, allocations or releases done on the engine directly).
 */
export async function createScheduler(engine: Engine, objects: readonly DraObject[], opts: ScheduleOptions = {}): Promise<Scheduler> {
  const { Scheduler } = await import('../schedule/scheduler.js');
  return new Scheduler(engine, objects, opts);
}

/** Why `claim` can or cannot be allocated on `opts.node`, or on every node of the engine (one node per step). */
export async function explain(engine: Engine, claim: ResourceClaim, opts: { node?: string } & AsyncOptions = {}): Promise<Explanation> {
  const slicer = new TimeSlicer(opts);
  const { explainSteps } = await import('../explain/index.js');
  return drainSliced(explainSteps(engine, claim, opts.node), slicer);
}

export type LintInput = { text: string; file?: string } | { paths: string[] };

/**
 * `dralloc lint`'s findings for a text (named `file`, default `<text>`) or for files and folders:
 * API-server validation errors and warnings about likely mistakes, in file and line order.
 * Cooperative per file read and per document checked; one file's text is parsed as one unit (a
 * JSON List by JSON.parse per item, YAML by the YAML parser). Throws InputError only for
 * unreadable paths.
 */
export async function lint(input: LintInput, opts: { featureGates?: string | Partial<FeatureGates> } & AsyncOptions = {}): Promise<Finding[]> {
  const slicer = new TimeSlicer(opts);
  const gates = typeof opts.featureGates === 'string' ? parseFeatureGates(opts.featureGates) : parseFeatureGates(undefined, opts.featureGates);
  const { consumableCapacity, listTypeAttributes } = featuresFromGates(gates);
  const { lintLoad, lintSteps, textInput } = await import('../lint/index.js');
  const loaded = 'paths' in input ? await lintLoad(input.paths) : textInput(input.text, input.file ?? '<text>');
  return drainSliced(lintSteps(loaded, { consumableCapacity, listTypeAttributes }), slicer);
}
