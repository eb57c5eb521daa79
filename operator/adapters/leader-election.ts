import type { Logger } from 'pino';
import type { KubeClient } from './kube-client.js';
import { isConflict, isNotFound } from './kube-errors.js';
import { sleep } from './watcher.js';

export interface LeaderElectionOptions {
  client: KubeClient;
  namespace: string;
  name: string;
  identity: string;
  leaseDurationSeconds: number;
  retryPeriodMs: number;
  logger: Logger;
  onStartedLeading(): void;
  onStoppedLeading(): void;
}

/** Lease times are MicroTime: the apiserver insists on exactly six fractional digits. */
export function microTime(date = new Date()): string {
  return date.toISOString().replace(/\.(\d{3})Z$/, '.$1000Z');
}

interface Lease {
  metadata: { resourceVersion?: string };
  spec: {
    holderIdentity?: string;
    leaseDurationSeconds?: number;
    renewTime?: string;
    acquireTime?: string;
    leaseTransitions?: number;
  };
}

/**
 * coordination.k8s.io Lease election (client-go's algorithm, simplified): acquire when the lease is free or
 * expired, renew every retry period, optimistic concurrency via resourceVersion so two candidates never both win.
 */
export class LeaderElector {
  private readonly abort = new AbortController();
  private leading = false;
  private loop: Promise<void> | undefined;

  constructor(private readonly options: LeaderElectionOptions) {}

  get isLeader(): boolean {
    return this.leading;
  }

  start(): void {
    this.loop = this.run();
  }

  /** Stops campaigning and, when leading, releases the lease so a standby takes over at once. */
  async stop(): Promise<void> {
    this.abort.abort();
    await this.loop;
    if (this.leading) await this.release().catch(() => undefined);
    this.setLeading(false);
  }

  private get path(): string {
    return `/apis/coordination.k8s.io/v1/namespaces/${this.options.namespace}/leases/${this.options.name}`;
  }

  private async run(): Promise<void> {
    let lastRenew = 0;
    while (!this.abort.signal.aborted) {
      const ok = await this.tryAcquireOrRenew().catch((error: unknown) => {
        this.options.logger.warn({ err: error }, 'lease update failed');
        return false;
      });
      if (ok) lastRenew = Date.now();
      // Step down when we could not renew within the lease duration: another candidate may now hold it.
      const expired = Date.now() - lastRenew > this.options.leaseDurationSeconds * 1000;
      this.setLeading(ok || (this.leading && !expired));
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
    const now = microTime();
    const current = await client.request<Lease>({ method: 'GET', path: this.path }).catch((e: unknown) => {
      if (isNotFound(e)) return undefined;
      throw e;
    });
    if (!current) return this.create(now);
    const { holderIdentity, renewTime, leaseDurationSeconds: held = leaseDurationSeconds } = current.spec;
    const expired = !renewTime || Date.parse(renewTime) + held * 1000 < Date.now();
    if (holderIdentity && holderIdentity !== identity && !expired) return false;
    const transitions = (current.spec.leaseTransitions ?? 0) + (holderIdentity === identity ? 0 : 1);
    const spec = {
      holderIdentity: identity,
      leaseDurationSeconds,
      renewTime: now,
      acquireTime: holderIdentity === identity ? current.spec.acquireTime : now,
      leaseTransitions: transitions,
    };
    const body = {
      apiVersion: 'coordination.k8s.io/v1',
      kind: 'Lease',
      metadata: { ...current.metadata },
      spec,
    };
    return client.request({ method: 'PUT', path: this.path, body }).then(
      () => true,
      (e: unknown) => (isConflict(e) ? false : Promise.reject(e)),
    );
  }

  private async create(now: string): Promise<boolean> {
    const { client, namespace, name, identity, leaseDurationSeconds } = this.options;
    const body = {
      apiVersion: 'coordination.k8s.io/v1',
      kind: 'Lease',
      metadata: { name, namespace },
      spec: {
        holderIdentity: identity,
        leaseDurationSeconds,
        acquireTime: now,
        renewTime: now,
        leaseTransitions: 0,
      },
    };
    const collection = `/apis/coordination.k8s.io/v1/namespaces/${namespace}/leases`;
    return client.request({ method: 'POST', path: collection, body }).then(
      () => true,
      (e: unknown) => (isConflict(e) ? false : Promise.reject(e)),
    );
  }

  private async release(): Promise<void> {
    const lease = await this.options.client.request<Lease>({ method: 'GET', path: this.path });
    if (lease.spec.holderIdentity !== this.options.identity) return;
    const body = {
      apiVersion: 'coordination.k8s.io/v1',
      kind: 'Lease',
      metadata: lease.metadata,
      spec: { ...lease.spec, holderIdentity: '', renewTime: undefined },
    };
    await this.options.client.request({ method: 'PUT', path: this.path, body });
  }
}
