/**
 * The report's two plots as inline SVG (drawn on the server, so they read with scripts off):
 * the utilisation curve (devices in use after each Pod) and the fragmentation histogram
 * (nodes by how many of their devices are free). Pure functions of the ReportModel.
 */

import type { Curve } from './holders.js';
import type { NodeReport } from './model.js';
import { DEVICE_STATE } from './model.js';

const W = 560;
const H = 210;
const M = { left: 44, right: 14, top: 14, bottom: 36 };
const PW = W - M.left - M.right;
const PH = H - M.top - M.bottom;
/** Above this many devices per node, the histogram bins by the free fraction (10 bins). */
const MAX_EXACT_BINS = 32;

function svg(label: string, body: string): string {
  return `<svg class="chart" viewBox="0 0 ${W} ${H}" role="img" aria-label="${label}">${body}</svg>`;
}

function text(x: number, y: number, s: string, anchor = 'middle', cls = 'axis'): string {
  return `<text x="${x.toFixed(1)}" y="${y.toFixed(1)}" text-anchor="${anchor}" class="${cls}">${s}</text>`;
}

/** Devices in use (% of all devices) after each Pod; a dashed line where the first Pod failed. */
export function utilisationChart(c: Curve): string {
  if (c.devices === 0 || c.points.length < 2) return '<p class="muted">No devices or no Pods.</p>';
  const last = c.points[c.points.length - 1][0];
  const x = (pods: number) => M.left + (pods / last) * PW;
  const y = (used: number) => M.top + PH - (used / c.devices) * PH;
  let body = '';
  for (const f of [0, 0.25, 0.5, 0.75, 1]) {
    const yy = M.top + PH - f * PH;
    body += `<line x1="${M.left}" x2="${M.left + PW}" y1="${yy}" y2="${yy}" class="gridline"/>` + text(M.left - 6, yy + 4, `${f * 100}%`, 'end');
  }
  for (const p of [0, Math.round(last / 2), last]) body += text(x(p), M.top + PH + 16, p.toLocaleString('en-US'));
  body += text(M.left + PW / 2, H - 4, 'Pods scheduled (in scheduling order)');
  const line = c.points.map(([p, u]) => `${x(p).toFixed(1)},${y(u).toFixed(1)}`).join(' ');
  body += `<polygon points="${x(0).toFixed(1)},${y(0)} ${line} ${x(last).toFixed(1)},${y(0)}" class="area"/>`;
  body += `<polyline points="${line}" class="curve"/>`;
  if (c.firstUnschedulable !== undefined) {
    const fx = x(c.firstUnschedulable);
    body += `<line x1="${fx.toFixed(1)}" x2="${fx.toFixed(1)}" y1="${M.top}" y2="${M.top + PH}" class="fail"/>`;
    body += text(Math.min(fx + 4, M.left + PW - 2), M.top + 12, `first unschedulable Pod: #${c.firstUnschedulable.toLocaleString('en-US')}`, fx > M.left + PW * 0.6 ? 'end' : 'start', 'fail-label');
  }
  const end = c.points[c.points.length - 1][1];
  return svg(`devices in use after each Pod, ending at ${Math.round((end / c.devices) * 100)}%`, body);
}

interface Bin {
  label: string;
  nodes: number;
  /** empty: every device free; full: none free; partly: fragmented. */
  kind: 'empty' | 'partly' | 'full';
}

/** Nodes with node-local devices, by how many of them are free (by free fraction when nodes have many devices). */
export function fragmentationBins(nodes: readonly NodeReport[]): Bin[] {
  const withDevices = nodes.filter((n) => n.states.length > 0);
  if (withDevices.length === 0) return [];
  const free = (n: NodeReport) => n.states.split(DEVICE_STATE.free).length - 1;
  const max = Math.max(...withDevices.map((n) => n.states.length));
  if (max <= MAX_EXACT_BINS) {
    const bins: Bin[] = Array.from({ length: max + 1 }, (_, k) => ({ label: String(k), nodes: 0, kind: k === 0 ? 'full' : 'partly' }));
    for (const n of withDevices) {
      const f = free(n);
      bins[f].nodes++;
      if (f === n.states.length) bins[f].kind = 'empty';
    }
    return bins;
  }
  const bins: Bin[] = Array.from({ length: 11 }, (_, k) => ({ label: `${k * 10}%`, nodes: 0, kind: k === 0 ? 'full' : k === 10 ? 'empty' : 'partly' }));
  for (const n of withDevices) bins[Math.round((free(n) / n.states.length) * 10)].nodes++;
  return bins;
}

const BIN_CLASS = { empty: 'bin-empty', partly: 'bin-partly', full: 'bin-full' };

export function fragmentationChart(nodes: readonly NodeReport[]): string {
  const bins = fragmentationBins(nodes);
  if (bins.length === 0) return '<p class="muted">No node has devices.</p>';
  const top = Math.max(1, ...bins.map((b) => b.nodes));
  const bw = PW / bins.length;
  let body = `<line x1="${M.left}" x2="${M.left + PW}" y1="${M.top + PH}" y2="${M.top + PH}" class="gridline"/>`;
  bins.forEach((b, i) => {
    const h = (b.nodes / top) * PH;
    const x = M.left + i * bw;
    body += `<rect x="${(x + bw * 0.12).toFixed(1)}" y="${(M.top + PH - h).toFixed(1)}" width="${(bw * 0.76).toFixed(1)}" height="${h.toFixed(1)}" class="${BIN_CLASS[b.kind]}"><title>${b.nodes} nodes with ${b.label} free</title></rect>`;
    if (b.nodes > 0) body += text(x + bw / 2, M.top + PH - h - 3, b.nodes.toLocaleString('en-US'), 'middle', 'count-label');
    if (bins.length <= 17 || i % 2 === 0) body += text(x + bw / 2, M.top + PH + 14, b.label);
  });
  const exact = !bins[bins.length - 1].label.endsWith('%');
  body += text(M.left + PW / 2, H - 4, exact ? 'free devices on the node' : 'share of the node’s devices that is free');
  return svg('nodes by free devices', body);
}
