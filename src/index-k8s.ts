/**
 * `dralloc/k8s`: dralloc against a live cluster through `@kubernetes/client-node` (loaded by
 * `connect`, not by importing this module): connect, take a snapshot, run the secondary
 * scheduler, plan NoExecute taint evictions, report device health. docs/cluster.md describes
 * their behaviour; docs/api.md their contracts.
 */

export { connect, type Cluster, type ConnectOptions } from './k8s/connect.js';
export { takeSnapshot, liveObjects, type Snapshot } from './k8s/snapshot.js';
export { LiveScheduler, type LiveSchedulerOptions } from './k8s/live-scheduler.js';
export { ClusterWatch, type Change, type ChangeType, type WatchOptions } from './k8s/informers.js';
export { planEvictions, type Eviction } from './k8s/evictions.js';
export { healthReport, type NodeHealth, type DeviceHealth } from './k8s/health.js';
