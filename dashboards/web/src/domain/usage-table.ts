import type { TenantUsageResponse } from '../../../../workers/query/domain/tenant-usage.js';
import { escapeMarkup } from './escape-markup.js';

const number = (n: number) => n.toLocaleString('en-US', { maximumFractionDigits: 1 });

function bytes(n: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let value = n;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return `${number(value)} ${units[unit]}`;
}

/** Usage against a quota in words: "1,234 of 2,000 (62%)", or the usage alone when there is no quota. */
function against(used: number, quota: number | undefined, show: (n: number) => string): string {
  if (quota === undefined) return `${show(used)} <span class="muted">(no quota)</span>`;
  const percent = Math.round((used / quota) * 100);
  const over = used >= quota ? ' class="field-error"' : '';
  return `<span${over}>${show(used)} of ${show(quota)} (${percent}%)</span>`;
}

/**
 * The admin page's usage table (GET /api/v1/tenant-usage): each quota beside what the tenant uses now. Services and
 * routes per service come from the rolled-up data of today; every value is escaped or a number.
 */
export function buildUsageTable(u: TenantUsageResponse): string {
  const { quotas, usage } = u;
  const rows: [string, string][] = [
    ['Events per second', against(usage.eventsPerSecond, quotas.eventsPerSecond, number)],
    [`Bytes today (${escapeMarkup(usage.day)}, UTC)`, against(usage.bytesToday, quotas.bytesPerDay, bytes)],
    ['Services today', against(usage.services, quotas.services, number)],
    [
      'Routes today',
      `${number(usage.routes)}${quotas.routesPerService === undefined ? '' : ` <span class="muted">(quota: ${number(quotas.routesPerService)} per service; ${number(usage.servicesAtRouteQuota)} services reached it)</span>`}`,
    ],
  ];
  const title = escapeMarkup(u.displayName ?? u.tenant);
  return (
    `<p>Tenant <strong>${title}</strong> · ${number(usage.ingestReplicas)} ingest replicas sharing its rate</p>` +
    '<table><thead><tr><th scope="col">Quota</th><th scope="col">Used</th></tr></thead><tbody>' +
    rows.map(([name, value]) => `<tr><th scope="row">${name}</th><td>${value}</td></tr>`).join('') +
    '</tbody></table>'
  );
}
