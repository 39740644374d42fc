/**
 * The installed package's live commands (see installed.ts), on the Node running the tests:
 * `dralloc snapshot` against the fake API server, and `dralloc scheduler` binding a Pod and
 * exiting at once on SIGTERM even while a proxy holds back the watches' response headers.
 * Packing builds the package and installing fetches its dependencies from the npm registry
 * (a minute or more), so this runs only with DRALLOC_FULL=1 or DRALLOC_INSTALLED=1.
 */

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { gpuClass, gpuNode, gpuPod, gpuTemplate, startCluster, until } from './cluster.js';
import { installPackage, start } from './installed.js';

const enabled = !!(process.env.DRALLOC_FULL || process.env.DRALLOC_INSTALLED);

describe.runIf(enabled)(`the installed package on Node ${process.version}`, () => {
  let bin = '';
  let env: Awaited<ReturnType<typeof startCluster>>;
  beforeAll(async () => {
    bin = await installPackage();
    env = await startCluster();
    for (const o of gpuNode('node-0', 2)) env.server.create(o);
    env.server.create(gpuClass);
    env.server.create(gpuTemplate('one', 1));
  }, 600_000);
  afterAll(() => env?.server.close());

  it('dralloc snapshot lists the cluster', { timeout: 60_000 }, async () => {
    const { done } = start(bin, ['snapshot', '-o', '-', '--kubeconfig', env.kubeconfig]);
    const out = await done;
    expect(out.stderr).toMatch(/^snapshot of http:\/\/127\.0\.0\.1:\d+: 1 Node, 1 DeviceClass, 1 ResourceSlice, 1 ResourceClaimTemplate\n$/);
    expect(out.code).toBe(0);
    expect(JSON.parse(out.stdout).items.map((o: { kind: string }) => o.kind)).toEqual(['Node', 'DeviceClass', 'ResourceSlice', 'ResourceClaimTemplate']);
  });

  it('dralloc scheduler binds a Pod, then exits 0 on SIGTERM with its watches still waiting for headers', { timeout: 60_000 }, async () => {
    env.server.create(gpuPod('p', 'one', 'dralloc'));
    env.server.watchHeaderDelayMs = 600_000;
    const s = start(bin, ['scheduler', '--scheduler-name', 'dralloc', '--manage-claims', '--leader-elect=false', '--kubeconfig', env.kubeconfig]);
    await until('bound', () => !!env.server.get('Pod', 'p', 'default')?.spec.nodeName, 30_000);
    await until('running', () => s.stderr().includes('running against'), 10_000);
    s.child.kill('SIGTERM');
    let finished = false;
    void s.done.then(() => (finished = true));
    await until('exited', () => finished, 10_000);
    const out = await s.done;
    expect(out.stderr).toContain('stopping');
    expect(out.code).toBe(0);
  });
});
