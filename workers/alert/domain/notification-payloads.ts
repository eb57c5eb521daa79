import { createHmac } from 'node:crypto';
import type { AlertEvent } from './alert-state.js';
import { describeSeries } from './series-window.js';

/**
 * What each channel is sent, built from the events of one evaluation (alerts that fire together go out in one
 * message). Pure: the channel adapters only post these bodies.
 */

const hourMs = 3_600_000;

/** The dashboard at the time of the alert: an hour before it started to a little after the decision. */
export function buildDashboardLink(baseUrl: string, e: AlertEvent): string {
  const url = new URL(baseUrl);
  if (e.key.service !== undefined) url.searchParams.set('service', e.key.service);
  if (e.key.path !== undefined) url.searchParams.set('path', e.key.path);
  if (e.key.method !== undefined) url.searchParams.set('method', e.key.method);
  url.searchParams.set('from', String(e.startsAt - hourMs));
  url.searchParams.set('to', String((e.endsAt ?? e.at) + 15 * 60_000));
  return url.toString();
}

const heading = (e: AlertEvent) =>
  `${e.kind === 'resolved' ? 'RESOLVED' : e.severity.toUpperCase()}: ${e.rule} on ${describeSeries(e.key)}`;

// Slack's mrkdwn treats <, > and & as control characters: user text (service names, routes) is escaped.
const escapeMrkdwn = (text: string) =>
  text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/** A Slack incoming-webhook message in Block Kit: a section per alert with a button to the dashboard. */
export function buildSlackMessage(events: readonly AlertEvent[], dashboardUrl: string) {
  const firing = events.filter((e) => e.kind !== 'resolved').length;
  const text = `${firing} firing, ${events.length - firing} resolved: ${events.map(heading).join('; ')}`;
  const blocks = events.flatMap((e) => [
    { type: 'header', text: { type: 'plain_text', text: heading(e).slice(0, 150) } },
    {
      type: 'section',
      fields: [
        { type: 'mrkdwn', text: `*Service*\n${escapeMrkdwn(e.key.service ?? 'all')}` },
        {
          type: 'mrkdwn',
          text: `*Endpoint*\n${escapeMrkdwn(e.key.path === undefined ? 'all' : `${e.key.method} ${e.key.path}`)}`,
        },
        { type: 'mrkdwn', text: `*Value*\n${escapeMrkdwn(e.value)}` },
        { type: 'mrkdwn', text: `*Expected*\n${escapeMrkdwn(e.expected)}` },
      ],
    },
    { type: 'section', text: { type: 'mrkdwn', text: escapeMrkdwn(e.explanation) } },
    {
      type: 'actions',
      elements: [
        {
          type: 'button',
          text: { type: 'plain_text', text: 'Open dashboard' },
          url: buildDashboardLink(dashboardUrl, e),
        },
      ],
    },
  ]);
  // Slack allows 50 blocks per message; a storm is summarised in `text` and cut.
  return { text: text.slice(0, 3000), blocks: blocks.slice(0, 48) };
}

/** The generic webhook's JSON: stable event ids so a receiver can drop a redelivery. */
export function buildWebhookBody(events: readonly AlertEvent[], dashboardUrl: string) {
  return {
    version: 'gravix.alerts/v1',
    alerts: events.map((e) => ({
      id: e.id,
      status: e.kind === 'resolved' ? 'resolved' : 'firing',
      kind: e.kind,
      rule: e.rule,
      tenant: e.tenant,
      severity: e.severity,
      service: e.key.service ?? null,
      method: e.key.method ?? null,
      path: e.key.path ?? null,
      value: e.value,
      expected: e.expected,
      explanation: e.explanation,
      startsAt: new Date(e.startsAt).toISOString(),
      endsAt: e.endsAt === undefined ? null : new Date(e.endsAt).toISOString(),
      dashboardUrl: buildDashboardLink(dashboardUrl, e),
    })),
  };
}

export const signatureHeader = 'x-gravix-signature';

/**
 * `t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>">`: the timestamp is signed with the body, so a captured
 * request cannot be replayed later with a new time (receivers reject old t).
 */
export function signWebhookBody(secret: string, body: string, unixSeconds: number): string {
  const mac = createHmac('sha256', secret).update(`${unixSeconds}.${body}`).digest('hex');
  return `t=${unixSeconds},v1=${mac}`;
}

/**
 * Alertmanager v2 `postableAlerts`; labels identify the alert (Alertmanager groups and deduplicates on them).
 * `postedAt` is when the message goes out: a firing alert stays valid `validForMs` past it.
 */
export function buildAlertmanagerAlerts(
  events: readonly AlertEvent[],
  dashboardUrl: string,
  validForMs: number,
  postedAt: number,
) {
  return events.map((e) => {
    const labels: Record<string, string> = {
      alertname: e.rule,
      tenant: e.tenant,
      severity: e.severity,
      source: 'gravix',
    };
    if (e.key.service !== undefined) labels['service'] = e.key.service;
    if (e.key.method !== undefined) labels['method'] = e.key.method;
    if (e.key.path !== undefined) labels['route'] = e.key.path;
    // A firing alert is re-posted every evaluation and stays valid a few minutes past the post, so a stopped
    // evaluator's alerts expire rather than fire forever; a resolved one ends when it cleared. Counted from the
    // post, not the judged minute: a minute is judged minutes after it ended (settle time, a catch-up, an owed
    // retry), and an end already past would make Alertmanager resolve an alert that still fires.
    const endsAt = e.kind === 'resolved' ? (e.endsAt ?? e.at) : Math.max(e.at, postedAt) + validForMs;
    return {
      labels,
      annotations: { summary: heading(e), description: e.explanation, value: e.value, expected: e.expected },
      startsAt: new Date(e.startsAt).toISOString(),
      endsAt: new Date(endsAt).toISOString(),
      generatorURL: buildDashboardLink(dashboardUrl, e),
    };
  });
}
