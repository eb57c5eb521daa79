import type { NamedAlertRule } from '../../../crds/gravix-alert-rule-spec.js';
import type { ObjectStore } from '../../../workers/adapters/object-store/object-store.js';
import { AlertStore } from '../../../workers/alert/adapters/alert-store.js';
import { EngineAlertData } from '../../../workers/alert/adapters/engine-alert-data.js';
import { buildQuietEvaluator } from '../../../workers/alert/testing/quiet-evaluator.js';
import type { QueryEngine } from '../../../workers/query/app/query-engine.js';

/**
 * The alert evaluator `gravix dev` runs (startAlertWorker's AlertEvaluator over EngineAlertData), without channels:
 * the dashboard tests need its decisions in the store, not notifications. The rules are put into the store first,
 * as the rules file is at start, so the query server lists them like any other. A rule never evaluated resumes
 * after `resumeAfter` (a worker that has been running since then): a new rule's first tick judges only the newest
 * minute, and the tests need the incidents of the past hours judged minute by minute.
 */
export async function evaluateAlerts(
  store: ObjectStore,
  engine: QueryEngine,
  rules: readonly NamedAlertRule[],
  options: { catchUpMinutes: number; resumeAfter: number },
): Promise<void> {
  const alerts = new AlertStore(store);
  for (const rule of rules) {
    const tenant = rule.selector.tenant;
    await alerts.putRule(tenant, rule);
    const { state, etag } = await alerts.loadState(tenant, rule.name);
    if (state.evaluatedThrough === null)
      await alerts.saveState({ ...state, evaluatedThrough: options.resumeAfter }, etag);
  }
  const { evaluator } = buildQuietEvaluator({
    store,
    alerts,
    data: new EngineAlertData(engine),
    rules: () => alerts.listRules(),
    catchUpMinutes: options.catchUpMinutes,
  });
  await evaluator.tick();
}
