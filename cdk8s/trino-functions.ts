import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Container, Volume, VolumeMount } from './k8s-imports.js';
import type { GravixPipeline } from '../crds/gravix-pipeline.js';
import { imageRef } from './images.js';
import { childName } from './naming.js';
import { containerSecurity, resources } from './pod-defaults.js';

/**
 * Gravix's Trino functions (trino-functions/: gravix_merge_histograms, docs/adr/0146) on the Trino pods. Their
 * sources and build script travel in a ConfigMap; an init container compiles them with the pod's own Trino image
 * (its JDK, against its lib/) into an emptyDir that Trino loads as the plugin directory `gravix`. So the plugin
 * always matches the SPI of the Trino that loads it, whatever Trino image a pipeline names, and no image carries
 * a jar built elsewhere. A build that fails leaves the directory empty: Trino starts without the functions and the
 * query server merges histograms in plain SQL (it says so in its log when it opens).
 */

/** Where the public Trino image (and the test cluster's, testbin/cluster/images/trino) installs Trino. */
export const TRINO_HOME = '/usr/lib/trino';
/** The plugin's directory under Trino's plugin/ (the test harness links its build there too). */
export const GRAVIX_PLUGIN_NAME = 'gravix';
/** The plugin directory the init container fills and Trino reads. */
export const GRAVIX_PLUGIN_DIR = `${TRINO_HOME}/plugin/${GRAVIX_PLUGIN_NAME}`;
const SOURCES_DIR = '/opt/gravix/trino-functions';

interface FunctionsFile {
  /** The ConfigMap key (flat: keys cannot hold a slash). */
  key: string;
  /** Where build.sh expects it, relative to its own directory. */
  path: string;
  text: string;
}

/** trino-functions/ beside the compiled code: two levels up in dist/ (the images), one in the sources (tests). */
function functionsRoot(): string {
  const here = dirname(fileURLToPath(import.meta.url));
  const candidates = [resolve(here, '..', 'trino-functions'), resolve(here, '..', '..', 'trino-functions')];
  const found = candidates.find((dir) => existsSync(join(dir, 'build.sh')));
  if (!found)
    throw new Error(`trino-functions/ not found beside ${here} (looked in ${candidates.join(', ')})`);
  return found;
}

function filesUnder(dir: string): string[] {
  return readdirSync(dir)
    .sort()
    .flatMap((name) => {
      const path = join(dir, name);
      return statSync(path).isDirectory() ? filesUnder(path) : [path];
    });
}

let cached: FunctionsFile[] | undefined;

/** Every file build.sh needs, read once: its sources, its resources and itself. */
export function trinoFunctionsFiles(): readonly FunctionsFile[] {
  if (cached) return cached;
  const root = functionsRoot();
  cached = filesUnder(root).map((file) => {
    const path = relative(root, file);
    return { key: path.replaceAll('/', '_'), path, text: readFileSync(file, 'utf8') };
  });
  return cached;
}

/** The ConfigMap's data: one key per file. */
export function buildTrinoFunctionsConfigMapData(): Record<string, string> {
  return Object.fromEntries(trinoFunctionsFiles().map((f) => [f.key, f.text]));
}

export const trinoFunctionsConfigMapName = (pipeline: GravixPipeline) =>
  childName(pipeline, 'trino-functions');

/** The Trino pod's volumes for the functions: the sources, the built plugin, the build's scratch space. */
export function trinoFunctionsVolumes(pipeline: GravixPipeline): Volume[] {
  return [
    {
      name: 'functions-src',
      configMap: {
        name: trinoFunctionsConfigMapName(pipeline),
        items: trinoFunctionsFiles().map((f) => ({ key: f.key, path: f.path })),
      },
    },
    { name: 'functions', emptyDir: {} },
    { name: 'functions-tmp', emptyDir: {} },
  ];
}

/** The Trino container's mount of the built plugin. */
export const trinoFunctionsMount: VolumeMount = {
  name: 'functions',
  mountPath: GRAVIX_PLUGIN_DIR,
  readOnly: true,
};

/** The init container that compiles the functions with the pod's Trino image before Trino starts. */
export function trinoFunctionsInitContainer(pipeline: GravixPipeline, uid: number): Container {
  const build = `${SOURCES_DIR}/build.sh`;
  return {
    name: 'trino-functions',
    image: imageRef(pipeline, 'trino'),
    imagePullPolicy: 'IfNotPresent',
    // sh runs the build so that an image without bash still starts Trino (the build fails, the echo says so).
    command: ['sh', '-c'],
    args: [
      `bash ${build} ${TRINO_HOME} ${GRAVIX_PLUGIN_DIR} || ` +
        'echo "gravix: the Trino functions did not build; Trino starts without them and the query server ' +
        'merges histograms in plain SQL" >&2',
    ],
    env: [{ name: 'TMPDIR', value: '/tmp' }],
    // javac's heap is a quarter of this limit.
    resources: resources({ cpu: '100m', memory: '512Mi' }),
    securityContext: containerSecurity({ uid, readOnlyRootFilesystem: true }),
    volumeMounts: [
      { name: 'functions-src', mountPath: SOURCES_DIR, readOnly: true },
      { name: 'functions', mountPath: GRAVIX_PLUGIN_DIR },
      { name: 'functions-tmp', mountPath: '/tmp' },
    ],
  };
}
