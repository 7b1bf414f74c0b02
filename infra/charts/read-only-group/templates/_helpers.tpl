{{/*
The chart label value, `<name>-<version>` (a + in the version is not allowed in labels).
*/}}
{{- define "read-only-group.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/*
Labels of every object: who installed it and from which chart, so `kubectl get clusterrole -l
app.kubernetes.io/instance=<release>` finds what this release owns.
*/}}
{{- define "read-only-group.labels" -}}
app.kubernetes.io/name: {{ .Chart.Name | quote }}
app.kubernetes.io/instance: {{ .Release.Name | quote }}
app.kubernetes.io/version: {{ .Chart.Version | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service | quote }}
helm.sh/chart: {{ include "read-only-group.chart" . | quote }}
{{- end }}

{{/*
The value .value of the group value named .name, refused when RBAC cannot scope it: the schema
says so too, but values passed with --skip-schema-validation would otherwise bind the read-only
role to everyone (system:authenticated) or to nobody in particular (an empty name).
*/}}
{{- define "read-only-group.group" -}}
{{- if or (not .value) (hasPrefix "system:" .value) }}
{{- fail (printf "%s %q: use a group of our own, not empty and not a system: group" .name .value) }}
{{- end }}
{{- .value }}
{{- end }}
