import type { IncomingMessage } from 'node:http';
import { HttpError } from '../../shared/http/http-error.js';
import type { RateLimiter } from '../domain/rate-limiter.js';

/** Token buckets per tenant (every key of a tenant shares them): one counts items, the other body bytes. */
export interface TenantRates {
  items: RateLimiter;
  bytes: RateLimiter;
}

/** What the WAL tells admission: the buffer's total and each tenant's part of it. */
export interface DiskUsage {
  diskBytes(): number;
  ownerBytes(tenant: string): number;
}

export interface DiskLimits {
  diskBudgetBytes: number;
  /** The most one tenant's unuploaded bytes may reach: its share of diskBudgetBytes. */
  tenantDiskBytes: number;
}

const overRate = (tenant: string, what: string, retryAfterSeconds: number) =>
  new HttpError(429, 'RATE_LIMITED', `tenant '${tenant}' is over its rate limit of ${what}`, {
    retryAfterSeconds,
  });

/** 429 when the tenant's byte bucket cannot pay for `bytes`. */
export function admitBytes(rates: TenantRates, tenant: string, bytes: number): void {
  const decision = rates.bytes.take(tenant, bytes);
  if (!decision.allowed) throw overRate(tenant, 'bytes per second', decision.retryAfterSeconds);
}

/** 429 when the tenant's item bucket cannot pay for `items`. */
export function admitItems(rates: TenantRates, tenant: string, items: number): void {
  const decision = rates.items.take(tenant, items);
  if (!decision.allowed) throw overRate(tenant, 'items per second', decision.retryAfterSeconds);
}

/**
 * The body size a request declares, when it declares one: it is charged before the body is read, so a tenant
 * over its byte rate costs the server neither the read nor the parse.
 */
export function declaredBytes(req: IncomingMessage): number | undefined {
  const header = req.headers['content-length'];
  if (header === undefined || req.headers['transfer-encoding'] !== undefined) return undefined;
  const bytes = Number(header);
  return Number.isSafeInteger(bytes) && bytes >= 0 ? bytes : undefined;
}

/**
 * 503 when the disk buffer is full, or when this tenant's share of it is: a tenant that fills its share is
 * refused while the others keep writing into theirs.
 */
export function admitDisk(wal: DiskUsage, limits: DiskLimits, tenant: string): void {
  if (wal.diskBytes() >= limits.diskBudgetBytes) {
    throw new HttpError(
      503,
      'DISK_BUFFER_FULL',
      'the local buffer is full while uploads catch up; retry later',
      { retryAfterSeconds: 5 },
    );
  }
  if (wal.ownerBytes(tenant) >= limits.tenantDiskBytes) {
    throw new HttpError(
      503,
      'DISK_BUFFER_FULL',
      `tenant '${tenant}' has filled its share of the local buffer (${limits.tenantDiskBytes} bytes) while uploads catch up; retry later`,
      { retryAfterSeconds: 5 },
    );
  }
}
