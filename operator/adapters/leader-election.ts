import { performance } from 'node:perf_hooks';
import type { Logger } from 'pino';
import {
  mayAcquire,
  observe,
  withinRenewDeadline,
  type LeaseRecord,
  type Observation,
} from '../domain/lease-observation.js';
import type { KubeClient } from './kube-client.js';
import { isConflict, isNotFound } from './kube-errors.js';
import { sleep } from './watcher.js';

export interface LeaderElectionOptions {
  client: KubeClient;
  namespace: string;
  name: string;
  identity: string;
  leaseDurationSeconds: number;
  /** A leader that has not renewed for this long stops acting; shorter than the lease duration. */
  renewDeadlineMs: number;
  retryPeriodMs: number;
  logger: Logger;
  onStartedLeading(): void;
  onStoppedLeading(): void;
}

/** A write attempted by a replica that is not (or no longer surely) the leader. */
export class NotLeaderError extends Error {
  readonly code = 'NOT_LEADER';
}

/** Lease times are MicroTime: the apiserver insists on exactly six fractional digits. */
export function microTime(date = new Date()): string {
  return date.toISOString().replace(/\.(\d{3})Z$/, '.$1000Z');
}

interface Lease {
  metadata: { resourceVersion?: string };
  spec: LeaseRecord;
}

/**
 * coordination.k8s.io Lease election with client-go's semantics: a candidate takes a lease only after the record
 * stayed unchanged for a whole lease duration *as it observed it* (clock skew between replicas does not matter);
 * a leader is a leader only while its last renewal started less than the renew deadline ago, checked at every
 * write (`assertLeading`), so a paused or partitioned leader stops before anyone else can take over; optimistic
 * concurrency on the Lease's resourceVersion means two candidates never both win.
 */
export class LeaderElector {
  private readonly abort = new AbortController();
  private leading = false;
  private lastRenewStartMs: number | undefined;
  private observed: Observation | undefined;
  private loop: Promise<void> | undefined;

  constructor(private readonly options: LeaderElectionOptions) {
    if (options.renewDeadlineMs >= options.leaseDurationSeconds * 1000)
      throw new RangeError('the renew deadline must be shorter than the lease duration');
  }

  /** True only while leading and within the renew deadline (read at the moment of asking). */
  get isLeader(): boolean {
    return this.leading && this.fresh();
  }

  /** The fence for every write the controller makes: throws NotLeaderError once leadership is not certain. */
  assertLeading(): void {
    if (!this.isLeader)
      throw new NotLeaderError(
        `${this.options.identity} is not the leader (or has not renewed its lease within the renew deadline)`,
      );
  }

  start(): void {
    this.loop = this.run();
  }

  /** Stops campaigning and, when leading, releases the lease so a standby takes over at once. */
  async stop(): Promise<void> {
    this.abort.abort();
    await this.loop;
    if (this.isLeader) await this.release().catch(() => undefined);
    this.setLeading(false);
  }

  private fresh(): boolean {
    return withinRenewDeadline(this.lastRenewStartMs, performance.now(), this.options.renewDeadlineMs);
  }

  private get path(): string {
    return `/apis/coordination.k8s.io/v1/namespaces/${this.options.namespace}/leases/${this.options.name}`;
  }

  private async run(): Promise<void> {
    while (!this.abort.signal.aborted) {
      const started = performance.now();
      const ok = await this.tryAcquireOrRenew().catch((error: unknown) => {
        this.options.logger.warn({ err: error }, 'lease update failed');
        return false;
      });
      if (ok) this.lastRenewStartMs = started;
      // A leader that missed renewals keeps leading only until its renew deadline; then it steps down.
      this.setLeading(this.fresh());
      await sleep(this.options.retryPeriodMs, this.abort.signal);
    }
  }

  private setLeading(leading: boolean): void {
    if (leading === this.leading) return;
    this.leading = leading;
    this.options.logger.info({ identity: this.options.identity, leading }, 'leadership changed');
    if (leading) this.options.onStartedLeading();
    else this.options.onStoppedLeading();
  }

  private async tryAcquireOrRenew(): Promise<boolean> {
    const { client, identity, leaseDurationSeconds } = this.options;
    const current = await client.request<Lease>({ method: 'GET', path: this.path }).catch((e: unknown) => {
      if (isNotFound(e)) return undefined;
      throw e;
    });
    const now = microTime();
    if (!current)
      return this.write(
        'POST',
        { name: this.options.name, namespace: this.options.namespace },
        {
          holderIdentity: identity,
          leaseDurationSeconds,
          acquireTime: now,
          renewTime: now,
          leaseTransitions: 0,
        },
      );
    this.observed = observe(this.observed, current.spec, performance.now());
    if (!mayAcquire(current.spec, this.observed, identity, performance.now(), leaseDurationSeconds))
      return false;
    const ours = current.spec.holderIdentity === identity;
    return this.write('PUT', current.metadata, {
      holderIdentity: identity,
      leaseDurationSeconds,
      renewTime: now,
      acquireTime: ours ? current.spec.acquireTime : now,
      leaseTransitions: (current.spec.leaseTransitions ?? 0) + (ours ? 0 : 1),
    });
  }

  /** Creates or replaces the Lease; a conflict means another candidate wrote first (not an error, not a win). */
  private async write(method: 'POST' | 'PUT', metadata: Record<string, unknown>, spec: LeaseRecord) {
    const body = { apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', metadata, spec };
    const path = method === 'PUT' ? this.path : this.path.slice(0, this.path.lastIndexOf('/'));
    return this.options.client.request<Lease>({ method, path, body }).then(
      (written) => {
        this.observed = observe(this.observed, written.spec, performance.now());
        return true;
      },
      (e: unknown) => (isConflict(e) ? false : Promise.reject(e)),
    );
  }

  /** Hands the lease over at once: an empty holder (and a 1 s duration, as client-go writes) is free to take. */
  private async release(): Promise<void> {
    const lease = await this.options.client.request<Lease>({ method: 'GET', path: this.path });
    if (lease.spec.holderIdentity !== this.options.identity) return;
    const spec = { ...lease.spec, holderIdentity: '', leaseDurationSeconds: 1, renewTime: microTime() };
    const body = { apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', metadata: lease.metadata, spec };
    await this.options.client.request({ method: 'PUT', path: this.path, body });
  }
}
