/**
 * The live scheduler's PodGroup → members index (src/k8s/group-members.ts): Pods added, deleted,
 * moved to another group or namespace, and Pods of other schedulers. Expected members are
 * worked out by hand for the small cases, and by a full scan of the Pods (what the index
 * replaces) after every step of a seeded random sequence of changes.
 */

import { describe, expect, it } from 'vitest';
import { GroupMembers } from '../../src/k8s/group-members.js';
import { Random } from '../../src/gen/random.js';
import type { Pod } from '../../src/model/types.js';

function pod(name: string, group: string | undefined, opts: { namespace?: string; scheduler?: string } = {}): Pod {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace: opts.namespace ?? 'default' },
    spec: { schedulerName: opts.scheduler ?? 'dralloc', ...(group ? { schedulingGroup: { podGroupName: group } } : {}) },
  } as Pod;
}

describe('PodGroup member index', () => {
  it('tracks members added, deleted, and moved to another group, in the order they joined', { timeout: 5_000 }, () => {
    const index = new GroupMembers('dralloc');
    index.update(pod('a', 'train'));
    index.update(pod('b', 'train'));
    index.update(pod('c', 'eval'));
    index.update(pod('d', 'train', { namespace: 'team' })); // same group name, another namespace
    index.update(pod('e', 'train', { scheduler: 'default-scheduler' })); // not ours
    index.update(pod('f', undefined)); // in no group
    expect(index.of('default', 'train')).toEqual(['default/a', 'default/b']);
    expect(index.of('default', 'eval')).toEqual(['default/c']);
    expect(index.of('team', 'train')).toEqual(['team/d']);
    expect(index.groups()).toBe(3);

    index.update(pod('a', 'train')); // an update that changes nothing keeps its place
    index.update(pod('c', 'train')); // moved: eval is empty and dropped
    expect(index.of('default', 'train')).toEqual(['default/a', 'default/b', 'default/c']);
    expect(index.of('default', 'eval')).toEqual([]);
    expect(index.groups()).toBe(2);

    index.update(pod('a', 'train'), true); // deleted
    index.update(pod('b', undefined)); // left its group
    index.update(pod('f', 'train')); // joined
    index.update(pod('e', 'train')); // now ours
    expect(index.of('default', 'train')).toEqual(['default/c', 'default/f', 'default/e']);
    index.update(pod('a', 'train')); // created again: it joins last
    expect(index.of('default', 'train')).toEqual(['default/c', 'default/f', 'default/e', 'default/a']);
  });

  it('agrees with a full scan after every step of 2,000 random changes', { timeout: 10_000 }, () => {
    const rng = new Random(15);
    const index = new GroupMembers('dralloc');
    // The "cluster": the Pods that exist, in the order they were created (a Map keeps it).
    const pods = new Map<string, Pod>();
    const groups = ['g0', 'g1', 'g2', undefined];
    const namespaces = [undefined, 'team'];
    const schedulers = ['dralloc', 'dralloc', 'other'];
    for (let step = 0; step < 2_000; step++) {
      const name = `p${rng.int(30)}`;
      const namespace = namespaces[rng.int(2)];
      const key = `${namespace ?? 'default'}/${name}`;
      if (pods.has(key) && rng.int(4) === 0) {
        index.update(pods.get(key)!, true);
        pods.delete(key);
      } else {
        const p = pod(name, groups[rng.int(groups.length)], { namespace, scheduler: schedulers[rng.int(3)] });
        pods.set(key, p); // an update keeps the Pod's place in creation order
        index.update(p);
      }
      for (const ns of ['default', 'team']) {
        for (const g of groups.slice(0, 3)) {
          // The scan the index replaces: our Pods naming the group, in its namespace. Creation
          // order and the index's join order differ only for Pods that moved between groups, so
          // membership is compared as a set here; the order is checked by hand above.
          const scan = [...pods.entries()].filter(([k, p]) => k.startsWith(`${ns}/`) && p.spec.schedulingGroup?.podGroupName === g && p.spec.schedulerName === 'dralloc').map(([k]) => k);
          expect([...index.of(ns, g!)].sort()).toEqual(scan.sort());
        }
      }
    }
    expect(pods.size).toBeGreaterThan(10); // the sequence did build a population
  });
});
