import type { AlertEvent } from '../domain/alert-state.js';
import {
  buildAlertmanagerAlerts,
  buildSlackMessage,
  buildWebhookBody,
  signWebhookBody,
  signatureHeader,
} from '../domain/notification-payloads.js';
import type { ChannelDefinition } from './notification-channels.js';

export interface SendResult {
  ok: boolean;
  /** Whether trying again may help (network errors, 429, 5xx). */
  retryable: boolean;
  status?: number;
  error?: string;
}

export interface SendContext {
  dashboardUrl: string;
  /** How long a firing alert posted to Alertmanager stays valid without being posted again. */
  alertmanagerValidForMs: number;
  timeoutMs: number;
  now: () => number;
}

function request(
  channel: ChannelDefinition,
  events: readonly AlertEvent[],
  ctx: SendContext,
): { url: string; body: string; headers: Record<string, string> } {
  if (channel.type === 'slack')
    return {
      url: channel.url,
      body: JSON.stringify(buildSlackMessage(events, ctx.dashboardUrl)),
      headers: {},
    };
  if (channel.type === 'alertmanager') {
    const body = JSON.stringify(
      buildAlertmanagerAlerts(events, ctx.dashboardUrl, ctx.alertmanagerValidForMs, ctx.now()),
    );
    return { url: `${channel.url.replace(/\/+$/, '')}/api/v2/alerts`, body, headers: {} };
  }
  const body = JSON.stringify(buildWebhookBody(events, ctx.dashboardUrl));
  const signature = signWebhookBody(channel.secret ?? '', body, Math.floor(ctx.now() / 1000));
  return { url: channel.url, body, headers: { [signatureHeader]: signature } };
}

/** One HTTP POST of one channel's message; never throws (the notifier records and retries). */
export async function sendToChannel(
  channel: ChannelDefinition,
  events: readonly AlertEvent[],
  ctx: SendContext,
): Promise<SendResult> {
  const { url, body, headers } = request(channel, events, ctx);
  try {
    const res = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'user-agent': 'gravix-alert', ...headers },
      body,
      signal: AbortSignal.timeout(ctx.timeoutMs),
      redirect: 'error',
    });
    await res.arrayBuffer().catch(() => undefined);
    if (res.ok) return { ok: true, retryable: false, status: res.status };
    return {
      ok: false,
      retryable: res.status === 429 || res.status >= 500,
      status: res.status,
      error: `HTTP ${res.status}`,
    };
  } catch (error) {
    // The URL is a credential: only the error's kind is kept, never the message that may quote it.
    const cause = (error as { cause?: { code?: string } }).cause?.code ?? (error as Error).name;
    return { ok: false, retryable: true, error: `request failed: ${cause}` };
  }
}
