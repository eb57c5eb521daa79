import type { Logger } from 'pino';
import { ALERT_RULE_API_VERSION, ALERT_RULE_PLURAL } from '../../../crds/gravix-alert-rule-crd.js';
import type { AlertRuleStatus, NamedAlertRule } from '../../../crds/gravix-alert-rule-spec.js';
import { InvalidAlertRuleError, parseAlertRuleObject } from '../../../crds/gravix-alert-rule.js';
import type { KubeClient, KubeObject } from '../../../operator/adapters/kube-client.js';
import { Watcher } from '../../../operator/adapters/watcher.js';

/** One GravixAlertRule as the worker holds it: the rule it evaluates, or why it cannot. */
export interface WatchedAlertRule {
  name: string;
  generation: number | undefined;
  rule?: NamedAlertRule;
  /** The object passed the CRD but not the worker's parser (e.g. written before a schema change). */
  invalid?: string;
  /** The status the apiserver holds now (compared before writing a new one). */
  status: AlertRuleStatus | undefined;
}

export const alertRulesPath = (namespace: string) =>
  `/apis/${ALERT_RULE_API_VERSION}/namespaces/${namespace}/${ALERT_RULE_PLURAL}`;

type RuleObject = KubeObject & {
  metadata: { name: string; generation?: number };
  spec?: { pipelineRef?: { name?: string } };
  status?: AlertRuleStatus;
};

function toWatched(object: RuleObject): WatchedAlertRule {
  const base = {
    name: object.metadata.name,
    generation: object.metadata.generation,
    status: object.status,
  };
  try {
    return { ...base, rule: parseAlertRuleObject(object).rule };
  } catch (error) {
    if (!(error instanceof InvalidAlertRuleError)) throw error;
    return { ...base, invalid: error.message };
  }
}

/**
 * The GravixAlertRules of one pipeline, from a watch on the worker's namespace (a rule names its pipeline in
 * spec.pipelineRef; rules of other pipelines in the namespace are not this worker's). Read on every tick without
 * a request; a new, changed or deleted rule counts from the next tick.
 */
export class KubeAlertRules {
  private readonly rules = new Map<string, WatchedAlertRule>();
  private readonly watcher: Watcher;
  private listed = false;

  constructor(options: { client: KubeClient; namespace: string; pipeline: string; logger: Logger }) {
    const mine = (o: RuleObject) => o.spec?.pipelineRef?.name === options.pipeline;
    this.watcher = new Watcher({
      client: options.client,
      path: alertRulesPath(options.namespace),
      logger: options.logger,
      onList: () => this.rules.clear(),
      onSynced: () => (this.listed = true),
      onEvent: (type, object) => {
        const o = object as RuleObject;
        if (type === 'DELETED' || !mine(o)) this.rules.delete(o.metadata.name);
        else this.rules.set(o.metadata.name, toWatched(o));
      },
    });
  }

  start(): void {
    this.watcher.start();
  }

  stop(): Promise<void> {
    return this.watcher.stop();
  }

  /** True once the first list arrived: before that, an empty rule set would mean "no rules" by mistake. */
  get synced(): boolean {
    return this.listed;
  }

  all(): WatchedAlertRule[] {
    return [...this.rules.values()];
  }

  /** The rules to evaluate: every valid one. */
  valid(): NamedAlertRule[] {
    return this.all().flatMap((r) => (r.rule ? [r.rule] : []));
  }
}
