// Bundles the dashboard into dist/: one ES module, one stylesheet, index.html. No CDN and no runtime
// fetches besides the same-origin API, so the page works offline.
import { build } from 'esbuild';
import { copyFile, mkdir, rm } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { argv } from 'node:process';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const outdir = join(here, 'dist');

export async function buildDashboard() {
  await rm(outdir, { recursive: true, force: true });
  await mkdir(outdir, { recursive: true });
  await build({
    entryPoints: { app: join(here, 'src', 'main.ts'), 'app-style': join(here, 'src', 'app.css') },
    outdir,
    bundle: true,
    format: 'esm',
    target: ['chrome100', 'firefox100', 'safari15'],
    minify: true,
    sourcemap: true,
    legalComments: 'none',
    logLevel: 'warning',
  });
  // esbuild names a CSS entry after its key; index.html links app.css.
  await copyFile(join(outdir, 'app-style.css'), join(outdir, 'app.css'));
  await rm(join(outdir, 'app-style.css'));
  await rm(join(outdir, 'app-style.css.map'), { force: true });
  await copyFile(join(here, 'src', 'index.html'), join(outdir, 'index.html'));
  return outdir;
}

if (argv[1] === fileURLToPath(import.meta.url)) {
  await buildDashboard();
}
