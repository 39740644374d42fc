// A minimal custom scheduler built on dralloc's public API: the idiom to copy.
//
// Informers deliver upserts and deletes of cluster objects; the loop keeps one Engine current
// with them and, after each batch of events (an informer's queue drained), tries every pending
// Pod of ours. What a real scheduler would write to the API server (claim status, the Pod's
// binding) is returned as `bindings` here.
//
//   node examples/embed/scheduler.mjs            (replays examples/embed/events.json)
//
// Rules of the idiom:
// - normalize() every object as it arrives (client-node models, watch JSON, YAML alike).
// - The engine holds objects by identity: to update one, remove the object it was given and
//   add the new one (Engine.upsert/delete do this by key). Keep what you gave it in a store.
// - A Scheduler is cheap to create: make one per batch from the store, so it sees the current
//   Nodes, DeviceClasses, claims and templates. schedulePod commits its allocations into the
//   engine; record the claims it returns (created, updated) in the store, since those objects
//   are the ones the engine holds.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Engine, createScheduler, normalize } from 'dralloc';

const keyOf = (o) => `${o.kind}/${o.metadata.namespace ?? ''}/${o.metadata.name}`;
const ENGINE_KINDS = new Set(['Node', 'DeviceClass', 'ResourceSlice', 'ResourceClaim', 'DeviceTaintRule']);

/**
 * Replays `batches` (arrays of `{ type: 'upsert' | 'delete', object }`) through a scheduler named
 * `schedulerName`; returns the bindings made, in order: `{ pod, node, devices }`.
 */
export async function runScheduler(batches, { schedulerName = 'embedded' } = {}) {
  const engine = await Engine.create();
  const store = new Map(); // key → the object the engine (or the scheduler) was given
  const pending = new Map(); // key → Pod of ours without a node
  const bindings = [];

  const put = (o) => {
    const old = store.get(keyOf(o));
    if (old && ENGINE_KINDS.has(o.kind)) engine.remove([old]);
    store.set(keyOf(o), o);
    if (ENGINE_KINDS.has(o.kind)) engine.add([o]);
  };
  const drop = (o) => {
    const old = store.get(keyOf(o));
    if (old && ENGINE_KINDS.has(o.kind)) engine.remove([old]);
    store.delete(keyOf(o));
    pending.delete(keyOf(o));
  };

  for (const batch of batches) {
    for (const event of batch) {
      const o = normalize(event.object);
      if (event.type === 'delete') {
        drop(o);
        continue;
      }
      put(o);
      if (o.kind === 'Pod' && o.spec.schedulerName === schedulerName && !o.spec.nodeName) pending.set(keyOf(o), o);
    }
    if (pending.size === 0) continue;
    const scheduler = await createScheduler(engine, [...store.values()]);
    for (const [key, pod] of pending) {
      const decision = scheduler.schedulePod(pod);
      if (decision.node === undefined) continue; // stays pending: retried after the next batch
      for (const c of [...decision.created, ...decision.updated]) store.set(keyOf(c), c);
      store.set(key, decision.pod);
      pending.delete(key);
      const devices = decision.updated.flatMap((c) => (c.status?.allocation?.devices?.results ?? []).map((r) => `${r.pool}/${r.device}`));
      bindings.push({ pod: pod.metadata.name, node: decision.node, devices });
    }
  }
  return bindings;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const events = JSON.parse(readFileSync(new URL('./events.json', import.meta.url), 'utf8'));
  for (const b of await runScheduler(events)) console.log(`${b.pod} → ${b.node} (${b.devices.join(', ')})`);
}
