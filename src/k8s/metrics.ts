/**
 * `--metrics-bind-address HOST:PORT`: Prometheus metrics (through prom-client) and health
 * endpoints of a running `dralloc scheduler`, on one HTTP listener:
 *
 * - `/metrics`: kube-scheduler's names where the meaning matches —
 *   `scheduler_schedule_attempts_total{profile,result=scheduled|unschedulable|error}`,
 *   `scheduler_scheduling_attempt_duration_seconds{profile,result}` (histogram),
 *   `scheduler_pending_pods{queue=active|backoff|unschedulable}`, client-go's
 *   `leader_election_master_status{name}` — and dralloc's own: `dralloc_claims_allocated_total`,
 *   `dralloc_claim_conflicts_total`, `dralloc_rollbacks_total`, `dralloc_claim_lists_total`,
 *   `dralloc_solver_steps_total`, `dralloc_inventory_devices`, plus prom-client's process metrics;
 * - `/healthz`, `/livez`: 200 `ok` while the process serves; `/readyz`: 200 once the informers
 *   have synced and, with leader election, the lease state is known (leading or a holder seen),
 *   503 with the reason before.
 *
 * prom-client is imported here only, and only when the flag is given.
 */

import { createServer, type Server } from 'node:http';
import type { AttemptResult } from './live-scheduler.js';

/** What the metrics read from the scheduler at scrape time. */
export interface MetricsSource {
  readonly stats: { claimsAllocated: number; conflicts: number; rollbacks: number; claimLists: number };
  solverSteps(): number;
  pendingByQueue(): { active: number; backoff: number; unschedulable: number };
  leaseName(): string | undefined;
  isLeader(): boolean;
  /** Why the scheduler is not ready, or undefined when it is. */
  notReady(): string | undefined;
  inventoryDevices(): number;
}

/** Records scheduling attempts (the scheduler calls this for each). */
export type AttemptRecorder = (result: AttemptResult, seconds: number) => void;

export interface MetricsServer {
  record: AttemptRecorder;
  /** The bound address (`host:port`, with the real port when 0 was asked for). */
  address: string;
  close(): Promise<void>;
}

/** Parses `HOST:PORT` (`:PORT` means all interfaces, as kube-scheduler's flag). */
export function parseBindAddress(v: string): { host: string; port: number } | undefined {
  const m = /^(.*):(\d{1,5})$/.exec(v);
  if (!m || Number(m[2]) > 65535) return undefined;
  return { host: m[1].replace(/^\[(.*)\]$/, '$1') || '0.0.0.0', port: Number(m[2]) };
}

export async function startMetrics(bind: { host: string; port: number }, profile: string, source: () => MetricsSource | undefined): Promise<MetricsServer> {
  const prom = await import('prom-client');
  const registry = new prom.Registry();
  prom.collectDefaultMetrics({ register: registry });
  const attempts = new prom.Counter({ name: 'scheduler_schedule_attempts_total', help: 'Number of attempts to schedule pods, by the result.', labelNames: ['profile', 'result'], registers: [registry] });
  const duration = new prom.Histogram({
    name: 'scheduler_scheduling_attempt_duration_seconds',
    help: 'Scheduling attempt latency in seconds (scheduling algorithm + binding).',
    labelNames: ['profile', 'result'],
    buckets: prom.exponentialBuckets(0.001, 2, 15),
    registers: [registry],
  });
  new prom.Gauge({
    name: 'scheduler_pending_pods',
    help: 'Number of pending pods, by the queue type.',
    labelNames: ['queue'],
    registers: [registry],
    collect() {
      const q = source()?.pendingByQueue() ?? { active: 0, backoff: 0, unschedulable: 0 };
      for (const [queue, n] of Object.entries(q)) this.set({ queue }, n);
    },
  });
  new prom.Gauge({
    name: 'leader_election_master_status',
    help: 'Whether this replica leads (1) or not (0), per lease.',
    labelNames: ['name'],
    registers: [registry],
    collect() {
      const s = source();
      const name = s?.leaseName();
      if (s && name) this.set({ name }, s.isLeader() ? 1 : 0);
    },
  });
  const fromStats = (name: string, help: string, read: (s: MetricsSource) => number) =>
    new prom.Gauge({
      name,
      help,
      registers: [registry],
      collect() {
        const s = source();
        if (s) this.set(read(s));
      },
    });
  // Monotonic totals kept by the scheduler, exposed as they stand (a counter's value, set at scrape time).
  fromStats('dralloc_claims_allocated_total', 'Claims this replica allocated and wrote.', (s) => s.stats.claimsAllocated);
  fromStats('dralloc_claim_conflicts_total', 'Claim writes that failed with 409 Conflict.', (s) => s.stats.conflicts);
  fromStats('dralloc_rollbacks_total', 'Claim writes undone after a failed attempt.', (s) => s.stats.rollbacks);
  fromStats('dralloc_claim_lists_total', 'Claim lists of the concurrent-writer check (made only when the claim watch lagged).', (s) => s.stats.claimLists);
  fromStats('dralloc_solver_steps_total', 'Solver steps (upstream allocateOne invocations) of every search this replica ran.', (s) => s.solverSteps());
  fromStats('dralloc_inventory_devices', 'Devices in the engine\'s inventory.', (s) => s.inventoryDevices());

  const server: Server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    const reply = (code: number, body: string, type = 'text/plain; charset=utf-8') => {
      res.writeHead(code, { 'Content-Type': type });
      res.end(body);
    };
    if (path === '/metrics') {
      registry.metrics().then((text) => reply(200, text, registry.contentType), (e: unknown) => reply(500, `${(e as Error).message}\n`));
    } else if (path === '/healthz' || path === '/livez') {
      reply(200, 'ok');
    } else if (path === '/readyz') {
      const src = source();
      const why = src ? src.notReady() : 'starting: informers not synced';
      if (why) reply(503, `${why}\n`);
      else reply(200, 'ok');
    } else {
      reply(404, 'not found\n');
    }
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(bind.port, bind.host, () => resolve());
  });
  const port = (server.address() as { port: number }).port;
  return {
    record: (result, seconds) => {
      attempts.inc({ profile, result });
      duration.observe({ profile, result }, seconds);
    },
    address: `${bind.host}:${port}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
