import type { SavedView } from '../../../../workers/query/domain/saved-views-doc.js';
import type { ViewSettings } from '../../../../workers/query/domain/saved-view.js';
import { SessionApi } from './session-api.js';

/** `/api/v1/views`: the tenant's saved views (docs/query-api.md). Changes need the operator scope. */
export class ViewsApi extends SessionApi {
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
}
