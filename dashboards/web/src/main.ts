import { ApiClient } from './api/api-client.js';
import { TokenStore } from './api/token-store.js';
import { DashboardApp } from './app.js';
import { IdentityApi } from './api/identity-api.js';
import { AdminView } from './views/admin-view.js';
import { ViewsApi } from './api/views-api.js';
import { SavedViewsView } from './views/saved-views-view.js';
import { installChartExport } from './views/chart-export.js';
import { ThemeSwitch } from './views/theme-switch.js';
import { AlertsApi } from './api/alerts-api.js';
import { AlertsApp } from './alerts-app.js';

/** Composition root of the browser app: the API lives on the page's own origin (the query server serves both). */
function storage(): Storage | null {
  try {
    return window.localStorage;
  } catch {
    return null;
  }
}

// First, so the page is drawn in the chosen theme.
new ThemeSwitch().start();
installChartExport(document);
const tokens = new TokenStore(storage());
const api = new ApiClient({ baseUrl: window.location.origin, getToken: () => tokens.get() });
const alerts = new AlertsApp(new AlertsApi(window.location.origin, () => tokens.get()));
new DashboardApp(api, tokens, alerts).start();
alerts.start();
new AdminView(new IdentityApi(window.location.origin, () => tokens.get())).start();
new SavedViewsView(new ViewsApi(window.location.origin, () => tokens.get())).start();
