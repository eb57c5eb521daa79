import { createHash } from 'node:crypto';

/**
 * Every object key of the alerting layer (one owner). Tenants and rule names are validated identifiers
 * (tenantIdPattern, RULE_NAME_PATTERN), so they are safe key segments.
 */
export const alertsPrefix = 'alerts/';

export const buildRulesPrefix = (tenant: string) => `${alertsPrefix}rules/tenant=${tenant}/`;
export const buildRuleKey = (tenant: string, rule: string) => `${buildRulesPrefix(tenant)}${rule}.json`;
export const parseRuleKey = (key: string) => /^alerts\/rules\/tenant=([^/]+)\/([^/]+)\.json$/.exec(key);

export const buildStatePrefix = (tenant: string) => `${alertsPrefix}state/tenant=${tenant}/`;
export const buildStateKey = (tenant: string, rule: string) => `${buildStatePrefix(tenant)}${rule}.json`;

export const buildSilencesPrefix = (tenant: string) => `${alertsPrefix}silences/tenant=${tenant}/`;
export const buildSilenceKey = (tenant: string, id: string) => `${buildSilencesPrefix(tenant)}${id}.json`;

const datePart = (t: number) => new Date(t).toISOString().slice(0, 10);
const shortHash = (text: string) => createHash('sha256').update(text).digest('hex').slice(0, 16);
// Keys sort by time within a day, so a listing reads history in order.
const stamp = (t: number) => String(t).padStart(15, '0');

export const buildHistoryPrefix = (tenant: string) => `${alertsPrefix}history/tenant=${tenant}/`;
export const buildHistoryKey = (tenant: string, at: number, eventId: string) =>
  `${buildHistoryPrefix(tenant)}date=${datePart(at)}/${stamp(at)}-${historyKeyHash(eventId)}.json`;
/** The part of a history key its event id decides: an event whose time is unknown is found by it. */
export const historyKeyHash = (eventId: string) => shortHash(eventId);
export const parseHistoryKeyHash = (key: string) => /-([0-9a-f]{16})\.json$/.exec(key)?.[1];

export const deliveriesPrefix = `${alertsPrefix}deliveries/`;
export const buildDeliveryKey = (at: number, channel: string, eventIds: readonly string[], attempt: number) =>
  `${deliveriesPrefix}date=${datePart(at)}/${stamp(at)}-${channel}-${shortHash(eventIds.join(','))}-${attempt}.json`;
