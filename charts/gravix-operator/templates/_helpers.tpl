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

{{/*
The rules the operator needs on the objects it reconciles (see ARCHITECTURE.md). Rendered into a ClusterRole
when it watches every namespace, or into a Role in watchNamespace otherwise.
*/}}
{{- define "gravix-operator.managerRules" -}}
- apiGroups: [gravix.dev]
  resources: [gravixpipelines]
  verbs: [get, list, watch, update, patch]
- apiGroups: [gravix.dev]
  resources: [gravixpipelines/status]
  verbs: [get, update, patch]
- apiGroups: [gravix.dev]
  resources: [gravixpipelines/finalizers]
  verbs: [update]
- apiGroups: ['']
  resources: [configmaps, secrets, services, serviceaccounts]
  verbs: [get, list, watch, create, update, patch, delete]
# MinIO's claim grows with spec.storage.minio.size (a StatefulSet's claim template cannot change).
- apiGroups: ['']
  resources: [persistentvolumeclaims]
  verbs: [get, list, patch]
- apiGroups: [apps]
  resources: [deployments, statefulsets]
  verbs: [get, list, watch, create, update, patch, delete]
- apiGroups: [batch]
  resources: [cronjobs, jobs]
  verbs: [get, list, watch, create, update, patch, delete]
- apiGroups: [autoscaling]
  resources: [horizontalpodautoscalers]
  verbs: [get, list, watch, create, update, patch, delete]
- apiGroups: [policy]
  resources: [poddisruptionbudgets]
  verbs: [get, list, watch, create, update, patch, delete]
- apiGroups: [networking.k8s.io]
  resources: [ingresses, networkpolicies]
  verbs: [get, list, watch, create, update, patch, delete]
- apiGroups: [monitoring.coreos.com]
  resources: [servicemonitors, prometheusrules]
  verbs: [get, list, watch, create, update, patch, delete]
- apiGroups: ['', events.k8s.io]
  resources: [events]
  verbs: [get, create, patch]
{{- end }}
