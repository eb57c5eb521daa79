import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));

/**
 * Absolute path of the built dashboard (index.html, app.js, app.css), ready to serve at `/` with SPA fallback
 * to index.html. Built by `node dashboards/web/build.mjs`. Works from the TypeScript source and from the
 * compiled copy under the repo's dist/ (dist/dashboards/web/index.js), where the assets are not next to it.
 */
export function dashboardAssetsDir(): string {
  const candidates = [join(here, 'dist'), resolve(here, '..', '..', '..', 'dashboards', 'web', 'dist')];
  return candidates.find((dir) => existsSync(join(dir, 'index.html'))) ?? candidates[0]!;
}
