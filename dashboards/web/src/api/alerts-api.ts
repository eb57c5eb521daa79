import type { Silence } from '../../../../workers/alert/domain/silence.js';
import type { AlertsResponse } from '../domain/alert-summary.js';
import { SessionApi } from './session-api.js';

export type { Silence };

export interface SilenceRequest {
  rule?: string;
  service?: string;
  method?: string;
  path?: string;
  expiresAt: number;
  comment: string;
}

/**
 * The alert calls of the dashboard (docs/alerts.md): `GET /api/v1/alerts` for everyone who reads the tenant, the
 * silences for operators (the API answers a viewer 403 whatever the page shows). A person's changes carry the
 * session's CSRF token (docs/adr/0076).
 */
export class AlertsApi extends SessionApi {
  alerts(range: { from: number; to: number }): Promise<AlertsResponse> {
    const from = Math.max(0, Math.floor(range.from));
    return this.call('GET', `alerts?from=${from}&to=${Math.floor(range.to)}`);
  }

  async silences(): Promise<Silence[]> {
    return (await this.call<{ silences: Silence[] }>('GET', 'alert-silences')).silences;
  }

  createSilence(request: SilenceRequest): Promise<Silence> {
    return this.call('POST', 'alert-silences', request);
  }

  expireSilence(id: string): Promise<void> {
    return this.call('DELETE', `alert-silences/${encodeURIComponent(id)}`);
  }
}
