import { Counter, Gauge, Histogram, type Registry } from 'prom-client';

/** The alert worker's /metrics: evaluations, their duration, notifications per channel, series firing. */
export class AlertMetrics {
  readonly evaluations: Counter<'result'>;
  readonly duration: Histogram;
  readonly notifications: Counter<'channel' | 'outcome'>;
  readonly firing: Gauge<'rule'>;
  readonly evaluatedMinute: Gauge;

  constructor(registry: Registry) {
    this.evaluations = new Counter({
      name: 'gravix_alert_evaluations_total',
      help: 'Rule evaluations of committed minutes, by result (ok, error)',
      labelNames: ['result'],
      registers: [registry],
    });
    this.duration = new Histogram({
      name: 'gravix_alert_evaluation_duration_seconds',
      help: 'Time to evaluate one rule for the minutes due in one tick',
      buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
      registers: [registry],
    });
    this.notifications = new Counter({
      name: 'gravix_alert_notifications_total',
      help: 'Notification delivery attempts per channel, by outcome (sent, failed, silenced, abandoned)',
      labelNames: ['channel', 'outcome'],
      registers: [registry],
    });
    this.firing = new Gauge({
      name: 'gravix_alert_series_firing',
      help: 'Series firing now per rule',
      labelNames: ['rule'],
      registers: [registry],
    });
    this.evaluatedMinute = new Gauge({
      name: 'gravix_alert_evaluated_minute_timestamp_seconds',
      help: 'Start of the newest committed minute evaluated',
      registers: [registry],
    });
  }
}
