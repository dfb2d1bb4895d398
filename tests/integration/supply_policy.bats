#!/usr/bin/env bats
# Trust policies: `palisade policy check`, and `palisade verify --policy` with
# scopes, N-of-M keys, rotation, revocation, vulnerability reports and the
# verdict cache, on a podman image and an OCI layout.

setup_file() {
	load 'lib/supply'
	sup_require podman skopeo openssl jq || return 1
	sup_setup_images
}

teardown_file() {
	load 'lib/supply'
	sup_teardown_images
}

setup() {
	load 'lib/supply'
	W="$SUP_T/w-$BATS_TEST_NUMBER"
	rm -rf "$W" && mkdir -p "$W/reports"
	sup_fresh_layout "$W/layout"
	for k in a b c; do palisade keygen --output "$W/$k" >/dev/null; done
	DIGEST=$(sup_layout_digest "$W/layout" bb)
}

policy() {
	cat >"$W/policy.yaml" <<-YAML
	hardening:
	  seccomp: default
	trust:
	  signature_store: $W/sigstore
	  reports_dir: $W/reports
	  cache: {dir: $W/cache, ttl: 300}
	  keys:
	    a: {path: a.pub}
	    b: {path: b.pub}
	    c: {path: c.pub}
	YAML
	# the requirements come indented with tabs from the test bodies: keep the spaces
	printf '%s\n' "$1" | sed 's/^\t*//' >>"$W/policy.yaml"
}

verify() { palisade verify --policy "$W/policy.yaml" --storage-root "$SUP_T/storage" "$@"; }

@test "policy check: OK for a valid file, file:line:col for errors" {
	policy "  default: [reject]
	  scopes:
	    $W/layout: [accept]"
	run palisade policy check "$W/policy.yaml"
	[ "$status" -eq 0 ]
	[[ "$output" == *"policy.yaml: OK"* ]]
	printf 'trust:\n  keys:\n    a: {path: %s/a.pub}\n  scopes:\n    localhost/app:\n      - type: signed\n        keys: [a, z]\n' "$W" >"$W/bad.yaml"
	run palisade policy check "$W/bad.yaml"
	[ "$status" -eq 1 ]
	[[ "$output" == *"bad.yaml:7:19: key 'z' is not defined in trust.keys"* ]]
	printf 'trust:\n  defualt: [accept]\n' >"$W/typo.yaml"
	run palisade policy check "$W/typo.yaml"
	[ "$status" -eq 1 ]
	[[ "$output" == *"typo.yaml:2:3: unknown key 'defualt' in trust"* ]]
	run palisade policy check "$W/missing.yaml"
	[ "$status" -eq 1 ]
	run palisade policy fingerprint "$W/a.pub"
	[ "$status" -eq 0 ]
	[[ "$output" == sha256:*"ecdsa-p256"* ]]
}

@test "scopes: the most specific wins (layout path, repository, default)" {
	palisade sign --key "$W/a.key" --storage-root "$SUP_T/storage" --signature-store "$W/sigstore" "$SUP_IMAGE" >/dev/null
	policy "  default: [reject]
	  scopes:
	    localhost:
	      - type: signed
	        keys: [b]
	    ${SUP_IMAGE%:latest}:
	      - type: signed
	        keys: [a]
	    $W: [reject]
	    $W/layout:bb: [accept]"
	run verify -o json "$SUP_IMAGE"
	echo "$output"
	[ "$status" -eq 0 ]
	echo "$output" | jq -e --arg s "${SUP_IMAGE%:latest}" '.scope == $s and .keys == "a"'
	run verify -o json "$W/layout:bb"
	[ "$status" -eq 0 ]
	echo "$output" | jq -e --arg s "$W/layout:bb" '.scope == $s'
	cp -a "$W/layout" "$W/other"
	run verify "$W/other:bb"
	[ "$status" -eq 3 ]
	[[ "$output" == *"scope $W rejects every image"* ]]
}

@test "N-of-M keys, rotation with not_before/not_after, revocation" {
	palisade sign --key "$W/a.key" "$W/layout:bb" >/dev/null
	policy "  default:
	    - type: signed
	      keys: [a, b, c]
	      threshold: 2"
	run verify "$W/layout:bb"
	[ "$status" -eq 3 ]
	[[ "$output" == *"signed by 1 of the 2 required"* ]]
	palisade sign --key "$W/b.key" --format dsse "$W/layout:bb" >/dev/null
	run verify -o json "$W/layout:bb"
	[ "$status" -eq 0 ]
	echo "$output" | jq -e '.keys == "a,b"'

	# rotation: a retires, c takes over, without a gap
	policy "  keys:
	    old: {path: a.pub, not_after: 2001-01-01T00:00:00Z}
	    new: {path: c.pub, not_before: 2001-01-01T00:00:00Z}
	  default:
	    - type: signed
	      keys: [old, new]"
	run verify "$W/layout:bb"
	[ "$status" -eq 3 ]
	[[ "$output" == *"key old expired"* ]]
	palisade sign --key "$W/c.key" --format bundle "$W/layout:bb" >/dev/null
	run verify "$W/layout:bb"
	[ "$status" -eq 0 ]

	# revocation by fingerprint
	fp=$(palisade policy fingerprint "$W/c.pub" | cut -d' ' -f1)
	policy "  revoked: [$fp]
	  default:
	    - type: signed
	      keys: [c]"
	run verify "$W/layout:bb"
	[ "$status" -eq 3 ]
	[[ "$output" == *"key c is revoked"* ]]
}

@test "vulnerability thresholds from Trivy and Grype reports" {
	policy "  default:
	    - type: vulnerabilities
	      max: {critical: 0, high: 1}
	      fixable_only: true"
	run verify "$W/layout:bb"
	[ "$status" -eq 3 ]
	[[ "$output" == *"no vulnerability report for $DIGEST"* ]]
	cat >"$W/reports/sha256-${DIGEST#sha256:}.trivy.json" <<-JSON
	{"SchemaVersion":2,"ArtifactName":"bb","ArtifactType":"container_image",
	 "Metadata":{"RepoDigests":["localhost/bb@$DIGEST"]},
	 "Results":[{"Target":"bb","Vulnerabilities":[
	   {"VulnerabilityID":"CVE-1","Severity":"CRITICAL"},
	   {"VulnerabilityID":"CVE-2","Severity":"HIGH","FixedVersion":"1.1"}]}]}
	JSON
	run verify "$W/layout:bb"
	[ "$status" -eq 0 ]
	cat >"$W/reports/sha256-${DIGEST#sha256:}.grype.json" <<-JSON
	{"matches":[{"vulnerability":{"id":"CVE-3","severity":"High","fix":{"state":"fixed"}}},
	            {"vulnerability":{"id":"CVE-4","severity":"High","fix":{"state":"fixed"}}}],
	 "source":{"type":"image","target":{"manifestDigest":"$DIGEST"}}}
	JSON
	run verify "$W/layout:bb"
	[ "$status" -eq 3 ]
	[[ "$output" == *"grype report"*"2 fixable high vulnerabilities, the policy allows 1"* ]]
}

@test "verdict cache: repeated checks are cached; a policy change invalidates" {
	palisade sign --key "$W/a.key" "$W/layout:bb" >/dev/null
	policy "  default:
	    - type: signed
	      keys: [a]"
	run verify -o json "$W/layout:bb"
	[ "$status" -eq 0 ]
	echo "$output" | jq -e '.cached == false'
	run verify -o json "$W/layout:bb"
	[ "$status" -eq 0 ]
	echo "$output" | jq -e '.cached == true'
	[ "$(stat -c %a "$W/cache")" = 700 ]
	[ "$(stat -c %a "$W/cache/.hmac-key")" = 600 ]
	# revoking the key changes the policy generation: the cached allow is not reused
	fp=$(palisade policy fingerprint "$W/a.pub" | cut -d' ' -f1)
	printf '  revoked: [%s]\n' "$fp" >>"$W/policy.yaml"
	run verify -o json "$W/layout:bb"
	[ "$status" -eq 3 ]
	echo "$output" | jq -e '.cached == false and .allow == false'
	# --no-cache always evaluates
	run verify --no-cache -o json "$W/layout:bb"
	echo "$output" | jq -e '.cached == false'
}
