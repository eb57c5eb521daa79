import { readFileSync, statSync } from 'node:fs';
import type { Logger } from 'pino';
import { parseTenantsFile } from '../../../crds/gravix-tenant.js';
import type { TenantSettings } from '../../../crds/gravix-tenant-spec.js';
import { InvalidTenantError } from '../../../crds/gravix-tenant.js';
import { ConfigError } from '../../shared/config-error.js';

/**
 * The tenants file (GRAVIX_TENANTS_FILE; on Kubernetes the operator's ConfigMap, which the kubelet replaces in place
 * when a GravixTenant changes), re-read when its modification time or size changes. A file that turns invalid is
 * logged and the last good settings kept: a typo must not lift every tenant's quota.
 */
export class LiveTenants {
  private byTenant = new Map<string, TenantSettings>();
  private stamp = '';
  private timer: NodeJS.Timeout | undefined;
  private readonly listeners: (() => void)[] = [];

  /** Reads the file once (an invalid file at start is a configuration error, thrown), then polls it. */
  constructor(
    private readonly path: string | undefined,
    private readonly log: Logger,
    reloadMs = 5000,
  ) {
    if (!path) return;
    this.load(true);
    this.timer = setInterval(() => this.load(false), reloadMs).unref();
  }

  get(tenant: string): TenantSettings | undefined {
    return this.byTenant.get(tenant);
  }

  all(): TenantSettings[] {
    return [...this.byTenant.values()];
  }

  /** Calls `listener` after each re-read that changed the settings (not the first read). */
  onChange(listener: () => void): void {
    this.listeners.push(listener);
  }

  stop(): void {
    clearInterval(this.timer);
  }

  private load(first: boolean): void {
    const path = this.path!;
    try {
      const info = statSync(path);
      const stamp = `${info.mtimeMs}:${info.size}:${info.ino}`;
      if (stamp === this.stamp) return;
      const tenants = parseTenantsFile(readFileSync(path, 'utf8'), path);
      this.byTenant = new Map(tenants.map((t) => [t.tenant, t]));
      this.stamp = stamp;
      this.log.info({ path, tenants: tenants.length }, 'tenants file loaded');
      if (!first) for (const listener of this.listeners) listener();
    } catch (err) {
      if (first && err instanceof InvalidTenantError)
        throw new ConfigError(err.issues.map((issue) => `GRAVIX_TENANTS_FILE: ${issue}`));
      if (first) throw new ConfigError([`GRAVIX_TENANTS_FILE="${path}": ${(err as Error).message}`]);
      this.log.error({ path, err }, 'tenants file not reloaded: the last good settings stay');
    }
  }
}
