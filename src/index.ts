/**
 * dralloc's public API.
 *
 * - `Engine`: holds cluster objects and allocates claims on a node exactly as Kubernetes v1.36's
 *   structured DRA allocator does (`Engine.create`, `allocate`, `upsert`, `delete`, `commit`, `release`; objects by `keyOf`).
 *   `EngineOptions.counterAccounting: 'upstream' | 'exact'`: kube-scheduler's shared-counter
 *   accounting (default) or exact accounting.
 * - `loadPaths` / `loadText`: read YAML/JSON files, folders, Lists into decoded objects.
 * - `Outcome`: allocated | unsatisfiable | error — never a partial allocation.
 * - Feature gates by their Kubernetes names (`GATE_DEFAULTS`, `parseFeatureGates`).
 */

export { Engine, CounterAccountingError, type EngineOptions, type AllocateOptions } from './engine.js';
export type { CounterAccounting } from './wasm/layout.js';
export { keyOf, type ObjectKey } from './model/keys.js';
export { AllocationError, type Outcome, type SearchStats } from './outcome.js';
export { loadPaths, loadText, type Loaded, type LoadResult } from './model/load.js';
export { InputError } from './model/errors.js';
export { GATE_DEFAULTS, parseFeatureGates, featuresFromGates, type FeatureGates, type GateName, type Features } from './features.js';
export { Quantity, QuantityError } from './model/quantity.js';
export type * from './model/types.js';
