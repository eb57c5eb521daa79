import { randomUUID } from 'node:crypto';
import type { NamedAlertRule } from '../../../crds/gravix-alert-rule-spec.js';
import { parseNamedAlertRule } from '../../../crds/gravix-alert-rule.js';
import { PreconditionFailedError, type ObjectStore } from '../../adapters/object-store/object-store.js';
import { alertEventId, type AlertEvent, type OutboxEntry, type SeriesState } from '../domain/alert-state.js';
import {
  buildDeliveryKey,
  buildHistoryKey,
  buildHistoryPrefix,
  historyKeyHash,
  parseHistoryKeyHash,
  buildRuleKey,
  buildRulesPrefix,
  buildSilenceKey,
  buildSilencesPrefix,
  buildStateKey,
  parseRuleKey,
  alertsPrefix,
} from '../domain/alert-keys.js';
import type { Silence } from '../domain/silence.js';
import type { SeriesKey } from '../domain/series-window.js';

/** A rule's persisted evaluation: what it last judged, each breaching series, and decided-but-unsent events. */
export interface RuleState {
  format: 'gravix.alert-state/v1';
  rule: string;
  tenant: string;
  /** Start of the newest evaluated minute (null before the first). */
  evaluatedThrough: number | null;
  lastEvaluationAt: number | null;
  series: Record<string, SeriesState>;
  /**
   * Events decided for an evaluated minute and not yet delivered: saved with the state in one conditional put,
   * before any send, so a crash between deciding and sending neither loses them nor decides them again.
   */
  outbox: OutboxEntry[];
  /**
   * Firing/resolved events decided with this state and not yet in the history: saved in the same put as the
   * decision, so a crash (or a store error) between deciding and recording retries them instead of losing them.
   * History puts are create-only by event id, so a retry never doubles an entry. Absent in older states.
   */
  historyOwed?: AlertEvent[];
  /**
   * SLO rules: each series' error budget left at its newest evaluated minute, breaching or not (the dashboard's
   * budget per service). Absent in states saved before it existed.
   */
  budgets?: Record<string, SeriesBudget>;
  error?: string;
}

export interface SeriesBudget {
  key: SeriesKey;
  budgetRemainingPct: number;
  at: number;
}

export class AlertStateConflictError extends Error {
  readonly code = 'ALERT_STATE_CONFLICT';
}

const decode = (body: Uint8Array) => JSON.parse(Buffer.from(body).toString('utf8')) as unknown;
const encode = (value: unknown) => Buffer.from(JSON.stringify(value));

export const emptyRuleState = (tenant: string, rule: string): RuleState => ({
  format: 'gravix.alert-state/v1',
  rule,
  tenant,
  evaluatedThrough: null,
  lastEvaluationAt: null,
  series: {},
  outbox: [],
});

/** One delivery attempt: channel, time and the sender's result, kept under alerts/deliveries/. */
export interface DeliveryRecord {
  channel: string;
  at: number;
  [field: string]: unknown;
}

/** The alerting layer in the object store: rules (embedded mode), per-rule state, silences, history, deliveries. */
export class AlertStore {
  constructor(private readonly store: ObjectStore) {}

  async loadState(tenant: string, rule: string): Promise<{ state: RuleState; etag: string | undefined }> {
    const object = await this.store.get(buildStateKey(tenant, rule));
    if (!object) return { state: emptyRuleState(tenant, rule), etag: undefined };
    return { state: decode(object.body) as RuleState, etag: object.etag };
  }

  /**
   * Conditional put on the etag it was read with: a second evaluator (a lost lease) fails loudly here instead of
   * both sending notifications.
   */
  async saveState(state: RuleState, etag: string | undefined): Promise<string> {
    try {
      const options = etag === undefined ? { ifNoneMatch: '*' as const } : { ifMatch: etag };
      return (await this.store.put(buildStateKey(state.tenant, state.rule), encode(state), options)).etag;
    } catch (error) {
      if (error instanceof PreconditionFailedError)
        throw new AlertStateConflictError(
          `alert state of rule '${state.rule}' (tenant ${state.tenant}) changed under this evaluator`,
          { cause: error },
        );
      throw error;
    }
  }

  async listStates(tenant: string): Promise<RuleState[]> {
    const keys = await this.store.list(`${alertsPrefix}state/tenant=${tenant}/`);
    const states = await Promise.all(keys.map((k) => this.store.get(k.key)));
    return states.filter((o) => o !== undefined).map((o) => decode(o.body) as RuleState);
  }

  async putRule(tenant: string, rule: NamedAlertRule): Promise<void> {
    await this.store.put(buildRuleKey(tenant, rule.name), encode(rule));
  }

  async getRule(tenant: string, name: string): Promise<NamedAlertRule | undefined> {
    const object = await this.store.get(buildRuleKey(tenant, name));
    return object ? parseNamedAlertRule(decode(object.body)) : undefined;
  }

  async deleteRule(tenant: string, name: string): Promise<boolean> {
    const existed = (await this.store.head(buildRuleKey(tenant, name))) !== undefined;
    await this.store.delete(buildRuleKey(tenant, name));
    return existed;
  }

  /** Rules of one tenant, or of every tenant when tenant is undefined (the evaluator). */
  async listRules(tenant?: string): Promise<NamedAlertRule[]> {
    const prefix = tenant === undefined ? `${alertsPrefix}rules/` : buildRulesPrefix(tenant);
    const keys = (await this.store.list(prefix)).filter((o) => parseRuleKey(o.key));
    const objects = await Promise.all(keys.map((k) => this.store.get(k.key)));
    return objects.filter((o) => o !== undefined).map((o) => parseNamedAlertRule(decode(o.body)));
  }

  async addSilence(silence: Omit<Silence, 'id'>): Promise<Silence> {
    const stored = { ...silence, id: randomUUID() };
    await this.store.put(buildSilenceKey(silence.tenant, stored.id), encode(stored), { ifNoneMatch: '*' });
    return stored;
  }

  async listSilences(tenant: string): Promise<Silence[]> {
    const keys = await this.store.list(buildSilencesPrefix(tenant));
    const objects = await Promise.all(keys.map((k) => this.store.get(k.key)));
    return objects.filter((o) => o !== undefined).map((o) => decode(o.body) as Silence);
  }

  async deleteSilence(tenant: string, id: string): Promise<boolean> {
    if (!/^[0-9a-f-]{36}$/.test(id)) return false;
    const existed = (await this.store.head(buildSilenceKey(tenant, id))) !== undefined;
    await this.store.delete(buildSilenceKey(tenant, id));
    return existed;
  }

  /** Firing and resolved events, kept for the alert list; create-only, so a resend does not rewrite history. */
  async recordHistory(e: AlertEvent): Promise<void> {
    await this.store
      .put(buildHistoryKey(e.tenant, e.at, e.id), encode(e), { ifNoneMatch: '*' })
      .catch((error: unknown) => {
        if (!(error instanceof PreconditionFailedError)) throw error;
      });
  }

  /**
   * The newest `limit` history events of a tenant in [from, to), and the resolve of each firing event among them
   * that resolved at or after `to`: a span that began in the window has a known end even when the window stops
   * before it (a browser whose clock is behind, a range in the past), so the dashboard draws it whole.
   */
  async listHistory(tenant: string, from: number, to: number, limit: number): Promise<AlertEvent[]> {
    const keys = (await this.store.list(buildHistoryPrefix(tenant))).reverse().map((k) => k.key);
    const events: AlertEvent[] = [];
    for (const key of keys) {
      if (events.length >= limit) break;
      const e = await this.readEvent(key);
      if (e && e.at >= from && e.at < to) events.push(e);
    }
    return [...events, ...(await this.resolvesAfter(events, keys, to))];
  }

  private async readEvent(key: string): Promise<AlertEvent | undefined> {
    const object = await this.store.get(key);
    return object ? (decode(object.body) as AlertEvent) : undefined;
  }

  /** The resolves, at or after `to`, of the firing events in `events` that have none there (found by id). */
  private async resolvesAfter(events: readonly AlertEvent[], keys: readonly string[], to: number) {
    const resolved = new Set(events.filter((e) => e.kind === 'resolved').map((e) => e.id));
    const wanted = events
      .filter((e) => e.kind === 'firing')
      .map((e) => alertEventId(e.rule, e.seriesId, e.startsAt, 'resolved'))
      .filter((id) => !resolved.has(id));
    if (wanted.length === 0) return [];
    const byHash = new Map(keys.map((key) => [parseHistoryKeyHash(key), key]));
    const found: AlertEvent[] = [];
    for (const id of wanted) {
      const key = byHash.get(historyKeyHash(id));
      const e = key === undefined ? undefined : await this.readEvent(key);
      if (e?.id === id && e.at >= to) found.push(e);
    }
    return found;
  }

  async recordDelivery(record: DeliveryRecord & { eventIds: string[]; attempt: number }): Promise<void> {
    await this.store.put(
      buildDeliveryKey(record.at, record.channel, record.eventIds, record.attempt),
      encode(record),
    );
  }
}
