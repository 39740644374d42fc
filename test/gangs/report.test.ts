/**
 * The report's PodGroups panel: examples/gangs/nvlink-gang.yaml (worked out in its header) is
 * rejected upstream and admitted with --gang-search; inputs without PodGroups have no panel.
 */
import { describe, it, expect } from 'vitest';
import { Engine } from '../../src/engine.js';
import { schedule } from '../../src/schedule/scheduler.js';
import { buildReport, renderHtml } from '../../src/report/index.js';
import { loadPaths } from '../../src/model/load.js';
import { DEFAULT_GANG_SEARCH } from '../../src/schedule/gang-search.js';
import { gpuClass, gpuNode, gpuPod, gpuRequest, objects, template } from '../fixtures/schedule/build.js';

async function report(gangSearch = false) {
  const objs = (await loadPaths(['examples/gangs/nvlink-gang.yaml'])).objects.map((o) => o.object);
  const engine = await Engine.create({ objects: objs });
  const result = schedule(engine, objs, { gangSearch: gangSearch ? DEFAULT_GANG_SEARCH : undefined });
  return buildReport(engine, result, { strategy: 'upstream' });
}

describe('report: PodGroups', () => {
  it('a gang not admitted: the row says why, and the page shows it', async () => {
    const m = await report();
    expect(m.podGroups).toEqual([
      { namespace: 'default', name: 'train', policy: 'gang', minCount: 2, pods: 2, placed: 0, admitted: false, reason: 'pod group default/train was not admitted: minCount (2) cannot be satisfied: 1 scheduled, 0 remaining' },
    ]);
    const html = renderHtml(m);
    expect(html).toContain('<h2>PodGroups (1)</h2>');
    expect(html).toContain('1 gangs: 0 admitted, 1 not admitted (none of their Pods holds a device)');
    expect(html).toContain('<td>default/train</td><td>gang · minCount 2</td><td>0 / 2</td><td><span class="bad-text">not admitted</span></td>');
  });

  it('with --gang-search: admitted, and the search named', async () => {
    const html = renderHtml(await report(true));
    expect(html).toContain('<td>2 / 2</td><td><span class="good-text">admitted</span> · gang search: found a placement (2 steps)</td>');
  });

  it('no PodGroups: no panel', async () => {
    const objs = objects(gpuClass(), gpuNode('n1', 1), template('gpu-1', [gpuRequest('gpu', 1)]), gpuPod('p'));
    const engine = await Engine.create({ objects: objs });
    const m = buildReport(engine, schedule(engine, objs), { strategy: 'upstream' });
    expect(m.podGroups).toBeUndefined();
    expect(renderHtml(m)).not.toContain('PodGroups');
  });
});
