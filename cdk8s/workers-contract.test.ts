import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { loadAlertConfig } from '../workers/alert/config.js';
import { loadNotificationChannels } from '../workers/alert/adapters/notification-channels.js';
import { loadIngestConfig } from '../workers/ingest/config.js';
import { loadQueryConfig } from '../workers/query/config.js';
import { loadRollupConfig } from '../workers/rollup/config.js';
import { loadWaitConfig } from '../workers/storage-setup/config.js';
import { makePipeline } from '../crds/testing/pipeline-fixture.js';
import { synthPipeline, type Manifest } from './pipeline-chart.js';
import { parseTenantsFile } from '../crds/gravix-tenant.js';
import { parse } from 'yaml';

type Container = { args: string[]; env?: { name: string; value?: string; valueFrom?: unknown }[] };

/** The container's literal env values (Secret-backed ones are stubbed by containerEnv). */
const plainEnv = (c: Container) =>
  Object.fromEntries((c.env ?? []).filter((e) => e.value !== undefined).map((e) => [e.name, e.value!]));

/** The environment a container would see: the ConfigMap via envFrom plus its Secret-backed variables. */
function containerEnv(manifests: Manifest[], container: Container): Record<string, string> {
  const config = manifests.find((m) => m.metadata.name === 'shop-config') as unknown as {
    data: Record<string, string>;
  };
  // A fieldRef is the pod's name (the ingester id), as a StatefulSet names its pods.
  const secrets = Object.fromEntries(
    (container.env ?? []).map((e) => [
      e.name,
      JSON.stringify(e.valueFrom ?? {}).includes('fieldRef')
        ? 'shop-ingest-0'
        : `secret-${e.name.toLowerCase()}`,
    ]),
  );
  return { ...config.data, ...secrets };
}

function container(manifests: Manifest[], kind: string, name: string): Container {
  const m = manifests.find((o) => o.kind === kind && o.metadata.name === name) as unknown as {
    spec: {
      template?: { spec: { containers: Container[] } };
      jobTemplate?: { spec: { template: { spec: { containers: Container[] } } } };
    };
  };
  const pod = m.spec.template ?? m.spec.jobTemplate!.spec.template;
  return pod.spec.containers[0]!;
}

describe('synthesized worker pods against the workers config schemas', () => {
  const manifests = synthPipeline(makePipeline(), { generate: () => 'fixed' });

  it('gives the ingestion pod an environment loadIngestConfig accepts', () => {
    const config = loadIngestConfig(
      containerEnv(manifests, container(manifests, 'StatefulSet', 'shop-ingest')),
    );
    expect(config.GRAVIX_INGEST_PORT).toBe(8080);
    expect(config.store).toMatchObject({ GRAVIX_STORE: 's3', GRAVIX_S3_BUCKET: 'gravix' });
  });

  it('gives the query pod an environment loadQueryConfig accepts, on Trino', () => {
    const config = loadQueryConfig(containerEnv(manifests, container(manifests, 'Deployment', 'shop-query')));
    expect(config).toMatchObject({
      GRAVIX_QUERY_ENGINE: 'trino',
      GRAVIX_TRINO_URL: 'http://shop-trino:8080',
    });
  });

  it("passes spec.query.traceUrlTemplate to the query pod only, as the query server's GRAVIX_TRACE_URL_TEMPLATE", () => {
    const template = 'https://grafana.example.com/explore?traceId={traceId}&span={spanId}';
    const traced = synthPipeline(makePipeline({ query: { traceUrlTemplate: template } }), {
      generate: () => 'x',
    });
    const query = container(traced, 'Deployment', 'shop-query');
    const config = loadQueryConfig({ ...containerEnv(traced, query), ...plainEnv(query) });
    expect(config.GRAVIX_TRACE_URL_TEMPLATE).toBe(template);
    expect(plainEnv(container(traced, 'StatefulSet', 'shop-ingest'))).not.toHaveProperty(
      'GRAVIX_TRACE_URL_TEMPLATE',
    );
    expect(plainEnv(container(manifests, 'Deployment', 'shop-query'))).not.toHaveProperty(
      'GRAVIX_TRACE_URL_TEMPLATE',
    );
  });

  it('passes spec.query.oidc to the query pods: the client secret as a mounted file, the callback from the Ingress', () => {
    const signIn = synthPipeline(
      makePipeline({
        ingress: { enabled: true, host: 'gravix.example.com', tlsSecretName: 'tls' },
        query: {
          oidc: {
            issuer: 'https://dex.example.com/dex',
            clientId: 'gravix',
            clientSecretRef: { name: 'oidc', key: 'client-secret' },
            groupsClaim: 'roles',
          },
        },
      }),
      { generate: () => 'x' },
    );
    const query = container(signIn, 'Deployment', 'shop-query');
    // A file the kubelet updates in place (no env var, no subPath): a rotated secret needs no restart.
    expect(query.env?.map((e) => e.name)).not.toContain('GRAVIX_OIDC_CLIENT_SECRET');
    const pod = (
      signIn.find((m) => m.kind === 'Deployment' && m.metadata.name === 'shop-query') as unknown as {
        spec: { template: { spec: { volumes: unknown[]; containers: { volumeMounts: unknown[] }[] } } };
      }
    ).spec.template.spec;
    expect(pod.volumes).toContainEqual({
      name: 'oidc-client-secret',
      projected: {
        defaultMode: 0o440,
        sources: [{ secret: { name: 'oidc', items: [{ key: 'client-secret', path: 'client-secret' }] } }],
      },
    });
    expect(pod.containers[0]!.volumeMounts).toContainEqual({
      name: 'oidc-client-secret',
      mountPath: '/etc/gravix/oidc',
      readOnly: true,
    });
    const config = loadQueryConfig({ ...containerEnv(signIn, query), ...plainEnv(query) });
    expect(config).toMatchObject({
      GRAVIX_OIDC_ISSUER: 'https://dex.example.com/dex',
      GRAVIX_OIDC_CLIENT_ID: 'gravix',
      GRAVIX_OIDC_CLIENT_SECRET_FILE: '/etc/gravix/oidc/client-secret',
      GRAVIX_OIDC_REDIRECT_URL: 'https://gravix.example.com/api/v1/auth/callback',
      GRAVIX_OIDC_GROUPS_CLAIM: 'roles',
      // Groups per role: each tenant's, from the tenants file every query pod mounts.
      GRAVIX_TENANTS_FILE: '/etc/gravix/tenants/tenants.yaml',
    });
    type Policy = { spec: { egress: { ports?: { port: unknown }[]; to?: unknown }[] } };
    const egress = (signIn.find((m) => m.metadata.name === 'shop-egress-query') as unknown as Policy).spec
      .egress;
    expect(egress).toContainEqual({ ports: [{ protocol: 'TCP', port: 443 }] });
  });

  it('passes an in-cluster plain-HTTP issuer only with allowHttp, and a given callback as it is', () => {
    const signIn = synthPipeline(
      makePipeline({
        query: {
          oidc: {
            issuer: 'http://dex.auth.svc:5556/dex',
            clientId: 'gravix',
            allowHttp: true,
            redirectUrl: 'http://localhost:8080/api/v1/auth/callback',
          },
        },
      }),
      { generate: () => 'x' },
    );
    const query = container(signIn, 'Deployment', 'shop-query');
    expect(loadQueryConfig({ ...containerEnv(signIn, query), ...plainEnv(query) })).toMatchObject({
      GRAVIX_OIDC_ALLOW_HTTP: 'true',
      GRAVIX_OIDC_REDIRECT_URL: 'http://localhost:8080/api/v1/auth/callback',
    });
    expect(plainEnv(query)).not.toHaveProperty('GRAVIX_OIDC_CLIENT_SECRET_FILE');
    expect(JSON.stringify(signIn)).not.toContain('oidc-client-secret');
    type Policy = { spec: { egress: { ports?: { port: unknown }[] }[] } };
    const egress = (signIn.find((m) => m.metadata.name === 'shop-egress-query') as unknown as Policy).spec
      .egress;
    expect(egress).toContainEqual({ ports: [{ protocol: 'TCP', port: 5556 }] });
    expect(plainEnv(container(manifests, 'Deployment', 'shop-query'))).not.toHaveProperty(
      'GRAVIX_OIDC_ISSUER',
    );
  });

  it('gives the rollup Deployment an environment loadRollupConfig accepts: a loop over the open hour with /metrics', () => {
    const rollup = container(manifests, 'Deployment', 'shop-rollup');
    const env = { ...containerEnv(manifests, rollup), ...plainEnv(rollup) };
    const config = loadRollupConfig(env, rollup.args.slice(1));
    expect(config).toMatchObject({
      mode: { kind: 'loop' },
      includeOpen: true,
      intervalMs: 30_000,
      http: { host: '0.0.0.0', port: 8080 },
    });
  });

  it('holds each worker pod back with an init container that waits for the bucket with its own credentials', () => {
    for (const [name, component] of [
      ['shop-ingest', 'ingest'],
      ['shop-query', 'query'],
      ['shop-rollup', 'rollup'],
    ] as const) {
      const m = manifests.find((o) => o.kind !== 'Service' && o.metadata.name === name) as unknown as {
        spec: { template: { spec: { initContainers: (Container & { name: string })[] } } };
      };
      const init = m.spec.template.spec.initContainers[0]!;
      expect(init.name).toBe('wait-for-storage');
      const config = loadWaitConfig(containerEnv(manifests, init), init.args.slice(1));
      expect({ component: config.component, bucket: config.bucket }).toEqual({ component, bucket: 'gravix' });
      expect(JSON.stringify(init.env)).toContain(`"shop-s3-${component}"`);
    }
  });

  it('points the ServiceMonitor at a Service port that reaches the listener serving /metrics in every worker', () => {
    const monitoring = synthPipeline(makePipeline({ monitoring: { enabled: true } }), {
      generate: () => 'fixed',
    });
    const monitor = monitoring.find((o) => o.kind === 'ServiceMonitor') as unknown as {
      spec: { endpoints: { port: string; path: string }[] };
    };
    expect(monitor.spec.endpoints).toEqual([expect.objectContaining({ port: 'metrics', path: '/metrics' })]);
    type Service = { spec: { ports: { name: string; targetPort: string | number }[] } };
    type Pod = {
      spec: { template: { spec: { containers: { ports: { name: string; containerPort: number }[] }[] } } };
    };
    const find = <T>(kind: string, name: string) =>
      monitoring.find((o) => o.kind === kind && o.metadata.name === name) as unknown as T;
    // The port each worker's own config says /metrics is served on.
    const queryEnv = containerEnv(monitoring, container(monitoring, 'Deployment', 'shop-query'));
    const metricsListener = {
      ingest: loadIngestConfig(containerEnv(monitoring, container(monitoring, 'StatefulSet', 'shop-ingest')))
        .GRAVIX_INGEST_METRICS_PORT,
      query: loadQueryConfig(queryEnv).GRAVIX_QUERY_METRICS_PORT,
      rollup: 8080,
    };
    for (const component of ['ingest', 'query', 'rollup'] as const) {
      const service = find<Service>('Service', `shop-${component}`);
      const port = service.spec.ports.find((p) => p.name === 'metrics');
      expect(port).toBeDefined();
      const pod = find<Pod>(component === 'ingest' ? 'StatefulSet' : 'Deployment', `shop-${component}`);
      const target = pod.spec.template.spec.containers[0]!.ports.find((p) => p.name === port!.targetPort);
      expect({ component, containerPort: target?.containerPort }).toEqual({
        component,
        containerPort: metricsListener[component],
      });
    }
  });
});

describe('the tenants file the operator renders, against the workers that read it', () => {
  const tenants = {
    settings: parseTenantsFile(
      'tenants:\n  - tenant: acme\n    quotas: { eventsPerSecond: 40 }\n    roles: { admin: [acme-admins] }\n',
      'test',
    ),
    authors: { acme: { uid: 'u1', generation: 2, actor: 'manager:kubectl' } },
  };
  const withTenants = synthPipeline(makePipeline(), { generate: () => 'fixed', tenants });
  type Pod = {
    metadata: { annotations: Record<string, string> };
    spec: {
      volumes: { name: string; configMap?: { name: string } }[];
      containers: (Container & { volumeMounts: { name: string; mountPath: string }[] })[];
    };
  };
  const pod = (manifests: Manifest[], kind: string, name: string) =>
    (
      manifests.find((m) => m.kind === kind && m.metadata.name === name) as unknown as {
        spec: { template: Pod };
      }
    ).spec.template;

  it('is one ConfigMap the workers parse back to the same tenants, with who changed each', () => {
    const configMap = withTenants.find((m) => m.metadata.name === 'shop-tenants') as unknown as {
      data: Record<string, string>;
    };
    expect(parseTenantsFile(configMap.data['tenants.yaml']!, 'shop-tenants')).toEqual(tenants.settings);
    expect(parse(configMap.data['tenant-authors.yaml']!)).toEqual({ tenants: tenants.authors });
  });

  it('is mounted into ingest, query and rollup, whose configs take GRAVIX_TENANTS_FILE, and into no other pod', () => {
    for (const [kind, name] of [
      ['StatefulSet', 'shop-ingest'],
      ['Deployment', 'shop-query'],
      ['Deployment', 'shop-rollup'],
    ] as const) {
      const template = pod(withTenants, kind, name);
      const c = template.spec.containers[0]!;
      expect(plainEnv(c)['GRAVIX_TENANTS_FILE']).toBe('/etc/gravix/tenants/tenants.yaml');
      expect(c.volumeMounts).toContainEqual({
        name: 'tenants',
        mountPath: '/etc/gravix/tenants',
        readOnly: true,
      });
      expect(template.spec.volumes).toContainEqual({ name: 'tenants', configMap: { name: 'shop-tenants' } });
    }
    const ingest = container(withTenants, 'StatefulSet', 'shop-ingest');
    expect(
      loadIngestConfig({ ...containerEnv(withTenants, ingest), ...plainEnv(ingest) }).GRAVIX_TENANTS_FILE,
    ).toBe('/etc/gravix/tenants/tenants.yaml');
    const query = container(withTenants, 'Deployment', 'shop-query');
    expect(
      loadQueryConfig({ ...containerEnv(withTenants, query), ...plainEnv(query) }).GRAVIX_TENANTS_FILE,
    ).toBe('/etc/gravix/tenants/tenants.yaml');
    const trino = withTenants.find((m) => m.metadata.name === 'shop-trino-coordinator');
    expect(JSON.stringify(trino)).not.toContain('shop-tenants');
  });

  it('changes no pod template when a tenant changes: the kubelet updates the mounted file in place, no restart', () => {
    const before = synthPipeline(makePipeline(), { generate: () => 'fixed' });
    for (const [kind, name] of [
      ['StatefulSet', 'shop-ingest'],
      ['Deployment', 'shop-query'],
      ['Deployment', 'shop-rollup'],
    ] as const)
      expect(pod(withTenants, kind, name)).toEqual(pod(before, kind, name));
  });
});

describe('the alert worker pod against gravix alert', () => {
  const manifests = synthPipeline(
    makePipeline({
      alerts: {
        enabled: true,
        channels: [
          { name: 'team-slack', type: 'slack', urlSecretRef: { name: 'hooks', key: 'slack' } },
          {
            name: 'pager',
            type: 'webhook',
            urlSecretRef: { name: 'hooks', key: 'pager' },
            hmacSecretRef: { name: 'hooks', key: 'pager-hmac' },
          },
        ],
      },
    }),
    { generate: () => 'fixed' },
  );
  const alert = container(manifests, 'Deployment', 'shop-alert');
  // The kubelet injects the apiserver address; Secret-backed variables get values as the kubelet would resolve them.
  const env = {
    ...containerEnv(manifests, alert),
    ...plainEnv(alert),
    KUBERNETES_SERVICE_HOST: '10.96.0.1',
  };

  it('lets every serving worker start for up to 5 minutes before liveness counts (engine warm-up, log replay)', () => {
    type Probed = { startupProbe?: Probe; livenessProbe?: Probe; readinessProbe?: Probe };
    type Probe = { httpGet: { path: string }; periodSeconds: number; failureThreshold: number };
    for (const [kind, name] of [
      ['StatefulSet', 'shop-ingest'],
      ['Deployment', 'shop-query'],
      ['Deployment', 'shop-rollup'],
      ['Deployment', 'shop-alert'],
    ] as const) {
      const c = container(manifests, kind, name) as unknown as Probed;
      expect(c.startupProbe?.httpGet.path).toBe('/live');
      expect(c.startupProbe!.periodSeconds * c.startupProbe!.failureThreshold).toBe(300);
      // The liveness probe alone would have killed a worker that had not listened within a minute.
      expect(c.livenessProbe!.periodSeconds * c.livenessProbe!.failureThreshold).toBe(60);
    }
  });

  it('gives it an environment loadAlertConfig accepts: Trino, its Lease, and its pipeline’s rules', () => {
    const config = loadAlertConfig(env);
    expect(config.query).toMatchObject({
      GRAVIX_QUERY_ENGINE: 'trino',
      GRAVIX_TRINO_URL: 'http://shop-trino:8080',
    });
    expect(config.GRAVIX_ALERT_METRICS_PORT).toBe(8080);
    expect(config.kubernetes).toMatchObject({
      pipeline: 'shop',
      apiserver: { inCluster: { host: '10.96.0.1', port: '443' } },
      lease: { name: 'shop-alert' },
    });
  });

  it('mounts a channels file the worker resolves from the channel Secrets mounted as files, with no URL in it', () => {
    const configMap = manifests.find((m) => m.metadata.name === 'shop-alert-channels') as unknown as {
      data: Record<string, string>;
    };
    const text = configMap.data['channels.yaml']!;
    expect(text).not.toContain('https://');
    // What the kubelet does: each projected Secret key becomes a file at its path under the volume's mount.
    type Projected = { secret: { name: string; items: { key: string; path: string }[] } };
    const pod = (
      manifests.find((m) => m.kind === 'Deployment' && m.metadata.name === 'shop-alert') as unknown as {
        spec: { template: { spec: { volumes: { name: string; projected?: { sources: Projected[] } }[] } } };
      }
    ).spec.template.spec;
    const mount = (
      alert as unknown as { volumeMounts: { name: string; mountPath: string }[] }
    ).volumeMounts.find((m) => m.name === 'alert-channel-secrets')!;
    const secrets: Record<string, string> = {
      'hooks/slack': 'https://hooks.invalid/slack',
      'hooks/pager': 'https://hooks.invalid/pager',
      'hooks/pager-hmac': 'pager-signing-key',
    };
    const dir = mkdtempSync(join(tmpdir(), 'gx-channel-secrets-'));
    const sources = pod.volumes.find((v) => v.name === 'alert-channel-secrets')!.projected!.sources;
    for (const { secret } of sources)
      for (const item of secret.items) {
        mkdirSync(dirname(join(dir, item.path)), { recursive: true });
        writeFileSync(join(dir, item.path), `${secrets[`${secret.name}/${item.key}`]}\n`);
      }
    const file = join(dir, 'channels.yaml');
    writeFileSync(file, text.replaceAll(mount.mountPath, dir));
    expect(loadNotificationChannels(file, {})).toEqual([
      { name: 'team-slack', type: 'slack', url: 'https://hooks.invalid/slack' },
      { name: 'pager', type: 'webhook', url: 'https://hooks.invalid/pager', secret: 'pager-signing-key' },
    ]);
    // Nothing from the channel Secrets reaches the environment, where a rotation would need a restart.
    expect(JSON.stringify(alert.env)).not.toContain('hooks');
    expect(loadAlertConfig(env).GRAVIX_ALERT_CHANNELS_FILE).toBe('/etc/gravix/alert-channels/channels.yaml');
  });
});
