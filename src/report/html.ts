/**
 * Renders a ReportModel as one self-contained HTML page: inline CSS, the model as inline JSON,
 * the inline script of client.ts; no network access, no external fonts. The static parts
 * (summary cards, utilisation bars, fragmentation, unschedulable Pods) are plain HTML, so the
 * page reads even with scripts off; the node grid and the node details are drawn by the script.
 */

import type { Fill, ReportModel } from './model.js';
import { CLIENT_SCRIPT } from './client.js';
import { fragmentationChart, utilisationChart } from './charts.js';

/** Pods listed per unschedulable message before "… N more". */
const PODS_PER_MESSAGE = 100;

export function renderHtml(m: ReportModel): string {
  const s = m.summary;
  const inUse = s.devicesAllocated + s.devicesShared;
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(m.title)}</title>
<style>${CSS}</style>
</head>
<body>
<header>
  <h1>${esc(m.title)}</h1>
  <p class="muted">strategy <b>${esc(m.strategy)}</b> · ${num(s.nodes)} nodes · ${num(s.devices)} node-local devices${s.sharedPoolDevices ? ` · ${num(s.sharedPoolDevices)} devices in pools shared by several nodes (not in the grid)` : ''}</p>
</header>
<section class="cards">
  ${card('Pods placed', `${num(s.scheduled)} / ${num(s.pods)}`, ratio(s.scheduled, s.pods), s.unschedulable ? 'warn' : 'good')}
  ${card('Unschedulable', num(s.unschedulable), s.unschedulable ? 'see below' : 'every Pod fits', s.unschedulable ? 'bad' : 'good')}
  ${card('Devices in use', `${num(inUse)} / ${num(s.devices)}`, `${ratio(inUse, s.devices)}${s.devicesShared ? ` · ${num(s.devicesShared)} shared` : ''}`)}
  ${card('Fragmented nodes', num(s.nodesPartlyUsed), 'partly used: some devices, counters or capacity left')}
  ${card('Blocked devices', num(s.devicesBlocked), 'free, but their counters are used up')}
  ${card('Strategy', esc(m.strategy), m.strategy === 'pack' ? 'best fit: fullest nodes first' : "kube-scheduler's node order")}
</section>
<section class="panel grid-panel">
  <div class="grid-main">
    <div class="toolbar">
      <h2>Nodes</h2>
      <label>order <select id="order"><option value="input">input</option><option value="use">most used first</option><option value="frag">fragmented first</option></select></label>
      <label><input type="checkbox" id="only-frag"> highlight fragmented</label>
      <span class="legend">${legend()}</span>
    </div>
    <p class="muted small">One cell per node, named under it (with many nodes, each row is named by its first node); with up to 16 devices per node each device is a square, otherwise the cell's colour is how used the node is (${heatLegend()}). Hover for a summary, click for details.</p>
    <div class="canvas-wrap"><canvas id="grid" role="img" aria-label="node utilisation grid"></canvas></div>
  </div>
  <aside id="detail" class="detail"><p class="muted">Click a node.</p></aside>
</section>
<section class="columns">
  <div class="panel">
    <h2>Utilisation over the run</h2>
    <p class="muted small">Devices in use (of all ${num(m.curve.devices)}) after each Pod, in scheduling order; it starts at what was allocated before the run.</p>
    ${utilisationChart(m.curve)}
  </div>
  <div class="panel">
    <h2>Free devices per node</h2>
    <p class="muted small">Nodes by how many of their devices are free: <span class="key bin-full"></span> none (full), <span class="key bin-partly"></span> some (fragmented), <span class="key bin-empty"></span> all (empty).</p>
    ${fragmentationChart(m.nodes)}
  </div>
</section>
<section class="columns">
  <div class="panel">
    <h2>Utilisation per DeviceClass</h2>
    ${m.classes.length ? m.classes.map((c) => bar({ label: c.name, used: c.devices ? c.used / c.devices : 0, text: `${num(c.used)} / ${num(c.devices)} devices` })).join('') : '<p class="muted">No DeviceClasses.</p>'}
    ${m.counters.length ? `<h3>Shared counters (all counter sets)</h3>${m.counters.map(bar).join('')}` : ''}
    ${m.capacities.length ? `<h3>Consumable capacity (shareable devices)</h3>${m.capacities.map(bar).join('')}` : ''}
  </div>
  <div class="panel">
    <h2>Fragmentation</h2>
    ${stack([
      ['empty', s.nodesEmpty, '#dfe6ee'],
      ['partly used', s.nodesPartlyUsed, '#f0962e'],
      ['full', s.nodesFull, '#3567d6'],
    ])}
    <ul class="facts">
      <li><b>${num(s.nodesPartlyUsed)}</b> nodes are partly used: some but not all devices free, or a counter set or shared device partly consumed</li>
      ${s.counterSets ? `<li><b>${num(s.counterSetsPartlyUsed)}</b> of ${num(s.counterSets)} counter sets are partly consumed</li>` : ''}
      ${s.counterSets ? `<li><b>${num(s.devicesBlocked)}</b> free devices cannot be allocated: the counters they need are used by others</li>` : ''}
      <li><b>${num(s.devicesShared)}</b> devices are shared by several allocations</li>
    </ul>
  </div>
</section>
<section class="panel">
  <h2>Unschedulable Pods${s.unschedulable ? ` (${num(s.unschedulable)})` : ''}</h2>
  ${m.unschedulable.length ? m.unschedulable.map(group).join('') : '<p class="good-text">Every Pod was placed.</p>'}
</section>
<footer class="muted small">Generated by dralloc · self-contained page, no network access</footer>
<div id="tip" class="tip"></div>
<script type="application/json" id="report-data">${json(m)}</script>
<script>${CLIENT_SCRIPT}</script>
</body>
</html>
`;
}

/** HTML-escapes text for element content and attribute values. */
export function esc(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** JSON that is safe inside a <script> element (no `</script>`, no `<!--`). */
function json(m: ReportModel): string {
  return JSON.stringify(m).replace(/</g, '\\u003c');
}

function num(n: number): string {
  return n.toLocaleString('en-US');
}

function ratio(a: number, b: number): string {
  return b ? `${Math.round((a / b) * 100)}%` : '–';
}

function card(title: string, value: string, note: string, tone = ''): string {
  return `<div class="card ${tone}"><div class="card-title">${esc(title)}</div><div class="card-value">${value}</div><div class="card-note">${esc(note)}</div></div>`;
}

function bar(f: Fill): string {
  const width = (Math.max(0, Math.min(1, f.used)) * 100).toFixed(1);
  return `<div class="bar"><div class="bar-label"><span>${esc(f.label)}</span><span>${esc(f.text)} · ${Math.round(f.used * 100)}%</span></div><div class="track"><div class="fill" style="width:${width}%"></div></div></div>`;
}

function stack(parts: [label: string, n: number, color: string][]): string {
  const total = parts.reduce((a, [, n]) => a + n, 0);
  if (total === 0) return '<p class="muted">No node has devices.</p>';
  const segs = parts.filter(([, n]) => n > 0).map(([label, n, color]) => `<div style="width:${((n / total) * 100).toFixed(2)}%;background:${color}" title="${esc(`${label}: ${n}`)}"></div>`);
  const keys = parts.map(([label, n, color]) => `<span><i style="background:${color}"></i>${esc(label)} ${num(n)}</span>`);
  return `<div class="stack">${segs.join('')}</div><div class="stack-keys">${keys.join('')}</div>`;
}

function legend(): string {
  const items: [string, string][] = [
    ['#dfe6ee', 'free'],
    ['#3567d6', 'allocated'],
    ['#f0962e', 'shared'],
    ['#98a1b0', 'blocked'],
  ];
  return items.map(([c, l]) => `<span><i style="background:${c}"></i>${l}</span>`).join('');
}

function heatLegend(): string {
  return `<span class="heat"></span> 0 → 100%`;
}

function group(g: { message: string; pods: string[] }): string {
  const shown = g.pods.slice(0, PODS_PER_MESSAGE).map(esc).join(', ');
  const more = g.pods.length > PODS_PER_MESSAGE ? ` … and ${num(g.pods.length - PODS_PER_MESSAGE)} more` : '';
  return `<details class="unsched"${g.pods.length <= 3 ? ' open' : ''}><summary><span class="count">${num(g.pods.length)} Pod${g.pods.length === 1 ? '' : 's'}</span> ${esc(g.message)}</summary><p class="pod-list">${shown}${more}</p></details>`;
}

const CSS = `
:root { --bg:#f5f6f8; --panel:#fff; --ink:#1f2937; --muted:#6b7280; --line:#e5e7eb; --blue:#3567d6; --amber:#f0962e; --red:#d64545; --green:#2f9e61; }
* { box-sizing: border-box; }
body { margin: 0; padding: 24px 28px 40px; background: var(--bg); color: var(--ink); font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif; }
h1 { font-size: 22px; margin: 0 0 4px; letter-spacing: -0.01em; }
h2 { font-size: 16px; margin: 0 0 10px; }
h3 { font-size: 13px; margin: 16px 0 8px; color: var(--muted); text-transform: uppercase; letter-spacing: .04em; }
.muted { color: var(--muted); } .small { font-size: 12px; }
header { margin-bottom: 18px; }
.cards { display: grid; grid-template-columns: repeat(auto-fit, minmax(185px, 1fr)); gap: 12px; margin-bottom: 16px; }
.card { background: var(--panel); border-radius: 10px; padding: 14px 16px; box-shadow: 0 1px 2px rgba(0,0,0,.06); border-top: 3px solid var(--line); }
.card.good { border-top-color: var(--green); } .card.warn { border-top-color: var(--amber); } .card.bad { border-top-color: var(--red); }
.card-title { font-size: 12px; color: var(--muted); text-transform: uppercase; letter-spacing: .04em; }
.card-value { font-size: 20px; font-weight: 650; margin: 4px 0 2px; font-variant-numeric: tabular-nums; white-space: nowrap; }
.card-note { font-size: 12px; color: var(--muted); }
.panel { background: var(--panel); border-radius: 10px; padding: 16px 18px; box-shadow: 0 1px 2px rgba(0,0,0,.06); margin-bottom: 16px; }
.grid-panel { display: grid; grid-template-columns: minmax(0, 1fr) 320px; gap: 20px; }
.toolbar { display: flex; flex-wrap: wrap; align-items: center; gap: 14px; }
.toolbar h2 { margin: 0 6px 0 0; }
.toolbar label { font-size: 13px; color: var(--muted); }
.legend span, .stack-keys span { display: inline-flex; align-items: center; gap: 5px; margin-right: 12px; font-size: 12px; color: var(--muted); }
.legend i, .stack-keys i { width: 11px; height: 11px; border-radius: 2px; display: inline-block; }
.heat { display: inline-block; width: 70px; height: 9px; border-radius: 2px; vertical-align: middle; background: linear-gradient(90deg, rgb(223,230,238), rgb(143,181,240), rgb(53,103,214), rgb(28,45,120)); }
.canvas-wrap { overflow: auto; max-height: 70vh; }
canvas { display: block; cursor: pointer; }
.detail { border-left: 1px solid var(--line); padding-left: 18px; min-width: 0; }
.detail h2 { word-break: break-all; }
.chips { display: flex; flex-wrap: wrap; gap: 4px; }
.chip { font-size: 11px; padding: 3px 6px; border-radius: 4px; color: #fff; min-width: 16px; min-height: 20px; text-shadow: 0 0 2px rgba(0,0,0,.3); }
.chips.small .chip { min-width: 12px; min-height: 12px; padding: 0; }
.chip[style*="#dfe6ee"] { color: var(--ink); text-shadow: none; }
.tag { background: #fdf0e1; color: #a85d0c; border-radius: 4px; padding: 0 5px; font-size: 12px; }
.pods { margin: 0; padding-left: 18px; font-size: 12px; max-height: 220px; overflow: auto; }
.columns { display: grid; grid-template-columns: 1fr 1fr; gap: 16px; }
.columns .panel { margin-bottom: 16px; }
.bar { margin: 8px 0; }
.bar-label { display: flex; justify-content: space-between; gap: 12px; font-size: 13px; }
.bar-label span:last-child { color: var(--muted); font-variant-numeric: tabular-nums; white-space: nowrap; }
.track { height: 8px; background: #eceff3; border-radius: 4px; overflow: hidden; margin-top: 3px; }
.fill { height: 100%; background: linear-gradient(90deg, #5b8def, var(--blue)); border-radius: 4px; }
.stack { display: flex; height: 16px; border-radius: 5px; overflow: hidden; background: #eceff3; margin: 6px 0 8px; }
.facts { margin: 12px 0 0; padding-left: 18px; } .facts li { margin: 3px 0; }
details.unsched { border-top: 1px solid var(--line); padding: 8px 0; }
details.unsched summary { cursor: pointer; }
.count { display: inline-block; background: #fde8e8; color: #a12d2d; border-radius: 4px; padding: 0 6px; font-size: 12px; font-weight: 600; margin-right: 6px; }
.pod-list { font-size: 12px; color: var(--muted); margin: 6px 0 0 4px; }
.good-text { color: var(--green); }
.tip { position: absolute; display: none; pointer-events: none; background: #111827; color: #fff; font-size: 12px; padding: 7px 9px; border-radius: 6px; box-shadow: 0 4px 12px rgba(0,0,0,.2); max-width: 280px; }
.tip .tag { background: #a85d0c; color: #fff; }
footer { margin-top: 8px; }
.chart { width: 100%; height: auto; display: block; }
.chart .axis { font-size: 11px; fill: var(--muted); }
.chart .gridline { stroke: var(--line); stroke-width: 1; }
.chart .curve { fill: none; stroke: var(--blue); stroke-width: 2; stroke-linejoin: round; }
.chart .area { fill: rgba(53,103,214,.12); stroke: none; }
.chart .fail { stroke: var(--red); stroke-width: 1.5; stroke-dasharray: 4 3; }
.chart .fail-label { font-size: 11px; fill: var(--red); }
.chart .count-label { font-size: 11px; fill: var(--ink); }
.bin-full { fill: var(--blue); background: var(--blue); } .bin-partly { fill: var(--amber); background: var(--amber); } .bin-empty { fill: #c9d3df; background: #c9d3df; }
.key { display: inline-block; width: 10px; height: 10px; border-radius: 2px; vertical-align: middle; }
@media (max-width: 900px) { .grid-panel, .columns { grid-template-columns: 1fr; } .detail { border-left: 0; padding-left: 0; } }
`;
