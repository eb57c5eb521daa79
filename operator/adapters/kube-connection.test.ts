import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { KubeconfigError, loadKubeconfigFile } from './kube-connection.js';

function writeKubeconfig(body: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'gravix-kubeconfig-'));
  writeFileSync(join(dir, 'ca.crt'), 'CA-FROM-FILE');
  writeFileSync(join(dir, 'token'), 'file-token\n');
  writeFileSync(join(dir, 'config'), body);
  return join(dir, 'config');
}

const kubeconfig = (user: string, cluster = 'certificate-authority: ca.crt') => `
apiVersion: v1
kind: Config
current-context: test
contexts:
- name: test
  context: { cluster: c, user: u, namespace: team-a }
clusters:
- name: c
  cluster: { server: 'https://10.0.0.1:6443', ${cluster} }
users:
- name: u
  user: { ${user} }
`;

describe('loadKubeconfigFile', () => {
  it('reads the current context with an inline token and a CA file relative to the kubeconfig', () => {
    const conn = loadKubeconfigFile(writeKubeconfig(kubeconfig('token: abc')));
    expect(conn.server).toBe('https://10.0.0.1:6443');
    expect(conn.ca?.toString()).toBe('CA-FROM-FILE');
    expect(conn.token?.()).toBe('abc');
    expect(conn.namespace).toBe('team-a');
  });

  it('reads a token file and base64 certificate data', () => {
    const data = Buffer.from('INLINE-CA').toString('base64');
    const conn = loadKubeconfigFile(
      writeKubeconfig(kubeconfig('tokenFile: token', `certificate-authority-data: ${data}`)),
    );
    expect(conn.ca?.toString()).toBe('INLINE-CA');
    expect(conn.token?.()).toBe('file-token');
  });

  it('names the missing entry when the context points nowhere', () => {
    const path = writeKubeconfig(kubeconfig('token: abc')).replace(/config$/, 'broken');
    writeFileSync(path, 'current-context: nope\ncontexts: []\n');
    expect(() => loadKubeconfigFile(path)).toThrow(
      new KubeconfigError(`kubeconfig ${path}: no context named 'nope'`),
    );
  });
});
