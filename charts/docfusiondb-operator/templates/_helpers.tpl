{{- define "docfusion.name" -}}docfusiondb-operator{{- end -}}

{{- define "docfusion.fullname" -}}
{{- if contains "docfusiondb-operator" .Release.Name -}}
{{- .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-docfusiondb-operator" .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}

{{- define "docfusion.selectorLabels" -}}
app.kubernetes.io/name: {{ include "docfusion.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end -}}

{{- define "docfusion.labels" -}}
{{ include "docfusion.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" }}
{{- end -}}

{{- define "docfusion.serviceAccountName" -}}
{{- if .Values.serviceAccount.create -}}
{{- default (include "docfusion.fullname" .) .Values.serviceAccount.name -}}
{{- else -}}
{{- default "default" .Values.serviceAccount.name -}}
{{- end -}}
{{- end -}}
