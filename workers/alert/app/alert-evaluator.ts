import type { Logger } from 'pino';
import type { NamedAlertRule } from '../../../crds/gravix-alert-rule-spec.js';
import type { ObjectStore } from '../../adapters/object-store/object-store.js';
import { loadRollupHeartbeat } from '../../rollup/app/rollup-heartbeat.js';
import type { AlertStore, RuleState } from '../adapters/alert-store.js';
import {
  buildStepPolicy,
  stepAlertStates,
  type AlertEvent,
  type OutboxEntry,
} from '../domain/alert-state.js';
import { committedHorizon, minutesToEvaluate } from '../domain/committed-horizon.js';
import type { Observation } from '../domain/observation.js';
import type { Silence } from '../domain/silence.js';
import type { AlertData } from './alert-data.js';
import type { AlertMetrics } from './alert-metrics.js';
import { evaluateRule } from './evaluate-rule.js';
import type { Notifier } from './notifier.js';

export interface EvaluatorOptions {
  store: ObjectStore;
  alerts: AlertStore;
  data: AlertData;
  notifier: Notifier;
  metrics: AlertMetrics;
  log: Logger;
  /** Every rule to evaluate now (embedded: the store's rules; a file's rules are put there at start). */
  rules: () => Promise<NamedAlertRule[]>;
  settleMs: number;
  catchUpMinutes: number;
  staleMs: number;
  now?: () => number;
}

const minuteMs = 60_000;

/** Alertmanager forgets alerts that are not re-posted; every firing series goes to it again each evaluation. */
function alertmanagerRefresh(
  rule: NamedAlertRule,
  state: RuleState,
  events: readonly AlertEvent[],
  at: number,
) {
  const decided = new Set(events.map((e) => e.seriesId));
  return Object.values(state.series)
    .filter((s) => s.state === 'firing' && !decided.has(s.seriesId))
    .map<AlertEvent>((s) => ({
      id: `${rule.name}|${s.seriesId}|${s.firingSince}|refresh|${at}`,
      kind: 'repeat',
      rule: rule.name,
      tenant: rule.selector.tenant,
      seriesId: s.seriesId,
      key: s.key,
      severity: s.severity ?? rule.severity,
      startsAt: s.firingSince ?? s.since,
      at,
      value: s.value,
      expected: s.expected,
      explanation: s.explanation,
    }));
}

/** SLO observations carry the budget left; kept per series so every service's budget can be shown. */
function budgetsOf(state: RuleState, observations: readonly Observation[], at: number) {
  const measured = observations.filter((o) => o.budgetRemainingPct !== undefined);
  if (measured.length === 0) return {};
  const budgets = { ...state.budgets };
  for (const o of measured)
    budgets[o.seriesId] = { key: o.key, budgetRemainingPct: o.budgetRemainingPct!, at };
  return { budgets };
}

const owesWork = (state: RuleState) => state.outbox.length > 0 || (state.historyOwed?.length ?? 0) > 0;

/**
 * One tick: for each rule, deliver what an earlier tick still owes, evaluate every committed minute not yet
 * evaluated, save states and the events they decided in one conditional put, then send. A restart resumes from
 * the saved minute and outbox: nothing is decided twice, nothing decided is forgotten.
 */
export class AlertEvaluator {
  constructor(private readonly options: EvaluatorOptions) {}

  private now() {
    return (this.options.now ?? Date.now)();
  }

  async tick(signal?: AbortSignal): Promise<void> {
    const { store, settleMs } = this.options;
    const horizon = committedHorizon(await loadRollupHeartbeat(store), settleMs);
    for (const rule of await this.options.rules()) {
      if (signal?.aborted) return;
      const timer = this.options.metrics.duration.startTimer();
      try {
        await this.runRule(rule, horizon, signal);
      } catch (error) {
        this.options.metrics.evaluations.inc({ result: 'error' });
        this.options.log.error({ err: error, rule: rule.name }, 'alert rule evaluation failed');
      } finally {
        timer();
      }
    }
  }

  private async runRule(
    rule: NamedAlertRule,
    horizon: number | undefined,
    signal?: AbortSignal,
  ): Promise<void> {
    const { alerts } = this.options;
    const tenant = rule.selector.tenant;
    const loaded = await alerts.loadState(tenant, rule.name);
    let { state } = loaded;
    let etag = loaded.etag;
    const silences = await alerts.listSilences(tenant);
    if (owesWork(state)) {
      state = await this.settleOwed(state, silences);
      etag = await alerts.saveState(state, etag);
    }
    if (horizon === undefined) return;
    const { forMs } = buildStepPolicy(rule, this.options.staleMs);
    const minutes = minutesToEvaluate(
      state.evaluatedThrough,
      horizon,
      this.options.catchUpMinutes,
      Math.ceil(forMs / minuteMs),
    );
    if (minutes.length === 0) return;
    const evaluated = await this.evaluateMinutes(rule, state, minutes, signal);
    const decided = evaluated.events.filter((e) => e.kind !== 'repeat');
    state = {
      ...evaluated.state,
      ...(decided.length > 0 ? { historyOwed: [...(evaluated.state.historyOwed ?? []), ...decided] } : {}),
    };
    // Decisions are saved before anything is sent or recorded: a crash after this put re-sends from the outbox and
    // records from historyOwed, never re-decides.
    etag = await alerts.saveState(state, etag);
    const firing = Object.values(state.series).filter((s) => s.state === 'firing').length;
    this.options.metrics.firing.set({ rule: rule.name }, firing);
    if (state.evaluatedThrough !== null)
      this.options.metrics.evaluatedMinute.set(state.evaluatedThrough / 1000);
    if (owesWork(state)) {
      state = await this.settleOwed(state, silences);
      await alerts.saveState(state, etag);
    }
  }

  /**
   * Records the owed history and delivers the outbox. A history put that fails stays owed (retried next tick) and
   * never stops the delivery: a throw here would leave delivered notifications unsaved, so they would be re-sent.
   */
  private async settleOwed(state: RuleState, silences: readonly Silence[]): Promise<RuleState> {
    const { alerts, notifier, log } = this.options;
    const stillOwed: AlertEvent[] = [];
    for (const e of state.historyOwed ?? []) {
      try {
        await alerts.recordHistory(e);
      } catch (error) {
        stillOwed.push(e);
        log.warn(
          { err: error, rule: state.rule, event: e.id },
          'alert history not recorded; retried next tick',
        );
      }
    }
    const outbox = state.outbox.length > 0 ? await notifier.deliver(state.outbox, silences) : state.outbox;
    const { historyOwed: _settled, ...rest } = state;
    return stillOwed.length > 0 ? { ...rest, outbox, historyOwed: stillOwed } : { ...rest, outbox };
  }

  /** Steps the rule's states through each minute; stops at the first minute the engine fails (retried next tick). */
  private async evaluateMinutes(
    rule: NamedAlertRule,
    start: RuleState,
    minutes: number[],
    signal?: AbortSignal,
  ) {
    const { metrics, notifier } = this.options;
    const policy = buildStepPolicy(rule, this.options.staleMs);
    const events: AlertEvent[] = [];
    let state: RuleState = { ...start };
    delete state.error;
    for (const minute of minutes) {
      try {
        const observations = await evaluateRule(this.options.data, rule, minute, signal);
        const step = stepAlertStates(policy, state.series, observations, minute);
        state = {
          ...state,
          series: step.states,
          evaluatedThrough: minute,
          ...budgetsOf(state, observations, minute),
        };
        events.push(...step.events);
        metrics.evaluations.inc({ result: 'ok' });
      } catch (e) {
        state.error = (e as Error).message;
        metrics.evaluations.inc({ result: 'error' });
        this.options.log.warn(
          { err: e, rule: rule.name, minute },
          'alert evaluation failed; retried next tick',
        );
        break;
      }
    }
    const at = state.evaluatedThrough ?? minutes[0]!;
    const refresh = alertmanagerRefresh(rule, state, events, at);
    const owed: OutboxEntry[] = [
      ...events.map((event) => ({ event, pending: [...rule.channels] })),
      ...refresh.map((event) => ({
        event,
        pending: rule.channels.filter((c) => notifier.isAlertmanager(c)),
      })),
    ].filter((e) => e.pending.length > 0);
    state = { ...state, lastEvaluationAt: this.now(), outbox: [...state.outbox, ...owed] };
    return { state, events };
  }
}

/** Runs a tick now and every intervalMs, never two at once (a slow tick delays the next). */
export function startAlertLoop(evaluator: Pick<AlertEvaluator, 'tick'>, intervalMs: number, log: Logger) {
  const stop = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  let current: Promise<void> = Promise.resolve();
  const tick = () => {
    current = evaluator
      .tick(stop.signal)
      .catch((err: unknown) => log.error({ err }, 'alert tick failed'))
      .finally(() => {
        if (!stop.signal.aborted) timer = setTimeout(tick, intervalMs);
      });
  };
  tick();
  return {
    async stop() {
      stop.abort();
      clearTimeout(timer);
      await current;
    },
  };
}
