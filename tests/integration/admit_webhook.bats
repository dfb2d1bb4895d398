#!/usr/bin/env bats
# `palisade admit serve` over real TLS: curl posts AdmissionReviews as the API
# server would and checks the verdicts, warnings and status; /healthz; bad
# requests; plain HTTP refused; signatures from a layout signed with
# `palisade keygen` / `palisade sign`; SIGTERM.

setup_file() {
	load 'lib/admit'
	adm_require openssl curl jq tar sha256sum || return 1
	ADM_T=$(mktemp -d /tmp/pal-admit-it-XXXXXX)
	export ADM_T
	adm_make_certs "$ADM_T" || { echo "openssl could not make the test certificates" >&2; return 1; }
	# an OCI layout signed with a fresh key: its digest is the one a Pod pins
	DIGEST=$(adm_make_layout "$ADM_T/layout" v1)
	export DIGEST
	palisade keygen --output "$ADM_T/release" >/dev/null
	palisade sign --key "$ADM_T/release.key" "$ADM_T/layout:v1" >/dev/null
	cat >"$ADM_T/policy.yaml" <<-YAML
	trust:
	  signature_store: $ADM_T/layout
	  keys:
	    release: {path: release.pub}
	  default: [accept]
	  scopes:
	    registry.example.com/signed:
	      - {type: signed, keys: [release]}
	    registry.example.com/banned: [reject]
	admission:
	  kubernetes:
	    enforce: baseline
	    warn: restricted
	    namespaces:
	      prod: restricted
	    exempt_namespaces: [palisade-system]
	YAML
	palisade policy check "$ADM_T/policy.yaml" >/dev/null
	adm_start "$ADM_T/policy.yaml" "$ADM_T/server.log"
	echo "$ADM_PID" >"$ADM_T/server.pid"
}

teardown_file() {
	load 'lib/admit'
	[ -n "${ADM_T:-}" ] || return 0
	[ -f "$ADM_T/server.pid" ] && adm_stop "$(cat "$ADM_T/server.pid")"
	rm -rf "$ADM_T"
}

setup() {
	load 'lib/admit'
	ADM_PID=$(cat "$ADM_T/server.pid")
	ADM_PORT=$(sed -n 's/.*"port":\([0-9]*\).*/\1/p' "$ADM_T/server.log" | head -n1)
	[ -n "$ADM_PORT" ] || { echo "no port in the server log" >&2; cat "$ADM_T/server.log" >&2; return 1; }
	R="$ADM_T/t$BATS_TEST_NUMBER"
	mkdir -p "$R"
}

# a container that meets the restricted profile
RESTRICTED_CT='{"name": "app", "image": "nginx:1.25", "securityContext": {"allowPrivilegeEscalation": false, "runAsNonRoot": true, "seccompProfile": {"type": "RuntimeDefault"}, "capabilities": {"drop": ["ALL"]}}}'

@test "healthz answers over TLS; the certificate is checked; plain HTTP gets nothing" {
	run curl -sS --cacert "$ADM_T/ca.crt" "$(adm_url /healthz)"
	[ "$status" -eq 0 ]
	[ "$output" = ok ]
	# TLS 1.2 or 1.3 with the test CA's certificate
	run curl -sS --cacert "$ADM_T/ca.crt" -w '%{ssl_verify_result} %{http_version}' -o /dev/null "$(adm_url /healthz)"
	[ "$output" = "0 1.1" ]
	# the server's certificate does not verify without the CA
	run curl -sS "$(adm_url /healthz)"
	[ "$status" -eq 60 ]
	# plain HTTP on the same port: no HTTP answer
	run curl -sS --max-time 5 "http://127.0.0.1:$ADM_PORT/healthz"
	[ "$status" -ne 0 ]
	[[ "$output" != *ok* ]]
	# TLS 1.1 is refused
	run openssl s_client -connect "127.0.0.1:$ADM_PORT" -tls1_1 </dev/null
	[ "$status" -ne 0 ]
}

@test "a compliant pod is allowed; a baseline-only pod is allowed with restricted warnings" {
	adm_review Pod "" default "$(adm_pod default web "[$RESTRICTED_CT]")" >"$R/ok.json"
	adm_decide "$R/ok.json"
	jq -e '.response.allowed == true and (.response | has("status") | not) and (.response | has("warnings") | not)' "$ADM_RESP"
	adm_review Pod "" default "$(adm_pod default plain '[{"name": "app", "image": "nginx:1.25"}]')" >"$R/plain.json"
	adm_decide "$R/plain.json"
	jq -e '.response.allowed == true' "$ADM_RESP"
	jq -e '.response.warnings | length == 4' "$ADM_RESP"
	jq -e '.response.warnings | index("would violate PodSecurity \"restricted:latest\": allowPrivilegeEscalation != false (container \"app\" must set securityContext.allowPrivilegeEscalation=false)") != null' "$ADM_RESP"
	jq -e '[.response.warnings[] | select(startswith("would violate PodSecurity \"restricted:latest\": runAsNonRoot != true"))] | length == 1' "$ADM_RESP"
}

@test "a privileged pod is denied with 403 and the API server's wording" {
	adm_review Pod "" default "$(adm_pod default priv '[{"name": "app", "image": "nginx:1.25", "securityContext": {"privileged": true, "capabilities": {"add": ["SYS_ADMIN"]}}}]')" >"$R/priv.json"
	adm_decide "$R/priv.json"
	jq -e '.response.allowed == false and .response.status.code == 403 and .response.status.reason == "Forbidden"' "$ADM_RESP"
	jq -r .response.status.message "$ADM_RESP" >"$R/msg"
	grep -qF 'violates PodSecurity "baseline:latest": ' "$R/msg"
	grep -qF 'privileged (container "app" must not set securityContext.privileged=true)' "$R/msg"
	grep -qF 'non-default capabilities (container "app" must not include "SYS_ADMIN" in securityContext.capabilities.add)' "$R/msg"
}

@test "a hostPath volume of the docker socket is denied" {
	adm_review Pod "" default "$(adm_pod default sock '[{"name": "app", "image": "docker:cli", "volumeMounts": [{"name": "docker-sock", "mountPath": "/var/run/docker.sock"}]}]' \
		'{"volumes": [{"name": "docker-sock", "hostPath": {"path": "/var/run/docker.sock", "type": "Socket"}}]}')" >"$R/sock.json"
	adm_decide "$R/sock.json"
	jq -e '.response.allowed == false' "$ADM_RESP"
	jq -e '.response.status.message == "violates PodSecurity \"baseline:latest\": hostPath volumes (volume \"docker-sock\")"' "$ADM_RESP"
}

@test "hostNetwork is denied" {
	adm_review Pod "" default "$(adm_pod default net "[$RESTRICTED_CT]" '{"hostNetwork": true}')" >"$R/net.json"
	adm_decide "$R/net.json"
	jq -e '.response.allowed == false and .response.status.message == "violates PodSecurity \"baseline:latest\": host namespaces (hostNetwork=true)"' "$ADM_RESP"
}

@test "a restricted namespace denies a pod without runAsNonRoot" {
	ct='{"name": "app", "image": "nginx:1.25", "securityContext": {"allowPrivilegeEscalation": false, "seccompProfile": {"type": "RuntimeDefault"}, "capabilities": {"drop": ["ALL"]}}}'
	adm_review Pod "" prod "$(adm_pod prod root "[$ct]")" >"$R/root.json"
	adm_decide "$R/root.json"
	jq -e '.response.allowed == false and .response.status.code == 403' "$ADM_RESP"
	jq -e '.response.status.message == "violates PodSecurity \"restricted:latest\": runAsNonRoot != true (pod or container \"app\" must set securityContext.runAsNonRoot=true)"' "$ADM_RESP"
	# the same pod in the default (baseline) namespace is allowed, with a warning
	adm_review Pod "" default "$(adm_pod default root "[$ct]")" >"$R/root-default.json"
	adm_decide "$R/root-default.json"
	jq -e '.response.allowed == true and (.response.warnings | length == 1)' "$ADM_RESP"
	# an exempt namespace is not checked at all
	adm_review Pod "" palisade-system "$(adm_pod palisade-system any '[{"name": "app", "image": "x", "securityContext": {"privileged": true}}]')" >"$R/exempt.json"
	adm_decide "$R/exempt.json"
	jq -e '.response.allowed == true' "$ADM_RESP"
}

@test "pod templates: a Deployment and a CronJob" {
	pod=$(adm_pod default web '[{"name": "web", "image": "nginx:1.25", "securityContext": {"privileged": true}}]')
	dep=$(jq -cn --argjson p "$pod" '{apiVersion: "apps/v1", kind: "Deployment",
		metadata: {name: "web", namespace: "default"},
		spec: {replicas: 2, selector: {matchLabels: {app: "web"}},
		       template: {metadata: {labels: {app: "web"}}, spec: $p.spec}}}')
	adm_review Deployment apps default "$dep" >"$R/dep.json"
	adm_decide "$R/dep.json"
	jq -e '.response.allowed == false and .response.status.message == "violates PodSecurity \"baseline:latest\": privileged (container \"web\" must not set securityContext.privileged=true)"' "$ADM_RESP"
	ok=$(adm_pod default job "[$RESTRICTED_CT]")
	cron=$(jq -cn --argjson p "$ok" '{apiVersion: "batch/v1", kind: "CronJob",
		metadata: {name: "nightly", namespace: "default"},
		spec: {schedule: "0 3 * * *", jobTemplate: {spec: {template: {metadata: {}, spec: ($p.spec + {restartPolicy: "OnFailure"})}}}}}')
	adm_review CronJob batch default "$cron" >"$R/cron.json"
	adm_decide "$R/cron.json"
	jq -e '.response.allowed == true and (.response | has("warnings") | not)' "$ADM_RESP"
	# the CronJob's template is where the check looks
	bad=$(echo "$cron" | jq -c '.spec.jobTemplate.spec.template.spec.hostPID = true')
	adm_review CronJob batch default "$bad" >"$R/cron-bad.json"
	adm_decide "$R/cron-bad.json"
	jq -e '.response.allowed == false and (.response.status.message | contains("host namespaces (hostPID=true)"))' "$ADM_RESP"
}

@test "image trust: a digest-pinned signed image is allowed; no digest or another digest is denied" {
	ct=$(jq -cn --argjson c "$RESTRICTED_CT" --arg img "registry.example.com/signed/app@$DIGEST" '$c + {image: $img}')
	adm_review Pod "" default "$(adm_pod default signed "[$ct]")" >"$R/signed.json"
	adm_decide "$R/signed.json"
	jq -e '.response.allowed == true' "$ADM_RESP"
	# the same reference without a digest
	ct=$(jq -cn --argjson c "$RESTRICTED_CT" '$c + {image: "registry.example.com/signed/app:v1"}')
	adm_review Pod "" default "$(adm_pod default tagged "[$ct]")" >"$R/tagged.json"
	adm_decide "$R/tagged.json"
	jq -e '.response.allowed == false and .response.status.code == 403' "$ADM_RESP"
	jq -e '.response.status.message == "image \"registry.example.com/signed/app:v1\" is not trusted: scope registry.example.com/signed requires signatures or vulnerability reports, which can only be checked for a digest: pin the image as registry.example.com/signed/app@sha256:<digest>"' "$ADM_RESP"
	# a digest nobody signed
	other="sha256:$(printf '%064d' 7)"
	ct=$(jq -cn --argjson c "$RESTRICTED_CT" --arg img "registry.example.com/signed/app@$other" '$c + {image: $img}')
	adm_review Pod "" default "$(adm_pod default unsigned "[$ct]")" >"$R/unsigned.json"
	adm_decide "$R/unsigned.json"
	jq -e --arg d "$other" '.response.allowed == false and (.response.status.message | contains("no signature found for " + $d))' "$ADM_RESP"
	# rejected by name, in an init container
	pod=$(adm_pod default banned "[$RESTRICTED_CT]" '{"initContainers": [{"name": "init", "image": "registry.example.com/banned/tool:1", "securityContext": {"allowPrivilegeEscalation": false, "capabilities": {"drop": ["ALL"]}}}]}')
	adm_review Pod "" default "$pod" >"$R/banned.json"
	adm_decide "$R/banned.json"
	jq -e '.response.allowed == false and (.response.status.message | startswith("image \"registry.example.com/banned/tool:1\" is not trusted: scope registry.example.com/banned rejects every image"))' "$ADM_RESP"
	# the verified digest is cached: the second decision says so in the log
	adm_decide "$R/signed.json"
	uid=$(jq -r .request.uid "$R/signed.json")
	grep -F "\"uid\":\"$uid\"" "$ADM_T/server.log" | tail -n1 | jq -e '.images[0].allow == true and .images[0].cached == true and .images[0].scope == "registry.example.com/signed"'
}

@test "bad requests: not JSON, not an AdmissionReview, wrong method, path, size" {
	printf 'this is not json' >"$R/junk"
	run adm_post "$R/junk"
	[ "$(echo "$output" | tail -n1)" = 400 ]
	[[ "$output" == *"bad AdmissionReview"*"invalid JSON"* ]]
	echo '{"apiVersion": "admission.k8s.io/v1beta1", "kind": "AdmissionReview", "request": {}}' >"$R/beta.json"
	run adm_post "$R/beta.json"
	[ "$(echo "$output" | tail -n1)" = 400 ]
	[[ "$output" == *"admissionReviewVersions: [v1]"* ]]
	echo '{"apiVersion": "admission.k8s.io/v1", "kind": "AdmissionReview", "request": {"kind": {"kind": "Pod"}}}' >"$R/nouid.json"
	run adm_post "$R/nouid.json"
	[ "$(echo "$output" | tail -n1)" = 400 ]
	[[ "$output" == *"request.uid: missing"* ]]
	run curl -sS --cacert "$ADM_T/ca.crt" -o /dev/null -w '%{http_code}' "$(adm_url /validate)"
	[ "$output" = 405 ]
	run curl -sS --cacert "$ADM_T/ca.crt" -o /dev/null -w '%{http_code}' "$(adm_url /mutate)"
	[ "$output" = 404 ]
	run curl -sS --cacert "$ADM_T/ca.crt" -o /dev/null -w '%{http_code}' -H 'Content-Type: text/plain' --data x "$(adm_url /validate)"
	[ "$output" = 415 ]
	head -c $((9 << 20)) /dev/zero | tr '\0' ' ' >"$R/big"
	run curl -sS --cacert "$ADM_T/ca.crt" -o /dev/null -w '%{http_code}' -H 'Content-Type: application/json' --data-binary @"$R/big" "$(adm_url /validate)"
	[ "$output" = 413 ]
	# the server is still healthy
	run curl -sS --cacert "$ADM_T/ca.crt" "$(adm_url /healthz)"
	[ "$output" = ok ]
}

@test "every decision is one JSON line in the log" {
	adm_review Pod "" default "$(adm_pod default logged '[{"name": "app", "image": "nginx:1.25", "securityContext": {"privileged": true}}]')" >"$R/log.json"
	adm_decide "$R/log.json"
	uid=$(jq -r .request.uid "$R/log.json")
	line=$(grep -F "\"uid\":\"$uid\"" "$ADM_T/server.log")
	[ "$(echo "$line" | wc -l)" -eq 1 ]
	echo "$line" | jq -e '.msg == "admission decision" and .allowed == false and .kind == "Pod" and .namespace == "default" and .name == "logged" and .enforce == "baseline" and (.violations | length == 1) and (.duration_us >= 0) and (.time | test("Z$"))'
	# every line of the log is JSON
	jq -e . "$ADM_T/server.log" >/dev/null
}

@test "SIGHUP: a rotated certificate and an edited policy take over without a refused connection; a bad one keeps the running pair" {
	cp "$ADM_T/tls.crt" "$R/cur.crt"
	cp "$ADM_T/tls.key" "$R/cur.key"
	cp "$ADM_T/policy.yaml" "$R/policy.yaml"
	cp "$ADM_T/release.pub" "$R/release.pub"
	"$PAL_BIN_DIR/palisade" admit serve --listen 127.0.0.1:0 --tls-cert "$R/cur.crt" \
		--tls-key "$R/cur.key" --policy "$R/policy.yaml" --ready-file "$R/ready" \
		>"$R/server.log" 2>&1 3>&- &
	pid=$!
	for i in $(seq 100); do [ -s "$R/ready" ] && break; sleep 0.1; done
	[ -s "$R/ready" ] || { cat "$R/server.log"; false; }
	ADM_PORT=$(cat "$R/ready")
	served() { openssl s_client -connect "127.0.0.1:$ADM_PORT" </dev/null 2>/dev/null | openssl x509 -noout -fingerprint -sha256; }
	first=$(served)
	[ "$first" = "$(openssl x509 -in "$R/cur.crt" -noout -fingerprint -sha256)" ]
	ct=$(jq -cn --argjson c "$RESTRICTED_CT" '$c + {image: "registry.example.com/app/web:1"}')
	adm_review Pod "" default "$(adm_pod default web "[$ct]")" >"$R/web.json"
	adm_decide "$R/web.json"
	jq -e '.response.allowed == true' "$ADM_RESP"

	# cert-manager renews the certificate; the operator bans the image.
	openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$R/new.key" \
		-out "$R/new.csr" -subj "/CN=localhost" 2>/dev/null
	openssl x509 -req -in "$R/new.csr" -CA "$ADM_T/ca.crt" -CAkey "$ADM_T/ca.key" \
		-CAcreateserial -days 2 -extfile "$ADM_T/ext.cnf" -out "$R/new.crt" 2>/dev/null
	cp "$R/new.crt" "$R/cur.crt"
	cp "$R/new.key" "$R/cur.key"
	sed -i 's|^    registry.example.com/banned: \[reject\]|&\n    registry.example.com/app: [reject]|' "$R/policy.yaml"
	grep -q "registry.example.com/app: \[reject\]" "$R/policy.yaml"
	# requests keep being answered while the server reloads
	( for i in $(seq 40); do curl -sf --cacert "$ADM_T/ca.crt" "$(adm_url /healthz)" >/dev/null || echo refused; sleep 0.05; done ) >"$R/during" &
	poller=$!
	sleep 0.3
	kill -HUP "$pid"
	for i in $(seq 100); do grep -q '"msg":"reloaded"' "$R/server.log" && break; sleep 0.1; done
	grep -q '"msg":"reloaded"' "$R/server.log" || { cat "$R/server.log"; false; }
	wait "$poller"
	[ ! -s "$R/during" ] || { echo "refused during the reload: $(wc -l <"$R/during")"; false; }
	second=$(served)
	[ "$second" = "$(openssl x509 -in "$R/new.crt" -noout -fingerprint -sha256)" ]
	[ "$second" != "$first" ]
	adm_decide "$R/web.json"
	jq -e '.response.allowed == false and (.response.status.message | contains("scope registry.example.com/app rejects every image"))' "$ADM_RESP"

	# A key that does not belong to the certificate: said, and nothing changes.
	openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$R/cur.key" 2>/dev/null
	kill -HUP "$pid"
	for i in $(seq 100); do grep -q '"msg":"reload failed' "$R/server.log" && break; sleep 0.1; done
	grep '"msg":"reload failed' "$R/server.log" | grep -q "does not belong to --tls-cert" || { cat "$R/server.log"; false; }
	[ "$(served)" = "$second" ]
	run curl -sS --cacert "$ADM_T/ca.crt" "$(adm_url /healthz)"
	[ "$output" = ok ]
	adm_stop "$pid"
}

@test "SIGTERM stops the server gracefully" {
	adm_start "$ADM_T/policy.yaml" "$R/server.log"
	run curl -sS --cacert "$ADM_T/ca.crt" "$(adm_url /healthz)"
	[ "$output" = ok ]
	pid=$ADM_PID
	# the exit status of the server (a child of this shell) must be 0
	adm_stop "$pid"
	! kill -0 "$pid" 2>/dev/null
	grep -q '"msg":"shutting down"' "$R/server.log"
	run curl -sS --cacert "$ADM_T/ca.crt" --max-time 3 "$(adm_url /healthz)"
	[ "$status" -ne 0 ]
	# a wrong key is refused before serving, naming the file
	openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$R/other.key" 2>/dev/null
	run palisade admit serve --listen 127.0.0.1:0 --tls-cert "$ADM_T/tls.crt" --tls-key "$R/other.key"
	[ "$status" -eq 1 ]
	[[ "$output" == *"--tls-key $R/other.key does not belong to --tls-cert $ADM_T/tls.crt"* ]]
}

@test "palisade admit review decides a review file offline, as the server does" {
	adm_review Pod "" default "$(adm_pod default offline '[{"name": "app", "image": "nginx:1.25", "securityContext": {"privileged": true}}]')" >"$R/offline.json"
	run palisade admit review --policy "$ADM_T/policy.yaml" "$R/offline.json"
	[ "$status" -eq 3 ]
	echo "$output" | jq -e '.response.allowed == false and .response.status.message == "violates PodSecurity \"baseline:latest\": privileged (container \"app\" must not set securityContext.privileged=true)"'
	# the server says the same
	adm_decide "$R/offline.json"
	[ "$(jq -c .response "$ADM_RESP")" = "$(echo "$output" | jq -c .response)" ]
	adm_review Pod "" prod "$(adm_pod prod offline "[$RESTRICTED_CT]")" >"$R/offline-ok.json"
	run palisade admit review --policy "$ADM_T/policy.yaml" "$R/offline-ok.json"
	[ "$status" -eq 0 ]
	run palisade admit review --policy "$ADM_T/policy.yaml" "$R/missing.json"
	[ "$status" -eq 1 ]
}
