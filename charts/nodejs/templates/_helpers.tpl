{{/*
The chart name, or nameOverride: the `app.kubernetes.io/name` label.
*/}}
{{- define "nodejs.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/*
The full name of every object: fullnameOverride, else the release name when it already contains
the chart name (api, ui releases are named after the service), else <release>-<name>.
Truncated to 63 characters, the DNS label limit.
*/}}
{{- define "nodejs.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- $name := default .Chart.Name .Values.nameOverride }}
{{- if contains $name .Release.Name }}
{{- .Release.Name | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" }}
{{- end }}
{{- end }}
{{- end }}

{{/*
The chart label value, `<name>-<version>` (a + in the version is not allowed in labels).
*/}}
{{- define "nodejs.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/*
Labels that select this release's pods; never change them, Deployment selectors are immutable.
*/}}
{{- define "nodejs.selectorLabels" -}}
app.kubernetes.io/name: {{ include "nodejs.name" . | quote }}
app.kubernetes.io/instance: {{ .Release.Name | quote }}
{{- end }}

{{/*
Labels on every object: the selector labels plus chart, version and manager.
*/}}
{{- define "nodejs.labels" -}}
helm.sh/chart: {{ include "nodejs.chart" . | quote }}
{{ include "nodejs.selectorLabels" . }}
app.kubernetes.io/version: {{ .Values.image.tag | default "digest" | trunc 63 | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service | quote }}
{{- end }}

{{/*
The ServiceAccount pods run as. Fixed: the IRSA roles in cf/irsa-*-role.yaml trust
system:serviceaccount:<namespace>:deployment-runner.
*/}}
{{- define "nodejs.serviceAccountName" -}}
deployment-runner
{{- end }}

{{/*
The container image: repository@digest when a digest is set (immutable), else repository:tag.
*/}}
{{- define "nodejs.image" -}}
{{- if .Values.image.digest }}
{{- printf "%s@%s" .Values.image.repository .Values.image.digest }}
{{- else }}
{{- printf "%s:%s" .Values.image.repository .Values.image.tag }}
{{- end }}
{{- end }}

{{/*
The IRSA role ARN, arn:<partition>:iam::<accountId>:role/<name>; empty when no role is configured.
*/}}
{{- define "nodejs.roleArn" -}}
{{- with .Values.serviceAccount.iamRole }}
{{- if and .name .accountId }}
{{- printf "arn:%s:iam::%s:role/%s" .partition .accountId .name }}
{{- end }}
{{- end }}
{{- end }}

{{/*
The path the ALB health check requests: ingress.healthCheck.path, else the probes' path.
*/}}
{{- define "nodejs.healthCheckPath" -}}
{{- default .Values.probes.path .Values.ingress.healthCheck.path }}
{{- end }}
