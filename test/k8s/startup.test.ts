/**
 * Start-up as an operator meets it: no kubeconfig anywhere, kubeconfig discovery as kubectl, the
 * API server down or answering 5xx when the scheduler starts (retried with one doubling backoff,
 * never a stack trace), and a proxy that buffers watch response headers (the first bind must not
 * wait for them, and stopping must not either).
 */

import { afterEach, describe, expect, it } from 'vitest';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '../../src/cli/main.js';
import { LiveScheduler } from '../../src/k8s/live-scheduler.js';
import { gpuClass, gpuNode, gpuPod, gpuTemplate, startCluster, until } from './cluster.js';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

/** Sets environment variables for one test (undefined deletes), restored afterwards. */
function withEnv(vars: Record<string, string | undefined>): void {
  const saved = Object.fromEntries(Object.keys(vars).map((k) => [k, process.env[k]]));
  for (const [k, v] of Object.entries(vars)) if (v === undefined) delete process.env[k];
  else process.env[k] = v;
  cleanups.push(() => {
    for (const [k, v] of Object.entries(saved)) if (v === undefined) delete process.env[k];
    else process.env[k] = v;
  });
}

async function cli(args: string[]) {
  const out = { stdout: '', stderr: '' };
  const code = await main(args, { stdout: (t) => void (out.stdout += t), stderr: (t) => void (out.stderr += t), readStdin: async () => '' });
  return { code, ...out };
}

async function env() {
  const e = await startCluster();
  cleanups.push(() => e.server.close());
  for (const o of gpuNode('node-0', 2)) e.server.create(o);
  e.server.create(gpuClass);
  e.server.create(gpuTemplate('one', 1));
  return e;
}

const bound = (e: Awaited<ReturnType<typeof env>>) => e.server.list('Pod').filter((p) => p.spec.nodeName).length;

describe('kubeconfig discovery', () => {
  it('nothing found: one clear error naming what was tried', { timeout: 10_000 }, async () => {
    withEnv({ KUBECONFIG: undefined, HOME: mkdtempSync(join(tmpdir(), 'home-')), KUBERNETES_SERVICE_HOST: undefined });
    expect(await cli(['snapshot', '-o', '-'])).toEqual({
      code: 2,
      stdout: '',
      stderr: 'error: no kubeconfig found (tried --kubeconfig, KUBECONFIG, ~/.kube/config, in-cluster service account)\n',
    });
    expect((await cli(['snapshot', '-o', '-', '--kubeconfig', '/nonexistent/kc'])).stderr).toBe('error: --kubeconfig /nonexistent/kc: no such file\n');
    expect((await cli(['snapshot', '-o', '-', '--in-cluster'])).stderr).toMatch(/^error: --in-cluster: no service account here/);
  });

  it('KUBECONFIG (missing entries skipped) before ~/.kube/config, as kubectl', { timeout: 10_000 }, async () => {
    const e = await env();
    const home = mkdtempSync(join(tmpdir(), 'home-'));
    mkdirSync(join(home, '.kube'));
    writeFileSync(join(home, '.kube', 'config'), e.server.kubeconfig('from-home'));
    withEnv({ KUBECONFIG: `/nonexistent/a:${e.kubeconfig}`, HOME: home });
    const viaEnv = await cli(['snapshot', '-o', '-', '--context', 'from-home']);
    expect(viaEnv.stderr).toBe('error: --context from-home: no such context in the kubeconfig (have: fake)\n');
    process.env.KUBECONFIG = '';
    const viaHome = await cli(['snapshot', '-o', '-', '--context', 'from-home']);
    expect(viaHome.code).toBe(0);
    expect(viaHome.stderr).toContain('1 Node, 1 DeviceClass, 1 ResourceSlice');
  });
});

describe('scheduler start-up', () => {
  it('API server down at start: retries until it is up, then binds', { timeout: 20_000 }, async () => {
    const e = await env();
    e.server.create(gpuPod('p', 'one', 'dralloc'));
    const down = e.server.restart({ downMs: 1_500 });
    const log: string[] = [];
    const s = await LiveScheduler.start(e.cluster, { schedulerName: 'dralloc', manageClaims: true, retryMs: 100, log: (l) => log.push(l) });
    cleanups.push(() => s.stop());
    await down;
    await until('bound', () => bound(e) === 1, 10_000);
    expect(log.filter((l) => /ECONNREFUSED.*; retrying in \d+ ms$/.test(l)).length).toBeGreaterThan(0);
    expect(log.join('\n')).not.toMatch(/\n\s+at /); // no stack trace
  });

  it('5xx on the first lists: each failure retried once per doubling delay (100, 200, 400, 800 ms)', { timeout: 20_000 }, async () => {
    const e = await env();
    e.server.create(gpuPod('p', 'one', 'dralloc'));
    e.server.failNext('GET', /\/devicetaintrules$/, 500, 2);
    e.server.failNext('GET', /\/resourceslices$/, 503, 4);
    const log: string[] = [];
    const s = await LiveScheduler.start(e.cluster, { schedulerName: 'dralloc', manageClaims: true, retryMs: 100, log: (l) => log.push(l) });
    cleanups.push(() => s.stop());
    await until('bound', () => bound(e) === 1, 10_000);
    const slices = log.filter((l) => l.startsWith('watch /apis/resource.k8s.io/v1/resourceslices: HTTP 503'));
    expect(slices.map((l) => /retrying in (\d+) ms/.exec(l)![1])).toEqual(['100', '200', '400', '800']);
    expect(log.filter((l) => l.includes('HTTP 500')).map((l) => /retrying in (\d+) ms/.exec(l)![1])).toEqual(['100', '200']);
  });

  it('watch headers held back by a proxy: the first bind and stop do not wait for them', { timeout: 20_000 }, async () => {
    const e = await env();
    e.server.watchHeaderDelayMs = 600_000; // never, within this test
    e.server.create(gpuPod('p', 'one', 'dralloc'));
    const s = await LiveScheduler.start(e.cluster, { schedulerName: 'dralloc', manageClaims: true });
    await until('bound', () => bound(e) === 1, 10_000);
    let stopped = false;
    void s.stop().then(() => (stopped = true));
    await until('stopped', () => stopped, 5_000);
  });
});
