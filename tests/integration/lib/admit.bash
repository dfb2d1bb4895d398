# Helpers for the admission integration tests (admit_*.bats). Everything lives
# under a per-file temporary directory: a CA and a server certificate made by
# openssl at test time, a signed OCI layout, the webhook's policy and log.

adm_require() {
	local missing=()
	for c in "$@"; do command -v "$c" >/dev/null 2>&1 || missing+=("$c"); done
	if [ ${#missing[@]} -ne 0 ]; then
		echo "missing prerequisite(s): ${missing[*]} (run 'make deps')" >&2
		return 1
	fi
	[ -x "$PAL_BIN_DIR/palisade" ] || { echo "missing $PAL_BIN_DIR/palisade: build first" >&2; return 1; }
}

palisade() { "$PAL_BIN_DIR/palisade" "$@"; }

# A CA, and a server certificate for 127.0.0.1 and localhost signed by it.
adm_make_certs() {
	local d=$1
	openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 \
		-keyout "$d/ca.key" -out "$d/ca.crt" -subj "/CN=palisade-test-ca" 2>/dev/null || return 1
	openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
		-keyout "$d/tls.key" -out "$d/tls.csr" -subj "/CN=localhost" 2>/dev/null || return 1
	printf 'subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\n' >"$d/ext.cnf"
	openssl x509 -req -in "$d/tls.csr" -CA "$d/ca.crt" -CAkey "$d/ca.key" -CAcreateserial \
		-days 2 -extfile "$d/ext.cnf" -out "$d/tls.crt" 2>/dev/null
}

adm_sha256() { echo "sha256:$(sha256sum "$1" | cut -d' ' -f1)"; }

# A one-layer OCI image layout at $1, tagged $2 (no podman needed).
adm_make_layout() {
	local dir=$1 tag=$2 tmp
	tmp=$(mktemp -d)
	mkdir -p "$dir/blobs/sha256" "$tmp/root/etc"
	echo "palisade-admit-test $$" >"$tmp/root/etc/hello"
	tar -C "$tmp/root" --mtime=@1700000000 --owner=0 --group=0 --numeric-owner -cf "$tmp/layer.tar" etc
	local layer lsize config csize manifest msize
	layer=$(adm_sha256 "$tmp/layer.tar")
	lsize=$(stat -c %s "$tmp/layer.tar")
	cp "$tmp/layer.tar" "$dir/blobs/sha256/${layer#sha256:}"
	jq -cn --arg d "$layer" '{architecture: "amd64", os: "linux", config: {},
		rootfs: {type: "layers", diff_ids: [$d]}}' >"$tmp/config.json"
	config=$(adm_sha256 "$tmp/config.json")
	csize=$(stat -c %s "$tmp/config.json")
	cp "$tmp/config.json" "$dir/blobs/sha256/${config#sha256:}"
	jq -cn --arg c "$config" --argjson cs "$csize" --arg l "$layer" --argjson ls "$lsize" \
		'{schemaVersion: 2, mediaType: "application/vnd.oci.image.manifest.v1+json",
		  config: {mediaType: "application/vnd.oci.image.config.v1+json", digest: $c, size: $cs},
		  layers: [{mediaType: "application/vnd.oci.image.layer.v1.tar", digest: $l, size: $ls}]}' \
		>"$tmp/manifest.json"
	manifest=$(adm_sha256 "$tmp/manifest.json")
	msize=$(stat -c %s "$tmp/manifest.json")
	cp "$tmp/manifest.json" "$dir/blobs/sha256/${manifest#sha256:}"
	echo '{"imageLayoutVersion": "1.0.0"}' >"$dir/oci-layout"
	jq -cn --arg m "$manifest" --argjson ms "$msize" --arg t "$tag" \
		'{schemaVersion: 2, manifests: [{mediaType: "application/vnd.oci.image.manifest.v1+json",
		  digest: $m, size: $ms, annotations: {"org.opencontainers.image.ref.name": $t}}]}' \
		>"$dir/index.json"
	rm -rf "$tmp"
	echo "$manifest"
}

# Starts `palisade admit serve` on a free loopback port; sets ADM_PID, ADM_PORT.
adm_start() {
	local policy=$1 log=$2 ready="$ADM_T/ready.$RANDOM"
	rm -f "$ready"
	# fd 3 closed: bats waits for it otherwise
	"$PAL_BIN_DIR/palisade" admit serve --listen 127.0.0.1:0 --tls-cert "$ADM_T/tls.crt" \
		--tls-key "$ADM_T/tls.key" --policy "$policy" --ready-file "$ready" \
		>"$log" 2>&1 3>&- &
	ADM_PID=$!
	local i
	for i in $(seq 1 100); do
		[ -s "$ready" ] && break
		kill -0 "$ADM_PID" 2>/dev/null || { echo "palisade admit serve exited:" >&2; cat "$log" >&2; return 1; }
		sleep 0.1
	done
	[ -s "$ready" ] || { echo "palisade admit serve did not become ready in 10 s" >&2; cat "$log" >&2; return 1; }
	ADM_PORT=$(cat "$ready")
	export ADM_PID ADM_PORT
}

# Stops the server with SIGTERM and waits; returns its exit status.
adm_stop() {
	local pid=${1:-$ADM_PID} i
	[ -n "$pid" ] || return 0
	kill -TERM "$pid" 2>/dev/null || return 0
	for i in $(seq 1 100); do
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.1
	done
	if kill -0 "$pid" 2>/dev/null; then
		echo "palisade admit serve ($pid) ignored SIGTERM for 10 s" >&2
		kill -KILL "$pid" 2>/dev/null
		return 1
	fi
	# the exit status, when the server is a child of this shell (127: it is not)
	local rc=0
	wait "$pid" 2>/dev/null || rc=$?
	[ "$rc" -eq 127 ] && rc=0
	return "$rc"
}

adm_url() { echo "https://127.0.0.1:$ADM_PORT$1"; }

# POSTs file $1 to /validate; prints the body, then the HTTP status on its own line.
adm_post() {
	curl -sS --cacert "$ADM_T/ca.crt" -H 'Content-Type: application/json' \
		--data-binary @"$1" -w '\n%{http_code}\n' "$(adm_url /validate)"
}

# Posts the review in $1 and checks the HTTP status is 200; the
# AdmissionReview response is left in $ADM_RESP (a file).
adm_decide() {
	local out status
	out=$(adm_post "$1") || { echo "curl failed" >&2; return 1; }
	status=$(echo "$out" | tail -n1)
	[ "$status" = 200 ] || { echo "HTTP $status: $out" >&2; return 1; }
	ADM_RESP="$ADM_T/resp.$RANDOM.json"
	echo "$out" | sed '$d' >"$ADM_RESP"
	jq -e --arg uid "$(jq -r .request.uid "$1")" \
		'.apiVersion == "admission.k8s.io/v1" and .kind == "AdmissionReview" and .response.uid == $uid' \
		"$ADM_RESP" >/dev/null || { echo "malformed response: $(cat "$ADM_RESP")" >&2; return 1; }
}

# A Pod object as the API server sends it: name, namespace, the service
# account token volume it injects, and the containers given (JSON array).
adm_pod() {
	local ns=$1 name=$2 containers=$3 extra=${4:-'{}'}
	jq -cn --arg ns "$ns" --arg name "$name" --argjson c "$containers" --argjson x "$extra" '
	{apiVersion: "v1", kind: "Pod",
	 metadata: {name: $name, namespace: $ns, uid: "7d5b2d0c-6d0e-4b8a-9c1e-3c8f6b1f0a11",
	            labels: {app: $name}, creationTimestamp: null},
	 spec: ({restartPolicy: "Always", dnsPolicy: "ClusterFirst", serviceAccountName: "default",
	         terminationGracePeriodSeconds: 30, schedulerName: "default-scheduler",
	         enableServiceLinks: true, preemptionPolicy: "PreemptLowerPriority", priority: 0,
	         volumes: [{name: "kube-api-access-x2b9q", projected: {defaultMode: 420, sources: [
	            {serviceAccountToken: {expirationSeconds: 3607, path: "token"}},
	            {configMap: {name: "kube-root-ca.crt", items: [{key: "ca.crt", path: "ca.crt"}]}}]}}],
	         containers: ($c | map({terminationMessagePath: "/dev/termination-log",
	              terminationMessagePolicy: "File", imagePullPolicy: "IfNotPresent",
	              volumeMounts: [{name: "kube-api-access-x2b9q", readOnly: true,
	                              mountPath: "/var/run/secrets/kubernetes.io/serviceaccount"}]} + .))}
	        * $x)}'
}

# An AdmissionReview v1 request for object $4 (kind $1, group $2, namespace $3).
adm_review() {
	local kind=$1 group=$2 ns=$3 obj=$4 op=${5:-CREATE}
	jq -cn --arg uid "$(cat /proc/sys/kernel/random/uuid)" --arg kind "$kind" --arg group "$group" \
		--arg ns "$ns" --argjson obj "$obj" --arg op "$op" '
	{apiVersion: "admission.k8s.io/v1", kind: "AdmissionReview",
	 request: {uid: $uid, kind: {group: $group, version: "v1", kind: $kind},
	           resource: {group: $group, version: "v1", resource: (($kind | ascii_downcase) + "s")},
	           requestKind: {group: $group, version: "v1", kind: $kind},
	           name: $obj.metadata.name, namespace: $ns, operation: $op,
	           userInfo: {username: "kubernetes-admin", groups: ["system:masters", "system:authenticated"]},
	           object: $obj, oldObject: null, dryRun: false,
	           options: {apiVersion: "meta.k8s.io/v1", kind: "CreateOptions"}}}'
}
