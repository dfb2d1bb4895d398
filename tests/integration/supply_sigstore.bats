#!/usr/bin/env bats
# Interoperability with an independent sigstore implementation: bundles made
# by @sigstore/sign verify with palisade, and palisade's bundles verify with
# @sigstore/verify (npm packages installed at test time, never committed).

setup_file() {
	load 'lib/supply'
	sup_require podman skopeo openssl jq node npm || return 1
	sup_setup_images
	sup_sigstore_js || return 1
}

teardown_file() {
	load 'lib/supply'
	sup_teardown_images
}

setup() {
	load 'lib/supply'
	sup_sigstore_js
	W="$SUP_T/w-$BATS_TEST_NUMBER"
	rm -rf "$W" && mkdir -p "$W"
	sup_fresh_layout "$W/layout"
	DIGEST=$(sup_layout_digest "$W/layout" bb)
	MANIFEST=$(sup_blob "$W/layout" "$DIGEST")
	MSIZE=$(stat -c %s "$MANIFEST")
	openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$W/k.pem" 2>/dev/null
	openssl pkey -in "$W/k.pem" -pubout -out "$W/k.pub"
}

attach() {
	node "$SIGSTORE_TOOL" attach --layout "$W/layout" --bundle "$1" --subject-digest "$DIGEST" \
		--subject-size "$MSIZE" --subject-media-type application/vnd.oci.image.manifest.v1+json
}

@test "@sigstore/sign message-signature bundle verifies with palisade" {
	node "$SIGSTORE_TOOL" sign --key "$W/k.pem" --type message --artifact "$MANIFEST" --out "$W/b.json"
	jq -e '.messageSignature.messageDigest.algorithm == "SHA2_256"' "$W/b.json"
	attach "$W/b.json"
	run palisade verify --key "$W/k.pub" -o json "$W/layout:bb"
	echo "$output"
	[ "$status" -eq 0 ]
	echo "$output" | jq -e '.signature | startswith("bundle message signature")'
}

@test "@sigstore/sign DSSE bundle with an in-toto statement verifies with palisade" {
	node "$SIGSTORE_TOOL" sign --key "$W/k.pem" --type dsse --digest "$DIGEST" --out "$W/b.json"
	jq -e '.mediaType == "application/vnd.dev.sigstore.bundle.v0.3+json"' "$W/b.json"
	attach "$W/b.json"
	run palisade verify --key "$W/k.pub" -o json "$W/layout:bb"
	echo "$output"
	[ "$status" -eq 0 ]
	echo "$output" | jq -e '.signature | startswith("bundle DSSE")'
}

@test "sigstore-js bundles for another digest, by another key, or truncated are rejected" {
	other="sha256:$(printf '%064d' 1)"
	node "$SIGSTORE_TOOL" sign --key "$W/k.pem" --type dsse --digest "$other" --out "$W/wrong.json"
	attach "$W/wrong.json"
	run palisade verify --key "$W/k.pub" "$W/layout:bb"
	[ "$status" -eq 3 ]
	[[ "$output" == *"not the image"* ]]

	sup_fresh_layout "$W/layout"
	openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$W/o.pem" 2>/dev/null
	node "$SIGSTORE_TOOL" sign --key "$W/o.pem" --type message --artifact "$MANIFEST" --out "$W/o.json"
	attach "$W/o.json"
	run palisade verify --key "$W/k.pub" "$W/layout:bb"
	[ "$status" -eq 3 ]
	[[ "$output" == *"does not verify with this key"* ]]

	sup_fresh_layout "$W/layout"
	node "$SIGSTORE_TOOL" sign --key "$W/k.pem" --type message --artifact "$MANIFEST" --out "$W/full.json"
	head -c $(($(stat -c %s "$W/full.json") / 2)) "$W/full.json" >"$W/trunc.json"
	attach "$W/trunc.json"
	run palisade verify --key "$W/k.pub" "$W/layout:bb"
	[ "$status" -eq 3 ]
	[[ "$output" == *"invalid JSON"* ]]
}

@test "palisade bundles verify with @sigstore/verify" {
	palisade keygen --output "$W/p" >/dev/null
	palisade sign --key "$W/p.key" --format bundle --output-bundle "$W/msg.json" "$W/layout:bb" >/dev/null
	run node "$SIGSTORE_TOOL" verify --key "$W/p.pub" --bundle "$W/msg.json" --artifact "$MANIFEST"
	echo "$output"
	[ "$status" -eq 0 ]
	[[ "$output" == *"messageSignature"* ]]
	palisade sign --key "$W/p.key" --format dsse --output-bundle "$W/dsse.json" "$W/layout:bb" >/dev/null
	run node "$SIGSTORE_TOOL" verify --key "$W/p.pub" --bundle "$W/dsse.json" --digest "$DIGEST"
	echo "$output"
	[ "$status" -eq 0 ]
	[[ "$output" == *"dsseEnvelope"* ]]
	# and sigstore-js rejects them with another key or another artifact
	run node "$SIGSTORE_TOOL" verify --key "$W/k.pub" --bundle "$W/msg.json" --artifact "$MANIFEST"
	[ "$status" -ne 0 ]
	run node "$SIGSTORE_TOOL" verify --key "$W/p.pub" --bundle "$W/msg.json" --artifact "$W/k.pub"
	[ "$status" -ne 0 ]
	run node "$SIGSTORE_TOOL" verify --key "$W/p.pub" --bundle "$W/dsse.json" --digest "sha256:$(printf '%064d' 2)"
	[ "$status" -ne 0 ]
}

@test "Ed25519 and P-384 bundles cross-verify" {
	openssl genpkey -algorithm ED25519 -out "$W/ed.pem"
	openssl pkey -in "$W/ed.pem" -pubout -out "$W/ed.pub"
	node "$SIGSTORE_TOOL" sign --key "$W/ed.pem" --type dsse --digest "$DIGEST" --out "$W/ed.json"
	attach "$W/ed.json"
	run palisade verify --key "$W/ed.pub" "$W/layout:bb"
	[ "$status" -eq 0 ]
	palisade sign --key "$W/ed.pem" --format dsse --output-bundle "$W/ped.json" "$W/layout:bb" >/dev/null
	run node "$SIGSTORE_TOOL" verify --key "$W/ed.pub" --bundle "$W/ped.json" --digest "$DIGEST"
	[ "$status" -eq 0 ]
	openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-384 -out "$W/p384.pem" 2>/dev/null
	openssl pkey -in "$W/p384.pem" -pubout -out "$W/p384.pub"
	sup_fresh_layout "$W/layout"
	node "$SIGSTORE_TOOL" sign --key "$W/p384.pem" --type message --artifact "$MANIFEST" --out "$W/p384.json"
	attach "$W/p384.json"
	run palisade verify --key "$W/p384.pub" "$W/layout:bb"
	[ "$status" -eq 0 ]
}
