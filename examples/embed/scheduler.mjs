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
// - engine.upsert / engine.delete take the events as they come: the engine holds objects by key
//   (kind, namespace, name; claims by uid), so a new version replaces the old one and a delete
//   event's copy deletes the object held. Pods and templates are accepted and ignored.
// - A Scheduler is cheap to create: make one per batch from the store, so it sees the current
//   Nodes, DeviceClasses, claims and templates, so keep a store of the current objects too.
//   schedulePod commits its allocations into the engine; record the claims it returns (created,
//   updated) in the store.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Engine, createScheduler, normalize } from 'dralloc';

const keyOf = (o) => `${o.kind}/${o.metadata.namespace ?? ''}/${o.metadata.name}`;

/**
 * Replays `batches` (arrays of `{ type: 'upsert' | 'delete', object }`) through a scheduler named
 * `schedulerName`; returns the bindings made, in order: `{ pod, node, devices }`.
 */
export async function runScheduler(batches, { schedulerName = 'embedded' } = {}) {
  const engine = await Engine.create();
  const store = new Map(); // key → the current object, for the next Scheduler
  const pending = new Map(); // key → Pod of ours without a node
  const bindings = [];

  for (const batch of batches) {
    for (const event of batch) {
      const o = normalize(event.object);
      if (event.type === 'delete') {
        engine.delete([o]);
        store.delete(keyOf(o));
        pending.delete(keyOf(o));
        continue;
      }
      engine.upsert([o]);
      store.set(keyOf(o), o);
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
