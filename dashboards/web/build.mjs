// Bundles the dashboard into dist/: one ES module, one stylesheet, the theme's boot script, index.html. No CDN and no runtime
// fetches besides the same-origin API, so the page works offline. Asset names carry a content hash so a
// server can cache them forever; only index.html must be revalidated (Cache-Control: no-cache).
import { build } from 'esbuild';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { argv } from 'node:process';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const outdir = join(here, 'dist');

export async function buildDashboard() {
  await rm(outdir, { recursive: true, force: true });
  await mkdir(outdir, { recursive: true });
  const result = await build({
    entryPoints: { app: join(here, 'src', 'main.ts'), style: join(here, 'src', 'app.css') },
    outdir,
    entryNames: '[name]-[hash]',
    bundle: true,
    format: 'esm',
    target: ['chrome100', 'firefox100', 'safari15'],
    minify: true,
    sourcemap: true,
    legalComments: 'none',
    metafile: true,
    logLevel: 'warning',
  });
  // The theme's boot script: a classic script (no module: those run after parsing) that <head> runs before the
  // first paint; a file, not inline, because the CSP allows no inline script (docs/adr/0095).
  const boot = await build({
    entryPoints: { 'theme-boot': join(here, 'src', 'theme-boot.ts') },
    outdir,
    entryNames: '[name]-[hash]',
    bundle: true,
    format: 'iife',
    target: ['chrome100', 'firefox100', 'safari15'],
    minify: true,
    legalComments: 'none',
    metafile: true,
    logLevel: 'warning',
  });
  const outputs = [result, boot].flatMap((r) =>
    Object.keys(r.metafile.outputs).map((file) => basename(file)),
  );
  const script = outputs.find((f) => /^app-.*\.js$/.test(f));
  const style = outputs.find((f) => /^style-.*\.css$/.test(f));
  const theme = outputs.find((f) => /^theme-boot-.*\.js$/.test(f));
  if (!script || !style || !theme)
    throw new Error(`esbuild produced no app script, stylesheet or theme script: ${outputs.join(', ')}`);
  const html = await readFile(join(here, 'src', 'index.html'), 'utf8');
  const linked = html
    .replace('/theme-boot.js', `/${theme}`)
    .replace('/app.js', `/${script}`)
    .replace('/app.css', `/${style}`);
  if (!['/theme-boot.js', '/app.js', '/app.css'].every((name) => html.includes(name)))
    throw new Error('src/index.html no longer links /theme-boot.js, /app.js and /app.css');
  await writeFile(join(outdir, 'index.html'), linked);
  return outdir;
}

if (argv[1] === fileURLToPath(import.meta.url)) {
  await buildDashboard();
}
