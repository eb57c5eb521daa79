import type { IncomingMessage } from 'node:http';
import { HttpError } from '../../shared/http/http-error.js';
import type { RateLimiter } from '../domain/rate-limiter.js';
import type { ReleaseTurn, TenantTurns } from '../domain/tenant-turns.js';
import { runToEnd, type FairCpuTurns, type SlicedWork } from '../domain/fair-cpu-turns.js';
import type { QuotaDecision, TenantQuotaLedger } from '../domain/tenant-quota-ledger.js';

/**
 * Token buckets per tenant (every key of a tenant shares them): one counts items, the other body bytes; and the
 * tenants' own quotas (GravixTenant), shared across ingest replicas (docs/adr/0080), when a tenants file is set.
 */
export interface TenantRates {
  items: RateLimiter;
  bytes: RateLimiter;
  quotas?: TenantQuotaLedger;
}

const quotaWords = { eventsPerSecond: 'events per second', bytesPerDay: 'bytes per day' } as const;

/** 429 QUOTA_EXCEEDED naming the tenant, the quota and its value, with Retry-After. */
function refuseOverQuota(tenant: string, decision: QuotaDecision, rates: TenantRates): void {
  if (decision.allowed) return;
  const shared =
    decision.quota === 'eventsPerSecond' ? ` (shared by ${rates.quotas!.liveCount()} ingest replicas)` : '';
  throw new HttpError(
    429,
    'QUOTA_EXCEEDED',
    `tenant '${tenant}' is over its quota of ${decision.limit} ${quotaWords[decision.quota]}${shared}`,
    { retryAfterSeconds: decision.retryAfterSeconds },
  );
}

/** A durable batch counts toward its tenant's quotas (the beat's rate, the day's bytes). */
export function recordAccepted(rates: TenantRates, tenant: string, items: number, bytes: number): void {
  rates.quotas?.recordAccepted(tenant, items, bytes);
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
  if (rates.quotas) refuseOverQuota(tenant, rates.quotas.admitBytes(tenant, bytes), rates);
  const decision = rates.bytes.take(tenant, bytes);
  if (!decision.allowed) throw overRate(tenant, 'bytes per second', decision.retryAfterSeconds);
}

/** 429 when the tenant's item bucket cannot pay for `items`. */
export function admitItems(rates: TenantRates, tenant: string, items: number): void {
  if (rates.quotas) refuseOverQuota(tenant, rates.quotas.admitEvents(tenant, items), rates);
  const decision = rates.items.take(tenant, items);
  if (!decision.allowed) throw overRate(tenant, 'items per second', decision.retryAfterSeconds);
}

/**
 * 429 when the tenant is over its item rate (its last batch was refused by admitItems) and its bucket cannot pay
 * for `counted` items now, taking nothing: a batch known to hold at least `counted` items (what its scan has
 * counted so far) is refused then, not once its whole body is scanned (docs/adr/0119). A tenant whose batches are
 * admitted is never refused here: this check runs before the one at the end of the scan, with less refilled, and
 * would refuse a client at exactly its rate that the end admits (docs/adr/0126). The bucket is charged only by
 * admitItems, with the batch's whole count.
 */
export function admitItemsSoFar(rates: TenantRates, tenant: string, counted: number): void {
  if (!rates.items.overRate(tenant)) return;
  const decision = rates.items.check(tenant, counted);
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
 * What every batch endpoint (facts, events, OTLP traces and metrics) checks before it reads a body: the tenant's
 * disk share, then a declared size against its byte rate (a body over the size limit is left to the read, which
 * answers 413). Returns the declared size, undefined when the client declared none (the body is charged once read).
 */
export function admitBeforeRead(
  wal: DiskUsage,
  limits: DiskLimits & { maxBodyBytes: number },
  rates: TenantRates,
  req: IncomingMessage,
  tenant: string,
): number | undefined {
  admitDisk(wal, limits, tenant);
  const declared = declaredBytes(req);
  if (declared !== undefined && declared <= limits.maxBodyBytes) admitBytes(rates, tenant, declared);
  return declared;
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

/**
 * Waits for one of the tenant's turns at reading and parsing (TenantTurns); 429 when too many of its requests
 * already wait. Every batch endpoint (facts, events, OTLP traces) takes one, so a tenant cannot skip the queue by
 * switching protocols.
 */
export async function admitTurn(turns: TenantTurns | undefined, tenant: string): Promise<ReleaseTurn> {
  if (!turns) return () => {};
  const turn = turns.take(tenant);
  if (!turn) {
    throw new HttpError(
      429,
      'TOO_MANY_REQUESTS_IN_FLIGHT',
      `tenant '${tenant}' has ${turns.maxActive + turns.maxWaiting} batches in flight on this ingester; retry later`,
      { retryAfterSeconds: 1 },
    );
  }
  return turn;
}

/**
 * A fact or event batch's turn (admitTurn), refused before and again after the wait when the tenant is over its
 * item rate and its bucket cannot pay for one item: such a batch holds at least one (a body of none is refused,
 * 400), so it is refused with its body unread (docs/adr/0119, 0126).
 */
export async function admitBatchTurn(
  turns: TenantTurns | undefined,
  rates: TenantRates,
  tenant: string,
): Promise<ReleaseTurn> {
  admitItemsSoFar(rates, tenant, 1);
  const release = await admitTurn(turns, tenant);
  try {
    admitItemsSoFar(rates, tenant, 1);
  } catch (error) {
    release();
    throw error;
  }
  return release;
}

/**
 * Runs a read body's synchronous work (parse, validate, encode, start the WAL append) in the tenant's turn at the
 * CPU (FairCpuTurns, docs/adr/0100); without turns (GRAVIX_TENANT_TURN_BYTES=0) at once, as the body arrives.
 */
export async function onCpuTurn<T>(
  turns: FairCpuTurns | undefined,
  tenant: string,
  bytes: number,
  work: () => T,
): Promise<T> {
  return turns ? turns.run(tenant, bytes, work) : work();
}

/**
 * Runs sliced work (a batch's parse and validation, docs/adr/0107) in the tenant's turns at the CPU, slice by
 * slice; without turns at once, whole.
 */
export async function onCpuTurnSliced<T>(
  turns: FairCpuTurns | undefined,
  tenant: string,
  work: SlicedWork<T>,
): Promise<T> {
  return turns ? turns.runSliced(tenant, work) : runToEnd(work);
}
