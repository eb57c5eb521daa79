import { sendApiRequest } from './send-api-request.js';

/** `GET /api/v1/whoami`: who the page acts as; a person's session adds its role and CSRF token. */
export interface Whoami {
  tenant: string;
  actor: string;
  scopes: string[];
  role?: string;
  csrfToken?: string;
  expiresAt?: number;
}

/**
 * What every API client of the dashboard shares: a person's session rides on its HttpOnly cookie and every call
 * that changes something carries the session's CSRF token, learnt from `whoami` (docs/adr/0076); a token login
 * sends its key instead and needs no CSRF token.
 */
export class SessionApi {
  private csrf: string | null = null;

  constructor(
    private readonly baseUrl: string,
    private readonly getToken: () => string | null,
  ) {}

  /** Who the page acts as; keeps a person's CSRF token for the calls that change something. */
  async whoami(): Promise<Whoami> {
    const me = await this.call<Whoami>('GET', 'whoami');
    this.csrf = me.csrfToken ?? null;
    return me;
  }

  protected call<T>(method: string, resource: string, body?: unknown): Promise<T> {
    const base = { baseUrl: this.baseUrl, token: this.getToken(), csrf: this.csrf, method, resource };
    return sendApiRequest<T>(body === undefined ? base : { ...base, body });
  }
}
