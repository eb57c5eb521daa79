import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const repoRoot = resolve(fileURLToPath(new URL('../..', import.meta.url)));

export interface TestbinVersions {
  KUBERNETES_VERSION: string;
  ETCD_VERSION: string;
  HELM_VERSION: string;
  MINIO_VERSION: string;
  TRINO_VERSION: string;
  SCHEMATHESIS_VERSION: string;
  OTELCOL_VERSION: string;
  OTEL_PYTHON_VERSION: string;
  DEX_VERSION: string;
  /** The Debian release the test cluster's base images (busybox, the Node runtime) come from. */
  DEBIAN_SUITE: string;
}

/** Reads testbin/versions.env, the one place component versions are pinned. */
export function loadTestbinVersions(): TestbinVersions {
  const text = readFileSync(join(repoRoot, 'testbin', 'versions.env'), 'utf8');
  const entries = text
    .split('\n')
    .filter((line) => /^[A-Z_]+=/.test(line))
    .map((line) => line.split('=', 2) as [string, string]);
  return Object.fromEntries(entries) as unknown as TestbinVersions;
}

export function testbinCacheDir(): string {
  return process.env['GRAVIX_TESTBIN_DIR'] ?? join(homedir(), '.cache', 'gravix', 'testbin');
}

export interface TestbinPaths {
  etcd: string;
  kubeApiserver: string;
  helm: string;
  minio: string;
  trinoHome: string;
  chromium: string;
  promtool: string;
  /** Debian's prometheus-alertmanager (scripts/testbin.sh apt), the real Alertmanager of the notifier tests. */
  alertmanager: string;
  temurinJavaHome: string;
  /** Debian's shellcheck (scripts/testbin.sh apt); requireShellcheck() fails loudly when it is missing. */
  shellcheck: string;
  /** The schemathesis CLI in its venv (scripts/testbin.sh schemathesis). */
  schemathesis: string;
  /** The OpenTelemetry Collector built from testbin/otelcol/builder-config.yaml (scripts/testbin.sh otelcol). */
  otelcol: string;
  /** Python of the venv holding the OpenTelemetry SDK and OTLP/HTTP exporter (scripts/testbin.sh otel-python). */
  otelPython: string;
  /** Dex, the OpenID provider of the sign-in tests (scripts/testbin.sh dex). */
  dex: string;
}

export function testbinPaths(): TestbinPaths {
  const v = loadTestbinVersions();
  const cache = testbinCacheDir();
  return {
    etcd: join(cache, `etcd-${v.ETCD_VERSION}`, 'etcd'),
    kubeApiserver: join(cache, `kube-apiserver-${v.KUBERNETES_VERSION}`, 'kube-apiserver'),
    helm: join(cache, `helm-${v.HELM_VERSION}`, 'helm'),
    minio: join(cache, `minio-${v.MINIO_VERSION}`, 'minio'),
    trinoHome: join(cache, `trino-${v.TRINO_VERSION}`),
    chromium: process.env['GRAVIX_CHROMIUM'] ?? '/usr/bin/chromium',
    promtool: process.env['GRAVIX_PROMTOOL'] ?? '/usr/bin/promtool',
    alertmanager: process.env['GRAVIX_ALERTMANAGER'] ?? '/usr/bin/prometheus-alertmanager',
    temurinJavaHome: process.env['GRAVIX_TRINO_JAVA_HOME'] ?? '/usr/lib/jvm/temurin-25-jdk-amd64',
    shellcheck: process.env['GRAVIX_SHELLCHECK'] ?? '/usr/bin/shellcheck',
    schemathesis: join(cache, `schemathesis-${v.SCHEMATHESIS_VERSION}`, 'bin', 'schemathesis'),
    otelcol: join(cache, `otelcol-${v.OTELCOL_VERSION}`, 'otelcol-gravix'),
    otelPython: join(cache, `otel-python-${v.OTEL_PYTHON_VERSION}`, 'bin', 'python'),
    dex: join(cache, `dex-${v.DEX_VERSION}`, 'dex'),
  };
}

export function repoPath(...parts: string[]): string {
  return join(repoRoot, ...parts);
}

/** The shellcheck binary, or an error naming how to provision it: a missing linter fails the test, never skips it. */
export function requireShellcheck(): string {
  const { shellcheck } = testbinPaths();
  if (!existsSync(shellcheck)) {
    throw new Error(
      `shellcheck is not installed at ${shellcheck}: run 'bash scripts/testbin.sh apt' (Debian package shellcheck)`,
    );
  }
  return shellcheck;
}
