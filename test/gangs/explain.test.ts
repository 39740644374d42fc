/**
 * `explain --pod-group`: how many Pods of a group fit one after the other as the upstream cycle
 * tries them (without its early stop), against minCount, and each other Pod's reason. Worked by
 * hand: n1 has 2 GPUs, n2 one; 1-GPU workers w0..w7 — three fit, five do not.
 */
import { describe, it, expect } from 'vitest';
import { Engine } from '../../src/engine.js';
import { explainGroup, renderGang } from '../../src/schedule/gang-explain.js';
import { DEFAULT_GANG_SEARCH } from '../../src/schedule/gang-search.js';
import { gpuClass, gpuNode, gpuPod, gpuRequest, objects, template } from '../fixtures/schedule/build.js';
import { gang, member } from './build.js';

const cluster = () => objects(gpuClass(), gpuNode('n1', 2), gpuNode('n2', 1), template('gpu-1', [gpuRequest('gpu', 1)]));
const workers = (n: number) => Array.from({ length: n }, (_, i) => member('train', gpuPod(`w${i}`)));

describe('explain --pod-group', () => {
  it('needs 8 Pods; 3 fit; names the 5 others with kube-scheduler\'s reason; leaves no device allocated', async () => {
    const objs = objects(cluster(), gang('train', 8), ...workers(8));
    const engine = await Engine.create({ objects: objs });
    const e = explainGroup(engine, objs, 'train', { search: DEFAULT_GANG_SEARCH });
    expect(e).toMatchObject({ group: 'default/train', policy: 'gang', needs: 8, pods: 8, bound: 0, fit: 3, admitted: false, search: { found: false, exhausted: false } });
    expect(e.misfits.map((m) => m.pod)).toEqual(['w3', 'w4', 'w5', 'w6', 'w7']);
    for (const m of e.misfits) expect(m.reason).toMatch(/^0\/2 nodes are available: 2 cannot allocate all claims\./);
    const text = renderGang(e).split('\n');
    expect(text[0]).toBe('pod group default/train needs 8 Pods (minCount); 3 of 8 fit one after the other in the upstream order: not admitted');
    expect(text[6]).toMatch(/^ {2}the gang search found no placement of 8 Pods \(\d+ steps\)$/);
    expect(engine.inspect().allocated.dedicated.size).toBe(0);
  });

  it('admitted when minCount Pods fit', async () => {
    const objs = objects(cluster(), gang('train', 3), ...workers(4));
    const e = explainGroup(await Engine.create({ objects: objs }), objs, 'default/train');
    expect([e.fit, e.admitted, e.misfits.length]).toEqual([3, true, 1]);
  });

  it('a group that is not tried: missing PodGroup, fewer Pods than minCount', async () => {
    const missing = objects(cluster(), member('ghost', gpuPod('lost')));
    expect(renderGang(explainGroup(await Engine.create({ objects: missing }), missing, 'ghost'))).toBe(
      'pod group default/ghost (missing): none of its 1 Pods is tried: waiting for pod\'s pod group "ghost" to appear in scheduling queue\n',
    );
    const small = objects(cluster(), gang('train', 5), ...workers(2));
    expect(explainGroup(await Engine.create({ objects: small }), small, 'train').waiting).toBe('waiting for minCount pods from a gang to appear in scheduling queue');
  });

  it('a group no Pod names is an input error', async () => {
    const objs = objects(cluster(), gang('train', 1));
    expect(() => explainGroup({} as Engine, objs, 'other')).toThrow('no Pod of the input belongs to pod group default/other (PodGroups: default/train)');
  });
});
