/**
 * dralloc's public API (docs/api.md has every export's contract, errors, cost and an example).
 *
 * - `Engine`: holds cluster objects and allocates claims on a node exactly as Kubernetes v1.36's
 *   structured DRA allocator does; it holds objects by `keyOf` (`upsert`, `delete`, `commit`,
 *   `release`). `EngineOptions.counterAccounting: 'upstream' | 'exact'`:
 *   kube-scheduler's shared-counter accounting (default) or exact accounting.
 * - Input: `decode` (a YAML/JSON text), `decodeFiles` (files, folders, stdin), `normalize` (one
 *   object from client-node, kubectl JSON or YAML) → the objects the engine reads.
 * - Whole-cluster operations, async and cooperative (AbortSignal, yield to the event loop):
 *   `prepare`, `schedule`, `createScheduler`, `explain`, `lint`.
 * - Building blocks of a scheduler: `resolvePodClaims` (claims stamped from templates),
 *   `nodeRejects` (node filters), `draScore` (the DRA score).
 * - Feature gates by their Kubernetes names, `Quantity`, and the v1 object types.
 *
 * Importing this module loads neither the CEL runtime (loaded on the first selector that needs
 * it, compile/cel-loader.ts), nor the YAML parser (on the first YAML text), nor
 * `@kubernetes/client-node` (an optional peer, loaded by `dralloc/k8s`'s `connect`). The HTML
 * report is `dralloc/report`.
 */

export { Engine, CounterAccountingError, type EngineOptions, type AllocateOptions, type EngineState } from './engine.js';
export type { CounterAccounting } from './wasm/layout.js';
export { keyOf, type ObjectKey } from './model/keys.js';
export { AllocationError, type Outcome, type SearchStats } from './outcome.js';
export { decode, decodeFiles, type Decoded } from './api/decode.js';
export { normalize, type NormalizeOptions } from './model/normalize.js';
export { loadPaths, loadText, type Loaded, type LoadResult } from './model/load.js';
export { InputError } from './model/errors.js';
export { prepare, schedule, createScheduler, explain, lint, type LintInput } from './api/batch.js';
export type { AsyncOptions } from './util/steps.js';
export type { Scheduler, ScheduleOptions, ScheduleResult, PodResult, PodDecision, Strategy } from './schedule/scheduler.js';
export { resolvePodClaims, claimKey, PodClaimError, extendedResourceClaim, type ClaimSource, type ClaimKey, type PodClaims } from './schedule/pod-claims.js';
export { nodeRejects } from './schedule/node-filter.js';
export { draScore } from './schedule/score.js';
export type * from './explain/types.js';
export type { Finding, Severity } from './lint/types.js';
export { GATE_DEFAULTS, parseFeatureGates, featuresFromGates, FeatureGateError, type FeatureGates, type GateName, type Features } from './features.js';
export { Quantity, QuantityError } from './model/quantity.js';
export type * from './model/types.js';
