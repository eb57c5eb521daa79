{{/* Chart name, truncated to the 63-character label limit. */}}
{{- define "gravix-operator.name" -}}
{{- .Chart.Name | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* Full name: the release name when it already contains the chart name, else release-chart. */}}
{{- define "gravix-operator.fullname" -}}
{{- if contains .Chart.Name .Release.Name }}
{{- .Release.Name | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name .Chart.Name | trunc 63 | trimSuffix "-" }}
{{- end }}
{{- end }}

{{- define "gravix-operator.selectorLabels" -}}
app.kubernetes.io/name: {{ include "gravix-operator.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/component: operator
{{- end }}

{{- define "gravix-operator.labels" -}}
{{ include "gravix-operator.selectorLabels" . }}
app.kubernetes.io/part-of: gravix
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" }}
{{- end }}

{{- define "gravix-operator.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "gravix-operator.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- required "serviceAccount.name is required when serviceAccount.create is false" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{/* [registry/]repository:tag, or [registry/]repository@digest when a digest pins the image. */}}
{{- define "gravix-operator.image" -}}
{{- $repository := .Values.image.repository }}
{{- if .Values.image.registry }}
{{- $repository = printf "%s/%s" .Values.image.registry .Values.image.repository }}
{{- end }}
{{- if .Values.image.digest }}
{{- printf "%s@%s" $repository .Values.image.digest }}
{{- else }}
{{- printf "%s:%s" $repository (default .Chart.AppVersion .Values.image.tag) }}
{{- end }}
{{- end }}

{{/* The namespace the operator watches: "" for every namespace, else watchNamespace or the release's own. */}}
{{- define "gravix-operator.watchNamespace" -}}
{{- if .Values.watchAllNamespaces }}
{{- if .Values.watchNamespace }}
{{- fail "set watchAllNamespaces or watchNamespace, not both" }}
{{- end }}
{{- else }}
{{- default .Release.Namespace .Values.watchNamespace }}
{{- end }}
{{- end }}

{{/*
The rules the operator needs on the objects it reconciles: one rule per resource, exactly what
operator/domain/kind-registry.ts derives from how each kind is written (charts/gravix-operator.int.test.ts
compares them). Rendered into a Role in the watched namespace, or a ClusterRole with watchAllNamespaces.
*/}}
{{- define "gravix-operator.managerRules" -}}
- apiGroups: [gravix.dev]
  resources: [gravixpipelines]
  verbs: [get, list, watch]
- apiGroups: [gravix.dev]
  resources: [gravixpipelines/status]
  verbs: [get, patch]
# Children carry blockOwnerDeletion, which OwnerReferencesPermissionEnforcement allows only with this.
- apiGroups: [gravix.dev]
  resources: [gravixpipelines/finalizers]
  verbs: [update]
# A pipeline's tenants: read into its tenants ConfigMap, each one's status (accepted or rejected) written back.
- apiGroups: [gravix.dev]
  resources: [gravixtenants]
  verbs: [get, list, watch]
- apiGroups: [gravix.dev]
  resources: [gravixtenants/status]
  verbs: [get, patch]
{{- range list "configmaps" "services" }}
- apiGroups: ['']
  resources: [{{ . }}]
  verbs: [get, list, watch, create, update, patch, delete]
{{- end }}
# Generated Secrets are created once and never updated; patch takes over one an earlier pipeline of the same name
# left behind, delete removes one a release no longer generates (docs/adr/0068).
- apiGroups: ['']
  resources: [secrets]
  verbs: [get, list, watch, create, patch, delete]
{{- range list "deployments" "statefulsets" }}
- apiGroups: [apps]
  resources: [{{ . }}]
  verbs: [get, list, watch, create, update, patch, delete]
{{- end }}
# The rollup was a CronJob before docs/adr/0062: only pruned.
- apiGroups: [batch]
  resources: [cronjobs]
  verbs: [get, list, watch, delete]
- apiGroups: [batch]
  resources: [jobs]
  verbs: [get, list, watch, create, update, patch, delete]
- apiGroups: [autoscaling]
  resources: [horizontalpodautoscalers]
  verbs: [get, list, watch, create, update, patch, delete]
- apiGroups: [policy]
  resources: [poddisruptionbudgets]
  verbs: [get, list, watch, create, update, patch, delete]
{{- range list "ingresses" "networkpolicies" }}
- apiGroups: [networking.k8s.io]
  resources: [{{ . }}]
  verbs: [get, list, watch, create, update, patch, delete]
{{- end }}
# The alert worker's ServiceAccount, Role and RoleBinding (spec.alerts.enabled).
- apiGroups: ['']
  resources: [serviceaccounts]
  verbs: [get, list, watch, create, update, patch, delete]
{{- range list "roles" "rolebindings" }}
- apiGroups: [rbac.authorization.k8s.io]
  resources: [{{ . }}]
  verbs: [get, list, watch, create, update, patch, delete]
{{- end }}
{{- range list "servicemonitors" "prometheusrules" }}
- apiGroups: [monitoring.coreos.com]
  resources: [{{ . }}]
  verbs: [get, list, watch, create, update, patch, delete]
{{- end }}
# MinIO's and ingest's claims grow with their size settings (a StatefulSet's claim template cannot change); a
# scaled-away ingest replica's claim is deleted once its rescue Job has uploaded what it held (docs/adr/0067).
# Watched: a pass reads claims from the operator's cache, not with a LIST.
- apiGroups: ['']
  resources: [persistentvolumeclaims]
  verbs: [get, list, watch, patch, delete]
# Read only (watched into the cache): an ingest rescue starts once the scaled-away pod is gone.
- apiGroups: ['']
  resources: [pods]
  verbs: [list, watch]
- apiGroups: ['']
  resources: [events]
  verbs: [get, create, patch]
# Never used by the operator: the alert worker's Role grants them, and RBAC lets nobody grant what it lacks.
- apiGroups: [gravix.dev]
  resources: [gravixalertrules]
  verbs: [get, list, watch]
- apiGroups: [gravix.dev]
  resources: [gravixalertrules/status]
  verbs: [get, patch]
- apiGroups: [coordination.k8s.io]
  resources: [leases]
  verbs: [get, create, update]
{{- end }}

{{/*
Cluster-scoped reads (operator/domain/kind-registry.ts clusterReadRules; docs/adr/0105): a claim's StorageClass
before it grows, and the Prometheus operator's CRDs by name, watched so an install after the operator's start is
noticed at once. Granted with watchAllNamespaces, or with rbac.clusterReads in a namespaced install.
*/}}
{{- define "gravix-operator.clusterReadRules" -}}
- apiGroups: [storage.k8s.io]
  resources: [storageclasses]
  verbs: [get]
- apiGroups: [apiextensions.k8s.io]
  resources: [customresourcedefinitions]
  resourceNames: [servicemonitors.monitoring.coreos.com, prometheusrules.monitoring.coreos.com, gravixtenants.gravix.dev]
  verbs: [get, list, watch]
{{- end }}
