import { request } from 'node:http';
import { kubectl, testCluster } from '../harness/cluster.js';
import { waitUntil } from '../harness/wait-until.js';

/**
 * The test cluster itself (testbin/cluster): a pod runs from a locally imported image, a Service name resolves
 * through CoreDNS and answers through kube-proxy, an Ingress routes a host through the ingress controller's
 * NodePort, a PVC is provisioned, and metrics-server reports the node's CPU.
 */

const ns = 'testbin-smoke';
const busybox = 'testbin.local/busybox:bookworm';
const host = 'smoke.gravix.test';

const manifests = `
apiVersion: v1
kind: Namespace
metadata: { name: ${ns} }
---
apiVersion: v1
kind: ConfigMap
metadata: { name: www, namespace: ${ns} }
data: { index.html: "hello from a pod\\n" }
---
apiVersion: apps/v1
kind: Deployment
metadata: { name: web, namespace: ${ns} }
spec:
  selector: { matchLabels: { app: web } }
  template:
    metadata: { labels: { app: web } }
    spec:
      securityContext: { runAsUser: 65534, runAsGroup: 65534 }
      containers:
        - name: httpd
          image: ${busybox}
          imagePullPolicy: Never
          command: [httpd, -f, -p, "8080", -h, /www]
          ports: [{ name: http, containerPort: 8080 }]
          readinessProbe: { tcpSocket: { port: http }, periodSeconds: 1 }
          volumeMounts: [{ name: www, mountPath: /www }]
      volumes: [{ name: www, configMap: { name: www } }]
---
apiVersion: v1
kind: Service
metadata: { name: web, namespace: ${ns} }
spec:
  selector: { app: web }
  ports: [{ name: http, port: 80, targetPort: http }]
---
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: { name: web, namespace: ${ns} }
spec:
  ingressClassName: ${testCluster().ingressClass}
  rules:
    - host: ${host}
      http:
        paths: [{ path: /, pathType: Prefix, backend: { service: { name: web, port: { name: http } } } }]
---
apiVersion: batch/v1
kind: Job
metadata: { name: client, namespace: ${ns} }
spec:
  backoffLimit: 20
  template:
    spec:
      restartPolicy: Never
      containers:
        - name: client
          image: ${busybox}
          imagePullPolicy: Never
          command:
            - sh
            - -c
            # The Service may get its endpoint after this pod starts: ask until the page comes back.
            - >-
              nslookup web.${ns}.svc.cluster.local &&
              for i in $(seq 60); do
              out=$(printf 'GET /index.html HTTP/1.0\\r\\n\\r\\n' | nc -w 5 web 80) &&
              echo "$out" | grep -q 'hello from a pod' && echo "$out" && exit 0; sleep 2; done; exit 1
---
apiVersion: v1
kind: PersistentVolumeClaim
metadata: { name: data, namespace: ${ns} }
spec:
  accessModes: [ReadWriteOnce]
  resources: { requests: { storage: 64Mi } }
---
apiVersion: v1
kind: Pod
metadata: { name: writer, namespace: ${ns} }
spec:
  restartPolicy: Never
  containers:
    - name: writer
      image: ${busybox}
      imagePullPolicy: Never
      command: [sh, -c, 'echo kept > /data/file && cat /data/file']
      volumeMounts: [{ name: data, mountPath: /data }]
  volumes: [{ name: data, persistentVolumeClaim: { claimName: data } }]
`;

function getThroughIngress(path: string): Promise<{ status: number; body: string }> {
  const url = new URL(path, testCluster().ingressUrl);
  return new Promise((resolveGet, reject) => {
    const req = request(url, { headers: { host }, timeout: 5000 }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolveGet({ status: res.statusCode ?? 0, body }));
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', reject);
    req.end();
  });
}

describe('the single-node test cluster', () => {
  beforeAll(async () => {
    await kubectl(['apply', '-f', '-'], manifests);
  });

  afterAll(async () => {
    await kubectl(['delete', 'namespace', ns, '--wait=false', '--ignore-not-found']);
  });

  it('runs a Deployment from a locally imported image', async () => {
    await kubectl(['-n', ns, 'wait', 'deployment/web', '--for=condition=Available', '--timeout=180s']);
  });

  it('resolves a Service name through CoreDNS and reaches it through kube-proxy', async () => {
    await kubectl(['-n', ns, 'wait', 'job/client', '--for=condition=Complete', '--timeout=180s']);
    const clusterIp = (
      await kubectl(['-n', ns, 'get', 'service', 'web', '-o', 'jsonpath={.spec.clusterIP}'])
    ).trim();
    const logs = await kubectl(['-n', ns, 'logs', 'job/client']);
    expect(logs).toContain(`Address: ${clusterIp}`);
    expect(logs).toContain('hello from a pod');
  });

  it('routes a host through the Ingress', async () => {
    // The controller polls the API every two seconds and kube-proxy programs endpoints a moment later.
    const res = await waitUntil(
      async () => {
        const r = await getThroughIngress('/index.html');
        return r.status === 200 ? r : undefined;
      },
      { what: `GET http://${host}/index.html through the ingress`, timeoutMs: 60_000, intervalMs: 1000 },
    );
    expect(res.body).toBe('hello from a pod\n');
    const status = await kubectl([
      '-n',
      ns,
      'get',
      'ingress',
      'web',
      '-o',
      'jsonpath={.status.loadBalancer.ingress[0].ip}',
    ]);
    expect(new URL(testCluster().ingressUrl).hostname).toBe(status.trim());
  });

  it('provisions a PersistentVolumeClaim for a pod', async () => {
    await kubectl([
      '-n',
      ns,
      'wait',
      'pod/writer',
      '--for=jsonpath={.status.phase}=Succeeded',
      '--timeout=180s',
    ]);
    expect(await kubectl(['-n', ns, 'logs', 'writer'])).toBe('kept\n');
    expect(await kubectl(['-n', ns, 'get', 'pvc', 'data', '-o', 'jsonpath={.status.phase}'])).toBe('Bound');
  });

  it('serves CPU and memory metrics through metrics-server', async () => {
    const top = await waitUntil(
      async () => {
        const out = await kubectl(['top', 'node', '--no-headers']);
        return /\d+m\s+\d+%\s+\d+Mi\s+\d+%/.test(out) ? out : undefined;
      },
      { what: 'kubectl top node', timeoutMs: 120_000, intervalMs: 5000 },
    );
    expect(top).toContain('gravix-node');
  });
});
