{{/* Names ---------------------------------------------------------------------------------------------------------- */}}

{{- define "safeguard-stream.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* Resource prefix; kept to 52 characters so that suffixes like -migrations and -vllm stay within 63. */}}
{{- define "safeguard-stream.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 52 | trimSuffix "-" }}
{{- else }}
{{- $name := default .Chart.Name .Values.nameOverride }}
{{- if contains $name .Release.Name }}
{{- .Release.Name | trunc 52 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name $name | trunc 52 | trimSuffix "-" }}
{{- end }}
{{- end }}
{{- end }}

{{- define "safeguard-stream.vllmName" -}}
{{- printf "%s-vllm" (include "safeguard-stream.fullname" .) }}
{{- end }}

{{- define "safeguard-stream.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "safeguard-stream.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- default "default" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{/* Labels ------------------------------------------------------------------------------------------------------------ */}}

{{- define "safeguard-stream.labels" -}}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
app.kubernetes.io/name: {{ include "safeguard-stream.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/part-of: safeguard-stream
{{- end }}

{{/* Selector labels of the worker pods; the vLLM NetworkPolicy admits exactly these. */}}
{{- define "safeguard-stream.workerSelectorLabels" -}}
app.kubernetes.io/name: {{ include "safeguard-stream.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/component: worker
{{- end }}

{{- define "safeguard-stream.migrationsSelectorLabels" -}}
app.kubernetes.io/name: {{ include "safeguard-stream.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/component: migrations
{{- end }}

{{- define "safeguard-stream.vllmSelectorLabels" -}}
app.kubernetes.io/name: {{ include "safeguard-stream.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/component: model-server
{{- end }}

{{/* Labels that select the model server's pods: KServe labels predictor pods with the InferenceService's name. */}}
{{- define "safeguard-stream.vllmPodSelector" -}}
{{- if .Values.vllm.kserve }}
serving.kserve.io/inferenceservice: {{ include "safeguard-stream.vllmName" . }}
{{- else }}
{{- include "safeguard-stream.vllmSelectorLabels" . }}
{{- end }}
{{- end }}

{{/* Images ------------------------------------------------------------------------------------------------------------ */}}

{{- define "safeguard-stream.image" -}}
{{- if .Values.image.digest }}
{{- printf "%s@%s" .Values.image.repository .Values.image.digest }}
{{- else }}
{{- printf "%s:%s" .Values.image.repository (default .Chart.AppVersion .Values.image.tag) }}
{{- end }}
{{- end }}

{{/* Settings ---------------------------------------------------------------------------------------------------------- */}}

{{- define "safeguard-stream.sourceKind" -}}
{{- default "EventStreams" .Values.config.Source.Kind | lower }}
{{- end }}

{{/* The worker's LLM endpoint: config.Llm.Endpoint, else the chart's vLLM. */}}
{{- define "safeguard-stream.llmEndpoint" -}}
{{- if .Values.config.Llm.Endpoint }}
{{- .Values.config.Llm.Endpoint }}
{{- else if and .Values.vllm.enabled .Values.vllm.kserve }}
{{- printf "http://%s-predictor.%s.svc.cluster.local/v1" (include "safeguard-stream.vllmName" .) .Release.Namespace }}
{{- else if .Values.vllm.enabled }}
{{- printf "http://%s.%s.svc.cluster.local:%d/v1" (include "safeguard-stream.vllmName" .) .Release.Namespace (int .Values.vllm.port) }}
{{- else }}
{{- fail "config.Llm.Endpoint is required when vllm.enabled is false: set it to the model server's OpenAI-compatible base URL (ending in /v1), or set vllm.enabled=true to deploy vLLM with this release" }}
{{- end }}
{{- end }}

{{/*
The configuration tree that becomes environment variables: .Values.config plus what the chart decides (the LLM
endpoint and model, the policy folder, the health endpoint's bind address).
*/}}
{{- define "safeguard-stream.settings" -}}
{{- $cfg := deepCopy .Values.config }}
{{- $llm := get $cfg "Llm" | default dict }}
{{- $_ := set $llm "Endpoint" (include "safeguard-stream.llmEndpoint" .) }}
{{- if and .Values.vllm.enabled (not $llm.Model) }}
{{- $_ := set $llm "Model" .Values.vllm.servedModelName }}
{{- end }}
{{- $_ := set $cfg "Llm" $llm }}
{{- $policies := get $cfg "Policies" | default dict }}
{{- $_ := set $policies "Directory" .Values.policies.mountPath }}
{{- $_ := set $cfg "Policies" $policies }}
{{- $telemetry := get $cfg "Telemetry" | default dict }}
{{- $_ := set $telemetry "HealthHost" "0.0.0.0" }}
{{- $_ := set $telemetry "HealthPort" (include "safeguard-stream.healthPort" . | int) }}
{{- $_ := set $cfg "Telemetry" $telemetry }}
{{- toYaml $cfg }}
{{- end }}

{{- define "safeguard-stream.healthPort" -}}
{{- .Values.config.Telemetry.HealthPort | default 8081 | int }}
{{- end }}

{{/*
Flattens a settings tree into KEY: "value" lines, KEY being Safeguard__Section__Key (lists by index). Empty strings
and nulls are left out so that the image's appsettings.json applies. Numbers go through toJson, which prints
1048576 rather than 1.048576e+06.
*/}}
{{- define "safeguard-stream.flatten" -}}
{{- $value := .value }}
{{- if kindIs "map" $value }}
{{- range $k, $v := $value }}
{{- include "safeguard-stream.flatten" (dict "prefix" (printf "%s__%s" $.prefix $k) "value" $v) }}
{{- end }}
{{- else if kindIs "slice" $value }}
{{- range $i, $v := $value }}
{{- include "safeguard-stream.flatten" (dict "prefix" (printf "%s__%d" $.prefix $i) "value" $v) }}
{{- end }}
{{- else if kindIs "string" $value }}
{{- if ne $value "" }}
{{ .prefix }}: {{ $value | quote }}
{{- end }}
{{- else if not (kindIs "invalid" $value) }}
{{ .prefix }}: {{ toJson $value | quote }}
{{- end }}
{{- end }}

{{/* Refusals --------------------------------------------------------------------------------------------------------- */}}

{{/* Secrets belong in Secrets: refuse them in config, where they would land in a ConfigMap. */}}
{{- define "safeguard-stream.refuseInlineSecrets" -}}
{{- if .Values.config.Llm.ApiKey }}
{{- fail "config.Llm.ApiKey must not be set in values (it would be stored in a ConfigMap): put the key in a Secret and set secrets.llmApiKey.existingSecret" }}
{{- end }}
{{- $maps := dict "config.Kafka.Producer" (.Values.config.Kafka.Producer | default dict) "config.Source.Kafka.Consumer" (.Values.config.Source.Kafka.Consumer | default dict) }}
{{- range $where, $m := $maps }}
{{- range $k, $v := $m }}
{{- if regexMatch "(?i)(password|secret|\\.key$|token)" $k }}
{{- fail (printf "%s.%s looks like a secret and must not be set in values (it would be stored in a ConfigMap): use secrets.kafkaSasl / secrets.sourceKafkaSasl (sasl.password) or extraEnv with a secretKeyRef" $where $k) }}
{{- end }}
{{- end }}
{{- end }}
{{- range $where, $cs := dict "config.Postgres.ConnectionString" .Values.config.Postgres.ConnectionString "migrations.connectionString" .Values.migrations.connectionString }}
{{- if regexMatch "(?i)(^|;)\\s*(password|pwd)\\s*=" ($cs | default "") }}
{{- fail (printf "%s contains a Password: keep the password in a Secret (secrets.postgres / migrations.existingSecret) and leave it out of the connection string" $where) }}
{{- end }}
{{- end }}
{{- end }}

{{- define "safeguard-stream.validate" -}}
{{- include "safeguard-stream.refuseInlineSecrets" . }}
{{- $kind := include "safeguard-stream.sourceKind" . }}
{{- if not (has $kind (list "eventstreams" "kafka" "file")) }}
{{- fail (printf "config.Source.Kind must be EventStreams, Kafka or File, not %q" .Values.config.Source.Kind) }}
{{- end }}
{{- if and (gt (int .Values.replicaCount) 1) (ne $kind "kafka") }}
{{- fail (printf "replicaCount is %d but config.Source.Kind is %s: only the Kafka source can run more than one replica (the consumer group splits the partitions). The EventStreams source has a single resume position, so a second replica would classify every edit twice. Set replicaCount=1, or config.Source.Kind=Kafka" (int .Values.replicaCount) .Values.config.Source.Kind) }}
{{- end }}
{{- if lt (int .Values.replicaCount) 1 }}
{{- fail "replicaCount must be at least 1" }}
{{- end }}
{{- if le (int .Values.terminationGracePeriodSeconds) 30 }}
{{- fail (printf "terminationGracePeriodSeconds is %d: it must exceed the worker's 30 s HostOptions.ShutdownTimeout so that queues drain and Kafka flushes before SIGKILL" (int .Values.terminationGracePeriodSeconds)) }}
{{- end }}
{{- if not (has .Values.migrations.mode (list "job" "initContainer")) }}
{{- fail (printf "migrations.mode must be job or initContainer, not %q" .Values.migrations.mode) }}
{{- end }}
{{- if not (has .Values.networkPolicy.wikis.mode (list "ipBlock" "proxy")) }}
{{- fail (printf "networkPolicy.wikis.mode must be ipBlock or proxy, not %q" .Values.networkPolicy.wikis.mode) }}
{{- end }}
{{- if and (eq .Values.networkPolicy.wikis.mode "proxy") (not .Values.networkPolicy.wikis.proxy.url) }}
{{- fail "networkPolicy.wikis.mode is proxy but networkPolicy.wikis.proxy.url is empty" }}
{{- end }}
{{- if and .Values.vllm.enabled (not .Values.vllm.apiKey.existingSecret) }}
{{- fail "vllm.enabled needs vllm.apiKey.existingSecret: the name of a Secret holding the API key vLLM requires (only the worker should reach the model)" }}
{{- end }}
{{- $_ := include "safeguard-stream.llmEndpoint" . }}
{{- end }}

{{/* Secret references -------------------------------------------------------------------------------------------------- */}}

{{- define "safeguard-stream.llmApiKeySecret" -}}
{{- if .Values.secrets.llmApiKey.existingSecret }}
{{- toJson (dict "name" .Values.secrets.llmApiKey.existingSecret "key" .Values.secrets.llmApiKey.key) }}
{{- else if .Values.vllm.enabled }}
{{- toJson (dict "name" .Values.vllm.apiKey.existingSecret "key" .Values.vllm.apiKey.key) }}
{{- end }}
{{- end }}

{{/* Environment variables holding the database login, for a given secret block (worker or migrations). */}}
{{- define "safeguard-stream.postgresSecretEnv" -}}
{{- if .secret }}
{{- if .connectionStringKey }}
- name: Safeguard__Postgres__ConnectionString
  valueFrom:
    secretKeyRef:
      name: {{ .secret }}
      key: {{ .connectionStringKey }}
{{- else }}
- name: PGPASSWORD
  valueFrom:
    secretKeyRef:
      name: {{ .secret }}
      key: {{ .passwordKey }}
{{- end }}
{{- end }}
{{- end }}

{{/* Secret environment variables of the worker container. */}}
{{- define "safeguard-stream.workerSecretEnv" -}}
{{- with include "safeguard-stream.llmApiKeySecret" . }}
{{- $ref := fromJson . }}
- name: Safeguard__Llm__ApiKey
  valueFrom:
    secretKeyRef:
      name: {{ $ref.name }}
      key: {{ $ref.key }}
{{- end }}
{{- if .Values.secrets.kafkaSasl.existingSecret }}
- name: Safeguard__Kafka__Producer__sasl.password
  valueFrom:
    secretKeyRef:
      name: {{ .Values.secrets.kafkaSasl.existingSecret }}
      key: {{ .Values.secrets.kafkaSasl.key }}
{{- end }}
{{- if eq (include "safeguard-stream.sourceKind" .) "kafka" }}
{{- $source := .Values.secrets.sourceKafkaSasl }}
{{- if not $source.existingSecret }}{{ $source = .Values.secrets.kafkaSasl }}{{ end }}
{{- if $source.existingSecret }}
- name: Safeguard__Source__Kafka__Consumer__sasl.password
  valueFrom:
    secretKeyRef:
      name: {{ $source.existingSecret }}
      key: {{ $source.key }}
{{- end }}
{{- end }}
{{- include "safeguard-stream.postgresSecretEnv" (dict "secret" .Values.secrets.postgres.existingSecret "passwordKey" .Values.secrets.postgres.passwordKey "connectionStringKey" .Values.secrets.postgres.connectionStringKey) }}
{{- end }}

{{/* The login of the migration step (schema owner): migrations.existingSecret, else the worker's secrets.postgres. */}}
{{- define "safeguard-stream.migrationsSecretEnv" -}}
{{- if .Values.migrations.existingSecret }}
{{- include "safeguard-stream.postgresSecretEnv" (dict "secret" .Values.migrations.existingSecret "passwordKey" .Values.migrations.passwordKey "connectionStringKey" .Values.migrations.connectionStringKey) }}
{{- else }}
{{- include "safeguard-stream.postgresSecretEnv" (dict "secret" .Values.secrets.postgres.existingSecret "passwordKey" .Values.secrets.postgres.passwordKey "connectionStringKey" .Values.secrets.postgres.connectionStringKey) }}
{{- end }}
{{- end }}

{{/* Proxy environment (networkPolicy.wikis.mode proxy): .NET's HttpClient honours HTTPS_PROXY and NO_PROXY. */}}
{{- define "safeguard-stream.proxyEnv" -}}
{{- if eq .Values.networkPolicy.wikis.mode "proxy" }}
{{- $noProxy := .Values.networkPolicy.wikis.proxy.noProxy | default list }}
{{- if .Values.vllm.enabled }}
{{- $noProxy = append $noProxy (include "safeguard-stream.vllmName" .) }}
{{- end }}
- name: HTTPS_PROXY
  value: {{ .Values.networkPolicy.wikis.proxy.url | quote }}
- name: HTTP_PROXY
  value: {{ .Values.networkPolicy.wikis.proxy.url | quote }}
- name: NO_PROXY
  value: {{ join "," $noProxy | quote }}
{{- end }}
{{- end }}

{{/* Ports, derived from the settings ---------------------------------------------------------------------------------- */}}

{{/* Unique ports of one or more comma-separated host:port lists, as a JSON list. */}}
{{- define "safeguard-stream.brokerPorts" -}}
{{- $ports := list }}
{{- range $servers := . }}
{{- range $server := splitList "," ($servers | default "") }}
{{- $server = trim $server }}
{{- if regexMatch ":[0-9]+$" $server }}
{{- $ports = append $ports (regexFind "[0-9]+$" $server | int) }}
{{- else if $server }}
{{- $ports = append $ports 9092 }}
{{- end }}
{{- end }}
{{- end }}
{{- toJson (uniq $ports) }}
{{- end }}

{{- define "safeguard-stream.kafkaPorts" -}}
{{- if .Values.networkPolicy.kafka.ports }}
{{- toJson .Values.networkPolicy.kafka.ports }}
{{- else }}
{{- $servers := list .Values.config.Kafka.BootstrapServers }}
{{- if eq (include "safeguard-stream.sourceKind" .) "kafka" }}
{{- $servers = append $servers .Values.config.Source.Kafka.BootstrapServers }}
{{- end }}
{{- include "safeguard-stream.brokerPorts" $servers }}
{{- end }}
{{- end }}

{{- define "safeguard-stream.postgresPort" -}}
{{- if .Values.networkPolicy.postgres.port }}
{{- .Values.networkPolicy.postgres.port | int }}
{{- else }}
{{- $m := regexFind "(?i)(^|;)\\s*port\\s*=\\s*[0-9]+" (.Values.config.Postgres.ConnectionString | default "") }}
{{- if $m }}{{ regexFind "[0-9]+$" $m }}{{ else }}5432{{ end }}
{{- end }}
{{- end }}

{{- define "safeguard-stream.llmPort" -}}
{{- if .Values.networkPolicy.llm.port }}
{{- .Values.networkPolicy.llm.port | int }}
{{- else }}
{{- $u := urlParse (include "safeguard-stream.llmEndpoint" .) }}
{{- if regexMatch ":[0-9]+$" $u.host }}
{{- regexFind "[0-9]+$" $u.host }}
{{- else if eq $u.scheme "https" }}443{{ else }}80{{ end }}
{{- end }}
{{- end }}

{{/* The tagger ------------------------------------------------------------------------------------------------------- */}}

{{- define "safeguard-stream.taggerSelectorLabels" -}}
app.kubernetes.io/name: {{ include "safeguard-stream.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/component: tagger
{{- end }}

{{- define "safeguard-stream.validateTagger" -}}
{{- $t := .Values.tagger }}
{{- $cfg := .Values.config.Tagging | default dict }}
{{- if not $t.secret.existingSecret }}
{{- fail "tagger.enabled needs tagger.secret.existingSecret: the name of a Secret holding the bot's BotPassword (tagger.secret.botPasswordKey) or OAuth access token (tagger.secret.accessTokenKey)" }}
{{- end }}
{{- if eq (empty $t.secret.botPasswordKey) (empty $t.secret.accessTokenKey) }}
{{- fail "tagger.secret: set exactly one of botPasswordKey (a BotPassword, with config.Tagging.BotUsername) and accessTokenKey (an OAuth 2.0 access token)" }}
{{- end }}
{{- if and $t.secret.botPasswordKey (not $cfg.BotUsername) }}
{{- fail "tagger.secret.botPasswordKey needs config.Tagging.BotUsername (the BotPassword's login name, e.g. SafeguardBot@safeguard)" }}
{{- end }}
{{- if not $cfg.ReviewUrl }}
{{- fail "tagger.enabled needs config.Tagging.ReviewUrl: each tag's reason links the review page of its verdict" }}
{{- end }}
{{- if or $cfg.BotPassword $cfg.AccessToken }}
{{- fail "config.Tagging.BotPassword and config.Tagging.AccessToken must not be set in values (they would be stored in a ConfigMap): use tagger.secret" }}
{{- end }}
{{- if lt (int $t.replicaCount) 1 }}
{{- fail "tagger.replicaCount must be at least 1" }}
{{- end }}
{{- end }}

{{/* Secret environment variables of the tagger: the bot's credential, the producer's SASL password, the database login. */}}
{{- define "safeguard-stream.taggerSecretEnv" -}}
{{- $s := .Values.tagger.secret }}
{{- if $s.botPasswordKey }}
- name: Safeguard__Tagging__BotPassword
  valueFrom:
    secretKeyRef:
      name: {{ $s.existingSecret }}
      key: {{ $s.botPasswordKey }}
{{- else }}
- name: Safeguard__Tagging__AccessToken
  valueFrom:
    secretKeyRef:
      name: {{ $s.existingSecret }}
      key: {{ $s.accessTokenKey }}
{{- end }}
{{- if .Values.secrets.kafkaSasl.existingSecret }}
- name: Safeguard__Kafka__Producer__sasl.password
  valueFrom:
    secretKeyRef:
      name: {{ .Values.secrets.kafkaSasl.existingSecret }}
      key: {{ .Values.secrets.kafkaSasl.key }}
{{- end }}
{{- include "safeguard-stream.postgresSecretEnv" (dict "secret" .Values.secrets.postgres.existingSecret "passwordKey" .Values.secrets.postgres.passwordKey "connectionStringKey" .Values.secrets.postgres.connectionStringKey) }}
{{- end }}

{{/*
Egress rules the worker and the tagger share: DNS, Kafka, Postgres and the wikis (HTTPS, or the egress proxy). The
worker adds the LLM endpoint; the tagger reaches no model.
*/}}
{{- define "safeguard-stream.sharedEgress" -}}
{{- $np := .Values.networkPolicy }}
    # DNS.
    - to:
        {{- toYaml $np.dns.to | nindent 8 }}
      ports:
        - port: {{ $np.dns.port }}
          protocol: UDP
        - port: {{ $np.dns.port }}
          protocol: TCP
    # Kafka (the worker: verdicts, dead letters and a Kafka source; the tagger: the verdict topic and dead letters).
    - ports:
        {{- range $port := include "safeguard-stream.kafkaPorts" . | fromJsonArray }}
        - port: {{ $port }}
          protocol: TCP
        {{- end }}
      {{- with $np.kafka.to }}
      to:
        {{- toYaml . | nindent 8 }}
      {{- end }}
    # Postgres (the worker: audit table, checkpoints; the tagger: valves, held verdicts, dead letters).
    - ports:
        - port: {{ include "safeguard-stream.postgresPort" . }}
          protocol: TCP
      {{- with $np.postgres.to }}
      to:
        {{- toYaml . | nindent 8 }}
      {{- end }}
    {{- if eq $np.wikis.mode "proxy" }}
    # Wiki APIs and EventStreams through the egress proxy (HTTPS_PROXY).
    {{- $proxy := urlParse $np.wikis.proxy.url }}
    - ports:
        - port: {{ if regexMatch ":[0-9]+$" $proxy.host }}{{ regexFind "[0-9]+$" $proxy.host }}{{ else if eq $proxy.scheme "https" }}443{{ else }}80{{ end }}
          protocol: TCP
      {{- with $np.wikis.proxy.to }}
      to:
        {{- toYaml . | nindent 8 }}
      {{- end }}
    {{- else }}
    # Wiki APIs and EventStreams: NetworkPolicy cannot match DNS names, so HTTPS to any address outside the cluster.
    - to:
        - ipBlock:
            cidr: 0.0.0.0/0
            {{- with $np.wikis.clusterCIDRs }}
            except:
              {{- toYaml . | nindent 14 }}
            {{- end }}
      ports:
        - port: 443
          protocol: TCP
    {{- end }}
{{- end }}
