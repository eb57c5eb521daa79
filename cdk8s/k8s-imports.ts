/**
 * The Kubernetes API object classes and types (KubeDeployment, IntOrString, ...) that cdk8s generates from the
 * 1.28 OpenAPI spec. cdk8s-plus-28 ships them under a deep path; constructs import them from here so the path and
 * the Kubernetes version it pins are named in one place.
 */
export * from 'cdk8s-plus-28/lib/imports/k8s.js';
