import type { Logger } from 'pino';
import { alertRuleStatusSchema, type AlertRuleStatus } from '../../../crds/gravix-alert-rule-spec.js';
import type { KubeClient } from '../../../operator/adapters/kube-client.js';
import { buildAlertRuleStatus } from '../domain/alert-rule-status.js';
import type { AlertStore } from './alert-store.js';
import { alertRulesPath, type KubeAlertRules } from './kube-alert-rules.js';

const STATUS_FIELDS = Object.keys(alertRuleStatusSchema.shape) as (keyof AlertRuleStatus)[];

/** Key order does not matter to the apiserver, nor to the comparison: what it returns is sorted. */
function canonical(status: AlertRuleStatus | undefined): string {
  const s = (status ?? {}) as Record<string, unknown>;
  return JSON.stringify(
    Object.fromEntries(
      Object.keys(s)
        .sort()
        .map((k) => [k, s[k]]),
    ),
  );
}

/**
 * After each tick, each GravixAlertRule's status from its saved state (`buildAlertRuleStatus`), patched only when
 * it differs from what the apiserver holds: a quiet rule costs one store GET a tick and no write. A merge patch
 * keeps fields it does not name, so every field the new status lacks is sent as null (an error that cleared).
 */
export class AlertRuleStatusWriter {
  constructor(
    private readonly options: {
      client: KubeClient;
      namespace: string;
      rules: KubeAlertRules;
      alerts: AlertStore;
      logger: Logger;
    },
  ) {}

  async sync(): Promise<void> {
    for (const watched of this.options.rules.all()) {
      try {
        await this.syncOne(watched.name);
      } catch (error) {
        this.options.logger.warn({ err: error, rule: watched.name }, 'alert rule status not written');
      }
    }
  }

  private async syncOne(name: string): Promise<void> {
    const watched = this.options.rules.all().find((r) => r.name === name);
    if (!watched) return;
    const loaded = watched.rule
      ? await this.options.alerts.loadState(watched.rule.selector.tenant, watched.rule.name)
      : undefined;
    // No saved state yet (etag undefined): the rule has not been evaluated.
    const state = loaded?.etag === undefined ? undefined : loaded.state;
    const status = buildAlertRuleStatus(state, watched.generation, watched.invalid);
    if (canonical(status) === canonical(watched.status)) return;
    const body = Object.fromEntries(STATUS_FIELDS.map((k) => [k, status[k] ?? null]));
    await this.options.client.request({
      method: 'PATCH',
      path: `${alertRulesPath(this.options.namespace)}/${name}/status`,
      body: { status: body },
      contentType: 'application/merge-patch+json',
    });
  }
}
