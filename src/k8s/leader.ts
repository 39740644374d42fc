/**
 * Leader election as kube-scheduler does it (client-go's leaderelection with a
 * `coordination.k8s.io/v1` Lease), so that of several `dralloc scheduler` replicas with the same
 * name only one schedules:
 *
 * - every `retryPeriod` a follower reads the Lease; it takes it (an update carrying the Lease's
 *   resourceVersion, or a create when there is none — a 409 means another replica was faster)
 *   when nobody holds it or the holder has not renewed it for `leaseDuration`. "Not renewed" is
 *   measured on this replica's own clock from when it *observed* the Lease change (as client-go,
 *   so clock skew between machines does not matter);
 * - the leader renews every `retryPeriod`; when it cannot renew for `renewDeadline`
 *   (< `leaseDuration`, so it gives up before anyone else may take over), or it finds another
 *   holder in the Lease (stolen), it stops leading at once;
 * - `release()` (on SIGTERM) hands the Lease back (holder cleared) so a follower takes over at
 *   its next retry instead of after `leaseDuration`.
 *
 * `isLeader()` is true only between a successful acquire/renew and the deadline that renewal
 * grants; the scheduler checks it before every write.
 */

import { hostname } from 'node:os';
import { randomUUID } from 'node:crypto';
import { apiErrorText, httpStatus, type Cluster } from './connect.js';
import { toPlainJson } from './normalize.js';

export interface LeaderElectionOptions {
  /** Lease name (kube-scheduler: `--leader-elect-resource-name`, default the scheduler name). */
  name: string;
  namespace: string;
  leaseDurationMs: number;
  renewDeadlineMs: number;
  retryPeriodMs: number;
  /** This replica's identity in the Lease (default `<hostname>_<uuid>`, as kube-scheduler). */
  identity?: string;
}

/** kube-scheduler's defaults: 15 s / 10 s / 2 s. */
export const LEADER_DEFAULTS = { leaseDurationMs: 15_000, renewDeadlineMs: 10_000, retryPeriodMs: 2_000 };

interface LeaseSpec {
  holderIdentity?: string;
  leaseDurationSeconds?: number;
  acquireTime?: string;
  renewTime?: string;
  leaseTransitions?: number;
}
interface Lease {
  metadata: { name: string; namespace: string; resourceVersion?: string };
  spec?: LeaseSpec;
}

export class LeaderElector {
  readonly identity: string;
  private leaderUntil = 0;
  private observed?: { record: string; at: number };
  private lease?: Lease;
  private timer?: NodeJS.Timeout;
  private stopped = false;
  private leading = false;
  /** Set while a Lease request is in flight (release waits for it). */
  private busy?: Promise<void>;

  constructor(
    private readonly cluster: Cluster,
    private readonly opts: LeaderElectionOptions,
    private readonly events: { started: () => void; stopped: () => void; log?: (line: string) => void },
  ) {
    if (!(opts.renewDeadlineMs < opts.leaseDurationMs && opts.retryPeriodMs < opts.renewDeadlineMs)) {
      throw new Error('leader election: need retry period < renew deadline < lease duration');
    }
    this.identity = opts.identity ?? `${hostname()}_${randomUUID()}`;
  }

  /** Starts trying to acquire (and then renew) the Lease every retry period. */
  start(): void {
    this.tick();
  }

  /** True while this replica holds the Lease and its last renewal is within the renew deadline. */
  isLeader(): boolean {
    if (this.leading && Date.now() >= this.leaderUntil) this.lose('could not renew the lease within the renew deadline');
    return this.leading;
  }

  /** The lease state is known (for readiness): leading, or a holder observed. */
  known(): boolean {
    return this.leading || this.observed !== undefined;
  }

  private tick(): void {
    if (this.stopped) return;
    this.busy = this.tryAcquireOrRenew().catch((e: unknown) => this.events.log?.(`leader election: ${apiErrorText(e)}`));
    void this.busy.then(() => {
      if (this.stopped) return;
      this.isLeader(); // loses leadership once the renew deadline passed without a renewal
      this.timer = setTimeout(() => this.tick(), this.opts.retryPeriodMs);
    });
  }

  private async tryAcquireOrRenew(): Promise<void> {
    const now = Date.now();
    const { name, namespace } = this.opts;
    let lease: Lease | undefined;
    try {
      lease = toPlainJson(await this.cluster.coordination.readNamespacedLease({ name, namespace })) as Lease;
    } catch (e) {
      if (httpStatus(e) !== 404) throw e;
    }
    const spec: LeaseSpec = {
      holderIdentity: this.identity,
      leaseDurationSeconds: Math.max(1, Math.ceil(this.opts.leaseDurationMs / 1000)),
      renewTime: microTime(now),
    };
    if (!lease) {
      const body = { apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', metadata: { name, namespace }, spec: { ...spec, acquireTime: microTime(now), leaseTransitions: 0 } };
      try {
        this.lease = toPlainJson(await this.cluster.coordination.createNamespacedLease({ namespace, body: body as never })) as Lease;
      } catch (e) {
        if (httpStatus(e) === 409) return; // another replica created it first
        throw e;
      }
      return this.lead(now);
    }
    const holder = lease.spec?.holderIdentity ?? '';
    const record = JSON.stringify(lease.spec ?? {});
    if (this.observed?.record !== record) this.observed = { record, at: now };
    if (holder !== this.identity) {
      if (this.leading) this.lose(`the lease is now held by ${holder || 'nobody'}`);
      if (holder && this.observed.at + this.opts.leaseDurationMs > now) return; // held and not expired
    }
    const renewing = holder === this.identity;
    const next = {
      ...lease,
      spec: {
        ...lease.spec,
        ...spec,
        acquireTime: renewing ? lease.spec?.acquireTime : microTime(now),
        leaseTransitions: (lease.spec?.leaseTransitions ?? 0) + (renewing || !holder ? 0 : 1),
      },
    };
    try {
      this.lease = toPlainJson(await this.cluster.coordination.replaceNamespacedLease({ name, namespace, body: { apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', ...next } as never })) as Lease;
    } catch (e) {
      if (httpStatus(e) === 409) {
        if (this.leading) this.lose('the lease was changed by someone else');
        return;
      }
      throw e;
    }
    this.lead(now);
  }

  /** A successful acquire or renew at `at`: leading until `at + renewDeadline`. */
  private lead(at: number): void {
    this.observed = undefined;
    this.leaderUntil = at + this.opts.renewDeadlineMs;
    if (this.leading || this.stopped) return;
    this.leading = true;
    this.events.log?.(`leader election: ${this.identity} became the leader (lease ${this.opts.namespace}/${this.opts.name})`);
    this.events.started();
  }

  private lose(why: string): void {
    if (!this.leading) return;
    this.leading = false;
    this.leaderUntil = 0;
    this.events.log?.(`leader election: stopped leading: ${why}`);
    this.events.stopped();
  }

  /**
   * Stops electing. With `release` a held Lease is handed back (holder cleared, as client-go's
   * ReleaseOnCancel) so that a follower can take over at once; without it (as after SIGKILL)
   * the Lease simply expires.
   */
  async stop(release: boolean): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.busy;
    const wasLeading = this.leading;
    this.lose('stopping');
    if (!release || !wasLeading || !this.lease) return;
    const { name, namespace } = this.opts;
    const now = microTime(Date.now());
    const body = { ...this.lease, apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', spec: { ...this.lease.spec, holderIdentity: undefined, leaseDurationSeconds: 1, acquireTime: now, renewTime: now } };
    try {
      await this.cluster.coordination.replaceNamespacedLease({ name, namespace, body: body as never });
      this.events.log?.(`leader election: released lease ${namespace}/${name}`);
    } catch (e) {
      this.events.log?.(`leader election: releasing the lease failed (it expires on its own): ${apiErrorText(e)}`);
    }
  }
}

/** A `MicroTime` as the API server writes it: RFC 3339 with microseconds. */
function microTime(ms: number): string {
  return new Date(ms).toISOString().replace(/Z$/, '000Z');
}
