/**
 * Deterministic uids (src/schedule/uids.ts): the expected uids were computed independently with
 * Python's `uuid.uuid5(uuid.NAMESPACE_URL, '<Kind>/<namespace>/<name>')`, e.g.
 * `python3 -c "import uuid; print(uuid.uuid5(uuid.NAMESPACE_URL, 'Pod/default/solo'))"`.
 */
import { describe, it, expect, afterAll } from 'vitest';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createHash } from 'node:crypto';
import { cli } from '../run-cli.js';
import type { DraObject, Pod, ResourceClaim } from '../../src/model/types.js';
import { deterministicUid, stampUids, withUid } from '../../src/schedule/uids.js';

const UID = {
  podTrain0: '132a5300-d65c-54d6-90f9-d78d96126ca8', // Pod/default/train-0
  podSolo: '09c8b891-ec22-5f4f-bd2a-8e05eee43fcd', // Pod/default/solo
  podSoloTeamA: 'e0cebe34-16e0-5b4d-bd3f-cd95dd679c25', // Pod/team-a/solo
  podRunning: '9363cbcf-27b9-5d14-b13f-6d64da61f70c', // Pod/default/running
  claimSoloGpu: '7179f4f4-1fc5-5341-aca3-e29f400b492a', // ResourceClaim/default/solo-gpu
  claimShared: 'c7e97e04-4bec-544e-a77c-a51d3e398ad6', // ResourceClaim/default/shared
};

const pod = (name: string, namespace?: string, uid?: string): Pod =>
  ({ apiVersion: 'v1', kind: 'Pod', metadata: { name, ...(namespace ? { namespace } : {}), ...(uid ? { uid } : {}) }, spec: {} }) as Pod;

describe('deterministic uids', () => {
  it('are RFC 4122 version-5 UUIDs of Kind/namespace/name, the same every time', () => {
    expect(deterministicUid('Pod', 'default', 'train-0')).toBe(UID.podTrain0);
    expect(deterministicUid('Pod', 'default', 'train-0')).toBe(UID.podTrain0);
    expect(deterministicUid('ResourceClaim', 'default', 'shared')).toBe(UID.claimShared);
  });

  it('hash names of any length and script: non-ASCII UTF-8, and names that end just before, at and after a 64-byte block', () => {
    expect(deterministicUid('Pod', 'équipe', '日本-🚀')).toBe('707b3f52-43f6-5de5-972e-9132b65e9518'); // Python, as above
    expect(deterministicUid('ResourceClaim', 'default', 'x'.repeat(100))).toBe('6a6d3fe3-c377-5332-aee5-7572879984b9');
    // node:crypto's SHA-1 as the second, independent implementation, over every length to 300 bytes.
    const ns = Buffer.from('6ba7b8119dad11d180b400c04fd430c8', 'hex');
    for (let n = 0; n <= 300; n++) {
      const name = 'n'.repeat(n) + (n % 7 === 0 ? 'é' : '');
      const h = createHash('sha1').update(ns).update(`Pod/default/${name}`).digest();
      h[6] = (h[6] & 0x0f) | 0x50;
      h[8] = (h[8] & 0x3f) | 0x80;
      const x = h.subarray(0, 16).toString('hex');
      expect(deterministicUid('Pod', 'default', name), `${n}`).toBe(`${x.slice(0, 8)}-${x.slice(8, 12)}-${x.slice(12, 16)}-${x.slice(16, 20)}-${x.slice(20)}`);
    }
  });

  it('a Pod without uid gets the uid of its namespace (default when unset) and name; one with a uid keeps it', () => {
    expect(withUid(pod('solo')).metadata.uid).toBe(UID.podSolo);
    expect(withUid(pod('solo', 'team-a')).metadata.uid).toBe(UID.podSoloTeamA);
    const given = pod('solo', 'default', 'uid-from-the-api-server');
    expect(withUid(given)).toBe(given);
  });

  it('stampUids fills an empty reservedFor uid with the uid its Pod now carries; a non-empty one stays', () => {
    const claim = {
      apiVersion: 'resource.k8s.io/v1', kind: 'ResourceClaim', metadata: { name: 'shared', namespace: 'default' }, spec: {},
      status: { reservedFor: [{ resource: 'pods', name: 'running', uid: '' }, { resource: 'pods', name: 'other', uid: 'uid-other' }] },
    } as ResourceClaim;
    const out = stampUids([claim, pod('running')] as DraObject[]);
    const c = out[0] as ResourceClaim;
    expect(c.metadata.uid).toBe(UID.claimShared);
    expect(c.status?.reservedFor).toEqual([{ resource: 'pods', name: 'running', uid: UID.podRunning }, { resource: 'pods', name: 'other', uid: 'uid-other' }]);
    expect(out[1].metadata?.uid).toBe(UID.podRunning);
    expect(claim.metadata.uid).toBeUndefined(); // the input is not changed
  });
});

/** Node n1's slice: gpu-0 and gpu-1, each with `extra` fields. */
function slice(generation: number, extra: string): string {
  return `apiVersion: resource.k8s.io/v1
kind: ResourceSlice
metadata: {name: n1-gpus}
spec:
  driver: gpu.example.com
  nodeName: n1
  pool: {name: n1, generation: ${generation}, resourceSliceCount: 1}
  devices: [{name: gpu-0${extra}}, {name: gpu-1${extra}}]`;
}

const INPUT = `
apiVersion: resource.k8s.io/v1
kind: DeviceClass
metadata: {name: gpu}
spec:
  selectors: [{cel: {expression: device.driver == "gpu.example.com"}}]
---
apiVersion: v1
kind: Node
metadata: {name: n1}
---
${slice(1, '')}
---
apiVersion: resource.k8s.io/v1
kind: ResourceClaimTemplate
metadata: {name: one-gpu, namespace: default}
spec:
  spec:
    devices:
      requests: [{name: gpu, exactly: {deviceClassName: gpu, count: 1}}]
---
apiVersion: resource.k8s.io/v1
kind: ResourceClaim
metadata: {name: shared, namespace: default}
spec:
  devices:
    requests: [{name: gpu, exactly: {deviceClassName: gpu, count: 1}}]
---
apiVersion: v1
kind: Pod
metadata: {name: solo}
spec:
  containers: [{name: main, image: busybox}]
  resourceClaims: [{name: gpu, resourceClaimTemplateName: one-gpu}]
---
apiVersion: v1
kind: Pod
metadata: {name: keeper, namespace: default, uid: uid-keeper}
spec:
  containers: [{name: main, image: busybox}]
  resourceClaims: [{name: gpu, resourceClaimName: shared}]
`;

/** The same slice after both devices were tainted NoExecute (at 00:00, judged at 00:01). */
const TAINTED = slice(2, ', taints: [{key: gpu.example.com/ecc, value: fatal, effect: NoExecute, timeAdded: "2026-01-01T00:00:00Z"}]');

const tmp = mkdtempSync(join(tmpdir(), 'dralloc-uids-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('dralloc schedule stamps uids (CLI)', () => {
  const input = join(tmp, 'input.yaml');
  writeFileSync(input, INPUT);

  it('Pods and claims without uid get deterministic ones; reservedFor and ownerReferences name the Pod uid; given uids stay', { timeout: 60_000 }, async () => {
    const first = await cli('schedule', '-f', input, '-o', 'json', '--quiet');
    expect(first.stderr).toBe('');
    expect(first.code).toBe(0);
    const items = (JSON.parse(first.stdout) as { items: (Pod | ResourceClaim)[] }).items;
    const byName = Object.fromEntries(items.map((i) => [`${i.kind}/${i.metadata.name}`, i]));
    expect(byName['Pod/solo'].metadata.uid).toBe(UID.podSolo);
    expect(byName['Pod/keeper'].metadata.uid).toBe('uid-keeper');
    const soloGpu = byName['ResourceClaim/solo-gpu'] as ResourceClaim;
    expect(soloGpu.metadata.uid).toBe(UID.claimSoloGpu);
    expect((soloGpu.metadata.ownerReferences as { uid: string }[] | undefined)?.[0].uid).toBe(UID.podSolo);
    expect(soloGpu.status?.reservedFor).toEqual([{ resource: 'pods', name: 'solo', uid: UID.podSolo }]);
    const shared = byName['ResourceClaim/shared'] as ResourceClaim;
    expect(shared.metadata.uid).toBe(UID.claimShared);
    expect(shared.status?.reservedFor).toEqual([{ resource: 'pods', name: 'keeper', uid: 'uid-keeper' }]);

    const second = await cli('schedule', '-f', input, '-o', 'json', '--quiet');
    expect(second.stdout).toBe(first.stdout); // same input, same uids
  });

  it('evictions on the schedule output finds both Pods on NoExecute-tainted devices, by uid', { timeout: 60_000 }, async () => {
    const scheduled = join(tmp, 'scheduled.json');
    writeFileSync(scheduled, (await cli('schedule', '-f', input, '-o', 'json', '--quiet')).stdout);
    const tainted = join(tmp, 'tainted.yaml');
    writeFileSync(tainted, TAINTED);
    // The output List holds no slice: the tainted slice is the only one evictions sees.
    const r = await cli('evictions', '-f', scheduled, '-f', tainted, '--now', '2026-01-01T00:01:00Z', '-o', 'json');
    expect(r.stderr).toBe('dry run: 2 Pod(s) due for eviction; --apply deletes them\n');
    expect(r.code).toBe(1); // some Pods are due
    const plan = (JSON.parse(r.stdout) as { evictions: { pod: { name: string; uid?: string }; device: string; due: boolean }[] }).evictions;
    expect(plan.map((e) => [e.pod.name, e.pod.uid, e.due]).sort()).toEqual([
      ['keeper', 'uid-keeper', true],
      ['solo', UID.podSolo, true],
    ]);
  });
});
