import type { NamedAlertRule } from '../../../crds/gravix-alert-rule-spec.js';

const key = (r: NamedAlertRule) => `${r.selector.tenant}/${r.name}`;

/**
 * The rules to evaluate: GravixAlertRule objects first, then the store's (the API's and a rules file's). A rule's
 * state is keyed by tenant and name, so two rules with the same pair would fight over one state object: the
 * custom resource wins, as what `kubectl get gravixalertrules` shows must be what runs.
 */
export function mergeRuleSources(
  resources: readonly NamedAlertRule[],
  stored: readonly NamedAlertRule[],
): NamedAlertRule[] {
  const taken = new Set(resources.map(key));
  return [...resources, ...stored.filter((r) => !taken.has(key(r)))];
}
