{{/*
The vLLM pod spec, shared by the Deployment and the KServe predictor (which inlines a PodSpec). The container is
named kserve-container because KServe requires that name for a custom predictor container.
*/}}
{{- define "safeguard-stream.vllmPodSpec" -}}
{{- $v := .Values.vllm -}}
automountServiceAccountToken: false
enableServiceLinks: false
{{- with $v.podSecurityContext }}
securityContext:
  {{- toYaml . | nindent 2 }}
{{- end }}
containers:
  - name: kserve-container
    image: {{ printf "%s:%s" $v.image.repository $v.image.tag }}
    imagePullPolicy: {{ $v.image.pullPolicy }}
    command:
      {{- toYaml $v.command | nindent 6 }}
    args:
      - {{ printf "%s/%s" (trimSuffix "/" $v.model.mountPath) $v.model.path | quote }}
      - --served-model-name
      - {{ $v.servedModelName | quote }}
      - --host
      - "0.0.0.0"
      - --port
      - {{ $v.port | quote }}
      - --max-model-len
      - {{ $v.maxModelLen | int | quote }}
      - --gpu-memory-utilization
      - {{ $v.gpuMemoryUtilization | toString | quote }}
      {{- if $v.enablePrefixCaching }}
      - --enable-prefix-caching
      {{- else }}
      - --no-enable-prefix-caching
      {{- end }}
      {{- if $v.enablePromptTokensDetails }}
      - --enable-prompt-tokens-details
      {{- end }}
      {{- range $v.extraArgs }}
      - {{ . | quote }}
      {{- end }}
    ports:
      - name: http
        containerPort: {{ $v.port }}
        protocol: TCP
    env:
      # The weights and the tokenizer files come from volumes; nothing is downloaded.
      - name: HF_HUB_OFFLINE
        value: "1"
      - name: TRANSFORMERS_OFFLINE
        value: "1"
      # openai-harmony loads o200k_base/cl100k_base from here instead of fetching them.
      - name: TIKTOKEN_ENCODINGS_BASE
        value: {{ $v.tiktoken.mountPath | quote }}
      - name: HOME
        value: /cache
      - name: HF_HOME
        value: /cache/huggingface
      - name: VLLM_NO_USAGE_STATS
        value: "1"
      - name: DO_NOT_TRACK
        value: "1"
      # vLLM requires this bearer token on /v1 (its /health stays open for probes).
      - name: VLLM_API_KEY
        valueFrom:
          secretKeyRef:
            name: {{ $v.apiKey.existingSecret }}
            key: {{ $v.apiKey.key }}
      {{- with $v.extraEnv }}
      {{- toYaml . | nindent 6 }}
      {{- end }}
    startupProbe:
      httpGet:
        path: /health
        port: http
      periodSeconds: {{ $v.probes.startup.periodSeconds }}
      timeoutSeconds: {{ $v.probes.startup.timeoutSeconds }}
      failureThreshold: {{ $v.probes.startup.failureThreshold }}
    readinessProbe:
      httpGet:
        path: /health
        port: http
      periodSeconds: {{ $v.probes.readiness.periodSeconds }}
      timeoutSeconds: {{ $v.probes.readiness.timeoutSeconds }}
      failureThreshold: {{ $v.probes.readiness.failureThreshold }}
    livenessProbe:
      httpGet:
        path: /health
        port: http
      periodSeconds: {{ $v.probes.liveness.periodSeconds }}
      timeoutSeconds: {{ $v.probes.liveness.timeoutSeconds }}
      failureThreshold: {{ $v.probes.liveness.failureThreshold }}
    {{- with $v.securityContext }}
    securityContext:
      {{- toYaml . | nindent 6 }}
    {{- end }}
    resources:
      {{- toYaml $v.resources | nindent 6 }}
    volumeMounts:
      - name: model
        mountPath: {{ $v.model.mountPath }}
        readOnly: true
      {{- if $v.tiktoken.volume }}
      - name: tiktoken
        mountPath: {{ $v.tiktoken.mountPath }}
        readOnly: true
      {{- else }}
      - name: model
        mountPath: {{ $v.tiktoken.mountPath }}
        subPath: {{ $v.tiktoken.subPath }}
        readOnly: true
      {{- end }}
      - name: shm
        mountPath: /dev/shm
      - name: cache
        mountPath: /cache
      - name: tmp
        mountPath: /tmp
volumes:
  - name: model
    {{- toYaml $v.model.volume | nindent 4 }}
  {{- with $v.tiktoken.volume }}
  - name: tiktoken
    {{- toYaml . | nindent 4 }}
  {{- end }}
  - name: shm
    emptyDir:
      medium: Memory
      sizeLimit: {{ $v.shmSizeLimit }}
  - name: cache
    emptyDir:
      sizeLimit: {{ $v.cacheSizeLimit }}
  - name: tmp
    emptyDir: {}
{{- with $v.nodeSelector }}
nodeSelector:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- with $v.tolerations }}
tolerations:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- with $v.affinity }}
affinity:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- end }}
