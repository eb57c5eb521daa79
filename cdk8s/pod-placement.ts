import { Construct } from 'constructs';
import {
  IntOrString,
  KubePodDisruptionBudget,
  KubeService,
  type EnvVar,
  type PodSpec,
} from './k8s-imports.js';
import type { GravixPipeline } from '../crds/gravix-pipeline.js';
import { childMetadata, childName, selectorLabels, type Component } from './naming.js';

/** The governing Service of a StatefulSet: headless, so each pod gets a stable DNS name. */
export function headlessServiceName(pipeline: GravixPipeline, component: Component): string {
  return childName(pipeline, `${component}-headless`);
}

export function headlessService(
  scope: Construct,
  pipeline: GravixPipeline,
  component: Component,
  ports: { name: string; port: number }[],
): KubeService {
  return new KubeService(scope, `${component}-headless`, {
    metadata: childMetadata(pipeline, component, headlessServiceName(pipeline, component)),
    spec: {
      clusterIp: 'None',
      // Peers find each other before they are Ready (Trino workers announce themselves while starting).
      publishNotReadyAddresses: true,
      selector: selectorLabels(pipeline, component),
      ports,
    },
  });
}

/** The pod's own name as an environment variable (a StatefulSet pod's name is stable: `<set>-<ordinal>`). */
export function podNameEnv(name: string): EnvVar {
  return { name, valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } };
}

/**
 * Spreads a component's pods over nodes when it may run more than one. ScheduleAnyway: spreading is preferred,
 * never a reason to leave a pod pending (a one-node cluster still runs every replica).
 */
export function topologySpread(
  pipeline: GravixPipeline,
  component: Component,
  maxReplicas: number,
): Pick<PodSpec, 'topologySpreadConstraints'> {
  if (maxReplicas <= 1) return {};
  return {
    topologySpreadConstraints: [
      {
        maxSkew: 1,
        topologyKey: 'kubernetes.io/hostname',
        whenUnsatisfiable: 'ScheduleAnyway',
        labelSelector: { matchLabels: selectorLabels(pipeline, component) },
      },
    ],
  };
}

/**
 * At most one pod of the component away at a time for voluntary disruptions (drains, evictions). maxUnavailable
 * rather than minAvailable: a single-replica component (MinIO, the Trino coordinator) must still let a node drain.
 */
export function disruptionBudget(
  scope: Construct,
  pipeline: GravixPipeline,
  component: Component,
  name: string,
) {
  return new KubePodDisruptionBudget(scope, `${component}-pdb`, {
    metadata: childMetadata(pipeline, component, name),
    spec: {
      maxUnavailable: IntOrString.fromNumber(1),
      selector: { matchLabels: selectorLabels(pipeline, component) },
    },
  });
}
