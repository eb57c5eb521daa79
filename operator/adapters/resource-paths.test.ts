import { resourceOfPath, resourcePath } from './resource-paths.js';

describe('resourceOfPath', () => {
  it.each([
    ['/api/v1/namespaces/ns/pods', 'pods'],
    ['/api/v1/namespaces/ns/configmaps/a-name', 'configmaps'],
    ['/api/v1/namespaces', 'namespaces'],
    ['/api/v1/namespaces/ns', 'namespaces'],
    ['/apis/gravix.dev/v1beta1/namespaces/ns/gravixpipelines/p/status', 'gravixpipelines/status'],
    ['/apis/coordination.k8s.io/v1/namespaces/gravix-system/leases/gravix-operator', 'leases'],
    ['/apis/apps/v1/deployments?watch=1', 'deployments'],
    ['/apis/monitoring.coreos.com/v1', 'discovery'],
  ])('names the resource of %s as %s, never an object name', (path, resource) => {
    expect(resourceOfPath(path)).toBe(resource);
  });

  it('reads back the resource of every path resourcePath builds', () => {
    const path = resourcePath({ apiVersion: 'apps/v1', kind: 'StatefulSet', namespace: 'ns', name: 'x' });
    expect(resourceOfPath(path)).toBe('statefulsets');
  });
});
