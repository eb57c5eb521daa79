import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { request } from 'node:http';
import { kubectl, testCluster } from '../../testbin/harness/cluster.js';
import { waitUntil } from '../../testbin/harness/wait-until.js';
import { componentPods, podReady, type Pod } from './cluster-rollout.js';
import { startHttpReceiver, type ReceivedRequest } from '../../workers/alert/testing/http-receiver.js';
import { ALERT_RULE_API_VERSION, ALERT_RULE_KIND } from '../../crds/gravix-alert-rule-crd.js';

/**
 * The alert half of the end-to-end test (issue #20 on the cluster): a generic webhook receiver the pods reach on
 * the node's own address, the Secret that holds its URL and HMAC key, the pipeline's `alerts` block naming them,
 * a GravixAlertRule, 5xx traffic for the one service it watches, and what the test reads back (the signed
 * payload, the rule's status, the alert pod's /metrics).
 */

/** The service the alert rule watches; the other e2e checks count only e2e-checkout, so this one stays apart. */
export const ALERT_SERVICE = 'e2e-payments';
export const ALERT_RULE_NAME = 'payments-errors';
const CHANNEL = 'e2e-hook';

export interface ClusterWebhook {
  url: string;
  hmacKey: string;
  received: ReceivedRequest[];
  stop(): Promise<void>;
}

/** A webhook receiver bound to the node address (reachable from pods, nothing else), with a fresh HMAC key. */
export async function startClusterWebhook(): Promise<ClusterWebhook> {
  const receiver = await startHttpReceiver([], testCluster().nodeAddress);
  return {
    url: `${receiver.url}/hooks/gravix`,
    hmacKey: randomBytes(24).toString('hex'),
    received: receiver.received,
    stop: receiver.stop,
  };
}

/** The Secret the channel's urlSecretRef and hmacSecretRef name; created before the pipeline so its pod starts. */
export function alertHookSecret(namespace: string, name: string, hook: ClusterWebhook) {
  return {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { name, namespace },
    stringData: { url: hook.url, hmac: hook.hmacKey },
  };
}

/**
 * A new HMAC key in the channel's Secret (the URL stays): what an operator does to rotate it. The alert pod keeps
 * running; the kubelet swaps the projected file and the worker re-reads it (workers/alert/adapters/channel-source.ts).
 */
export async function rotateAlertHookKey(namespace: string, name: string, hook: ClusterWebhook) {
  hook.hmacKey = randomBytes(24).toString('hex');
  await kubectl(['apply', '-f', '-'], JSON.stringify(alertHookSecret(namespace, name, hook)));
}

/** The HMAC key file the running alert pod sees now (the projected volume, as its worker reads it). */
export async function alertPodHmacKey(namespace: string, pod: string): Promise<string> {
  const file = `/etc/gravix/alert-channel-secrets/${CHANNEL}/hmac`;
  const read = `process.stdout.write(require('fs').readFileSync(${JSON.stringify(file)}, 'utf8'))`;
  return (await kubectl(['-n', namespace, 'exec', pod, '--', 'node', '-e', read])).trim();
}

/** Alert worker replicas in the e2e pipeline: two, so the Lease has a standby to hand over to. */
export const ALERT_REPLICAS = 2;

/** spec.alerts of the pipeline: two replicas (the Lease elects one evaluator), one signed webhook channel. */
export function alertsSpec(secretName: string) {
  return {
    enabled: true,
    replicas: ALERT_REPLICAS,
    channels: [
      {
        name: CHANNEL,
        type: 'webhook',
        urlSecretRef: { name: secretName, key: 'url' },
        hmacSecretRef: { name: secretName, key: 'hmac' },
      },
    ],
  };
}

/** Error rate above 20% for ALERT_SERVICE, firing in the first breaching minute. */
export function errorRateRule(namespace: string, pipeline: string) {
  return {
    apiVersion: ALERT_RULE_API_VERSION,
    kind: ALERT_RULE_KIND,
    metadata: { name: ALERT_RULE_NAME, namespace },
    spec: {
      pipelineRef: { name: pipeline },
      kind: 'threshold',
      selector: { tenant: 'default', service: ALERT_SERVICE },
      threshold: { metric: 'error_rate', value: 20, window: '5m', for: '1m', minRequests: 20 },
      channels: [CHANNEL],
    },
  };
}

/**
 * `count` (a multiple of 40) facts of ALERT_SERVICE over the last 20 s, half of them 503 at every second, so any
 * minute the batch straddles sees exactly 50% errors; with `errors` false all succeed (traffic turning healthy).
 */
export function alertTrafficNdjson(runId: string, count: number, errors = true): string {
  const now = Date.now();
  return Array.from({ length: count }, (_, i) =>
    JSON.stringify({
      event_id: `alert-${runId}-${i}`,
      timestamp: now - (i % 20) * 1000,
      service: ALERT_SERVICE,
      method: 'POST',
      path: '/payments',
      status_code: errors && Math.floor(i / 20) % 2 === 0 ? 503 : 201,
      latency_ms: 30 + (i % 50),
    }),
  )
    .map((line) => `${line}\n`)
    .join('');
}

/** POST /api/v1/facts through the Ingress (Host header routed), answered status and body. */
export function postFactsViaIngress(
  host: string,
  key: string,
  ndjson: string,
): Promise<{ status: number; body: string }> {
  const url = new URL('/api/v1/facts', testCluster().ingressUrl);
  return new Promise((resolvePost, reject) => {
    const req = request(
      url,
      {
        method: 'POST',
        timeout: 30_000,
        headers: { host, authorization: `Bearer ${key}`, 'content-type': 'application/x-ndjson' },
      },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (text += chunk));
        res.on('end', () => resolvePost({ status: res.statusCode ?? 0, body: text }));
      },
    );
    req.on('timeout', () => req.destroy(new Error('POST /api/v1/facts via the Ingress: timeout')));
    req.on('error', reject);
    req.end(ndjson);
  });
}

/**
 * Checks X-Gravix-Signature as a receiver would (docs/alerts.md), written here from the documented format rather
 * than with the worker's signer: `t=<unix s>,v1=<hex HMAC-SHA256 of "<t>.<body>">`, constant-time compare, and a
 * `t` within five minutes of now. Returns the problem, or undefined when the signature is valid.
 */
export function webhookSignatureProblem(hmacKey: string, req: ReceivedRequest): string | undefined {
  const header = req.headers['x-gravix-signature'];
  if (typeof header !== 'string') return 'no X-Gravix-Signature header';
  const match = /^t=(\d+),v1=([0-9a-f]{64})$/.exec(header);
  if (!match) return `X-Gravix-Signature "${header}" is not t=<seconds>,v1=<hex>`;
  const [, t, v1] = match as unknown as [string, string, string];
  if (Math.abs(Date.now() / 1000 - Number(t)) > 300) return `t=${t} is more than 5 minutes from now`;
  const expected = createHmac('sha256', hmacKey).update(`${t}.${req.body}`).digest();
  return timingSafeEqual(expected, Buffer.from(v1, 'hex')) ? undefined : 'HMAC does not match the body';
}

/** One alert worker pod's /metrics, fetched from the host over the pod bridge. */
export async function alertPodMetrics(pod: Pod): Promise<string> {
  const ip = pod.status.podIP;
  if (!ip) throw new Error(`alert pod ${pod.metadata.name} has no IP yet`);
  // HTTP_PORT of the pipeline's workers (cdk8s/pipeline-config.ts; GRAVIX_ALERT_METRICS_PORT in cdk8s/alerting.ts).
  const res = await fetch(`http://${ip}:8080/metrics`, { signal: AbortSignal.timeout(10_000) });
  if (res.status !== 200) throw new Error(`GET http://${ip}:8080/metrics answered ${res.status}`);
  return res.text();
}

export interface AlertPodView {
  pod: Pod;
  leader: boolean;
  /** gravix_alert_evaluations_total{result="ok"}: 0 for a replica that never evaluated. */
  evaluations: number;
  /** gravix_alert_notifications_total{outcome="sent"} of the e2e channel. */
  sent: number;
}

/** What each Ready, not terminating alert pod says of itself on /metrics. */
export async function alertPodViews(namespace: string, pipeline: string): Promise<AlertPodView[]> {
  const pods = (await componentPods(namespace, pipeline, 'alert')).filter(
    (p) => !p.metadata.deletionTimestamp && podReady(p),
  );
  return Promise.all(
    pods.map(async (pod) => {
      const metrics = await alertPodMetrics(pod);
      return {
        pod,
        leader: metricValue(metrics, 'gravix_alert_leader', {}) === 1,
        evaluations: metricValue(metrics, 'gravix_alert_evaluations_total', { result: 'ok' }) ?? 0,
        sent:
          metricValue(metrics, 'gravix_alert_notifications_total', { channel: CHANNEL, outcome: 'sent' }) ??
          0,
      };
    }),
  );
}

/**
 * Waits until `replicas` alert pods are Ready and exactly one of them holds the Lease (and `accept` agrees), then
 * returns the leader and the standbys as their /metrics describe them.
 */
export function alertLeaderAndStandbys(
  namespace: string,
  pipeline: string,
  what: string,
  accept: (leader: AlertPodView, standbys: AlertPodView[]) => boolean = () => true,
  timeoutMs = 300_000,
): Promise<{ leader: AlertPodView; standbys: AlertPodView[] }> {
  return waitUntil(
    async () => {
      const views = await alertPodViews(namespace, pipeline);
      const leaders = views.filter((v) => v.leader);
      if (views.length !== ALERT_REPLICAS || leaders.length !== 1) return undefined;
      const standbys = views.filter((v) => !v.leader);
      return accept(leaders[0]!, standbys) ? { leader: leaders[0]!, standbys } : undefined;
    },
    { what, timeoutMs, intervalMs: 3_000 },
  );
}

/** The value of one Prometheus sample line (`name{labels} value`), or undefined when absent. */
export function metricValue(text: string, name: string, labels: Record<string, string>): number | undefined {
  const wanted = Object.entries(labels).map(([k, v]) => `${k}="${v}"`);
  for (const line of text.split('\n')) {
    const match = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!match || match[1] !== name) continue;
    const present = (match[2] ?? '').split(',');
    if (wanted.every((l) => present.includes(l))) return Number(match[3]);
  }
  return undefined;
}
