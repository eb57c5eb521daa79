import type { SavedView } from '../../../../workers/query/domain/saved-views-doc.js';
import type { ViewSettings } from '../../../../workers/query/domain/saved-view.js';
import type { Whoami } from './identity-api.js';
import { sendApiRequest } from './send-api-request.js';

/** `/api/v1/views`: the tenant's saved views (docs/query-api.md). Changes need the operator scope. */
export class ViewsApi {
  private csrf: string | null = null;

  constructor(
    private readonly baseUrl: string,
    private readonly getToken: () => string | null,
  ) {}

  /** Who the page acts as; keeps a person's CSRF token for the changes. */
  async whoami(): Promise<Whoami> {
    const me = await this.call<Whoami>('GET', 'whoami');
    this.csrf = me.csrfToken ?? null;
    return me;
  }

  async list(): Promise<SavedView[]> {
    return (await this.call<{ views: SavedView[] }>('GET', 'views')).views;
  }

  create(name: string, view: ViewSettings): Promise<SavedView> {
    return this.call('POST', 'views', { name, view });
  }

  rename(id: string, name: string): Promise<SavedView> {
    return this.call('POST', `views/${encodeURIComponent(id)}/rename`, { name });
  }

  remove(id: string): Promise<void> {
    return this.call('DELETE', `views/${encodeURIComponent(id)}`);
  }

  private call<T>(method: string, resource: string, body?: unknown): Promise<T> {
    const base = { baseUrl: this.baseUrl, token: this.getToken(), csrf: this.csrf, method, resource };
    return sendApiRequest<T>(body === undefined ? base : { ...base, body });
  }
}
