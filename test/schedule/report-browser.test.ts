/**
 * The report page in a real browser: headless Chromium loads the file (no network), runs the
 * page's script and dumps the DOM. The script sets `data-ok="true"` on <html> once it has drawn
 * the grid and the first node's details, and `data-error` on any error. Skipped — with the
 * reason in the test name — when /usr/bin/chromium is absent (Debian: apt-get install -y chromium).
 */
import { describe, it, expect, afterAll } from 'vitest';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Engine } from '../../src/engine.js';
import { schedule, type Strategy } from '../../src/schedule/scheduler.js';
import { buildReport, renderHtml, type ReportModel } from '../../src/report/index.js';
import { loadPaths } from '../../src/model/load.js';
import { generateWorkload } from '../../src/gen/workloads.js';
import type { DraObject } from '../../src/model/types.js';

const CHROMIUM = '/usr/bin/chromium';
const HAVE_CHROMIUM = existsSync(CHROMIUM);
const SKIPPED = HAVE_CHROMIUM ? '' : ` (skipped: ${CHROMIUM} not installed; apt-get install -y chromium to run it)`;
if (!HAVE_CHROMIUM) console.warn(`report-browser.test.ts: skipped, ${CHROMIUM} is not installed (apt-get install -y chromium)`);

const tmp = mkdtempSync(join(tmpdir(), 'dralloc-report-browser-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** The DOM after the page's scripts ran, as headless Chromium serialises it. */
function dumpDom(file: string): string {
  const profile = mkdtempSync(join(tmp, 'profile-'));
  return execFileSync(
    CHROMIUM,
    [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      `--user-data-dir=${profile}`,
      '--dump-dom',
      `file://${file}`,
    ],
    { encoding: 'utf8', timeout: 60_000, stdio: ['ignore', 'pipe', 'ignore'], maxBuffer: 64 * 1024 * 1024 },
  );
}

async function writePage(name: string, objs: DraObject[], strategy: Strategy): Promise<{ file: string; model: ReportModel }> {
  const engine = await Engine.create({ objects: objs });
  const model = buildReport(engine, schedule(engine, objs, { strategy }), { strategy });
  const file = join(tmp, name);
  writeFileSync(file, renderHtml(model));
  return { file, model };
}

function expectRendered(dom: string, model: ReportModel): void {
  const html = dom.match(/<html[^>]*>/)?.[0];
  expect(html).toBe('<html lang="en" data-ok="true">'); // no data-error attribute either
  // The script opens the first fragmented node (else the most used one) in the detail panel.
  const first = model.nodes.find((n) => n.fragmented) ?? model.nodes.reduce((a, b) => (b.use > a.use ? b : a));
  expect(dom).toContain(`<aside id="detail" class="detail"><h2>${first.name}</h2>`);
}

describe.skipIf(!HAVE_CHROMIUM)(`report in headless Chromium${SKIPPED}`, () => {
  it('the fragmented example renders without script errors, node-b in the details', { timeout: 120_000 }, async () => {
    const objs = (await loadPaths(['examples/fragmented.yaml'])).objects.map((l) => l.object);
    const { file, model } = await writePage('fragmented.html', objs, 'upstream');
    const dom = dumpDom(file);
    expectRendered(dom, model);
    expect(dom).toContain('<h2>node-b</h2>'); // node-a is full, node-b the first partly used node
    expect(dom).toContain('data-labels="cell"'); // 3 nodes: each named under its cell
    expect(dom.match(/<svg class="chart"/g)).toHaveLength(2);
  });

  it('a mixed generated workload (whole GPUs, MIG counters, shared NICs) renders without script errors', { timeout: 120_000 }, async () => {
    const w = generateWorkload('mixed', { scale: 60, seed: 7 });
    const { file, model } = await writePage('mixed.html', [...w.classes, ...w.nodes, ...w.slices, ...w.templates, ...w.pods], 'pack');
    expect(model.summary.counterSets).toBeGreaterThan(0);
    expect(model.summary.devicesShared).toBeGreaterThan(0);
    const dom = dumpDom(file);
    expectRendered(dom, model);
    expect(dom).toContain(model.nodes.length <= 64 ? 'data-labels="cell"' : 'data-labels="row"');
  });
});
