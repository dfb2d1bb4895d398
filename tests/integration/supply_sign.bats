#!/usr/bin/env bats
# palisade keygen / sign / verify on real images: an OCI layout made by
# skopeo from a podman image, and the podman image itself.

setup_file() {
	load 'lib/supply'
	sup_require podman skopeo openssl jq tar || return 1
	sup_setup_images
}

teardown_file() {
	load 'lib/supply'
	sup_teardown_images
}

setup() {
	load 'lib/supply'
	W="$SUP_T/w-$BATS_TEST_NUMBER"
	rm -rf "$W" && mkdir -p "$W"
	sup_fresh_layout "$W/layout"
	cd "$W"
	unset COSIGN_PASSWORD PALISADE_PASSWORD
}

@test "keygen writes a P-256 pair, plain or cosign-encrypted, and never overwrites" {
	run palisade keygen --output "$W/k"
	[ "$status" -eq 0 ]
	[ "$(stat -c %a "$W/k.key")" = 600 ]
	grep -q "BEGIN PRIVATE KEY" "$W/k.key"
	openssl pkey -pubin -in "$W/k.pub" -noout -text | grep -q "prime256v1"
	run palisade keygen --output "$W/k"
	[ "$status" -eq 1 ]
	[[ "$output" == *"exists"* ]]
	COSIGN_PASSWORD=pw run palisade keygen --output "$W/e"
	[ "$status" -eq 0 ]
	grep -q "BEGIN ENCRYPTED SIGSTORE PRIVATE KEY" "$W/e.key"
	# the encrypted key signs with the password and is refused without it
	COSIGN_PASSWORD=pw run palisade sign --key "$W/e.key" "$W/layout:bb"
	[ "$status" -eq 0 ]
	run palisade sign --key "$W/e.key" "$W/layout:bb"
	[ "$status" -eq 1 ]
	[[ "$output" == *"COSIGN_PASSWORD"* ]]
	COSIGN_PASSWORD=wrong run palisade sign --key "$W/e.key" "$W/layout:bb"
	[ "$status" -eq 1 ]
	[[ "$output" == *"wrong password"* ]]
	run palisade verify --key "$W/e.pub" "$W/layout:bb"
	[ "$status" -eq 0 ]
}

@test "sign an OCI layout in every format; verify OK; other tools still read the layout" {
	palisade keygen --output "$W/k" >/dev/null
	digest=$(sup_layout_digest "$W/layout" bb)
	run palisade sign --key "$W/k.key" --format all "$W/layout:bb"
	[ "$status" -eq 0 ]
	# cosign's layout: the .sig tag and two bundle referrers
	jq -e --arg t "sha256-${digest#sha256:}.sig" '.manifests[] | select(.annotations."org.opencontainers.image.ref.name" == $t)' "$W/layout/index.json"
	[ "$(jq '[.manifests[] | select(.artifactType == "application/vnd.dev.sigstore.bundle.v0.3+json")] | length' "$W/layout/index.json")" -eq 2 ]
	sig=$(sup_layout_digest "$W/layout" "sha256-${digest#sha256:}.sig")
	jq -e '.layers[0].mediaType == "application/vnd.dev.cosign.simplesigning.v1+json" and (.layers[0].annotations."dev.cosignproject.cosign/signature" | length > 0)' "$(sup_blob "$W/layout" "$sig")"
	run palisade verify --key "$W/k.pub" "$W/layout:bb"
	[ "$status" -eq 0 ]
	[[ "$output" == *"Verified OK"* ]]
	[[ "$output" == *"$digest"* ]]
	run skopeo inspect "oci:$W/layout:bb"
	[ "$status" -eq 0 ]
	[[ "$output" == *"$digest"* ]]
	# each format verifies on its own
	for fmt in sig bundle dsse; do
		sup_fresh_layout "$W/l-$fmt"
		palisade sign --key "$W/k.key" --format "$fmt" "$W/l-$fmt:bb" >/dev/null
		run palisade verify --key "$W/k.pub" -o json "$W/l-$fmt:bb"
		[ "$status" -eq 0 ]
		echo "$output" | jq -e '.allow == true'
	done
	run palisade verify --key "$W/k.pub" -o json "$W/l-dsse:bb"
	echo "$output" | jq -e '.signature | startswith("bundle DSSE")'
}

@test "unsigned image and wrong key are denied with a reason (exit 3)" {
	palisade keygen --output "$W/k" >/dev/null
	palisade keygen --output "$W/other" >/dev/null
	run palisade verify --key "$W/k.pub" "$W/layout:bb"
	[ "$status" -eq 3 ]
	[[ "$output" == *"DENIED"*"no signature found"* ]]
	palisade sign --key "$W/other.key" --format all "$W/layout:bb" >/dev/null
	run palisade verify --key "$W/k.pub" "$W/layout:bb"
	[ "$status" -eq 3 ]
	[[ "$output" == *"does not verify with this key"* ]]
}

@test "a tampered payload is rejected" {
	palisade keygen --output "$W/k" >/dev/null
	palisade sign --key "$W/k.key" "$W/layout:bb" >/dev/null
	digest=$(sup_layout_digest "$W/layout" bb)
	tag="sha256-${digest#sha256:}.sig"
	sigm=$(sup_blob "$W/layout" "$(sup_layout_digest "$W/layout" "$tag")")
	old=$(sup_blob "$W/layout" "$(jq -r '.layers[0].digest' "$sigm")")
	# same signature, payload with another docker-reference, digests kept consistent
	new=$(jq -c '.critical.identity."docker-reference" = "evil.example.com/x"' "$old" | tr -d '\n' | sup_put_blob "$W/layout")
	new_path=$(sup_blob "$W/layout" "$new")
	size=$(stat -c %s "$new_path")
	jq -c --arg d "$new" --argjson s "$size" '.layers[0].digest = $d | .layers[0].size = $s' "$sigm" | sup_set_tag "$W/layout" "$tag"
	run palisade verify --key "$W/k.pub" "$W/layout:bb"
	[ "$status" -eq 3 ]
	[[ "$output" == *"does not verify"* ]]
	# flipping bytes of the stored payload in place is caught by its digest
	printf 'X' | dd of="$new_path" bs=1 seek=5 conv=notrunc 2>/dev/null
	run palisade verify --key "$W/k.pub" "$W/layout:bb"
	[ "$status" -eq 3 ]
	[[ "$output" == *"content digest is"* ]]
}

@test "a signature moved to another image (wrong digest) is rejected" {
	palisade keygen --output "$W/k" >/dev/null
	# a second image in the same layout: bb's manifest with an annotation
	d1=$(sup_layout_digest "$W/layout" bb)
	m2=$(jq -c '.annotations = {"variant": "two"}' "$(sup_blob "$W/layout" "$d1")" | tr -d '\n' | sup_put_blob "$W/layout")
	s2=$(stat -c %s "$(sup_blob "$W/layout" "$m2")")
	jq -c --arg d "$m2" --argjson s "$s2" '.manifests += [{"mediaType": "application/vnd.oci.image.manifest.v1+json", "digest": $d, "size": $s, "annotations": {"org.opencontainers.image.ref.name": "bb2"}}]' \
		"$W/layout/index.json" >"$W/ix" && mv "$W/ix" "$W/layout/index.json"
	d2=$(sup_layout_digest "$W/layout" bb2)
	[ "$d1" != "$d2" ]
	palisade sign --key "$W/k.key" "$W/layout:bb" >/dev/null
	# replay bb's .sig as bb2's
	jq -c --arg a "sha256-${d1#sha256:}.sig" --arg b "sha256-${d2#sha256:}.sig" \
		'.manifests |= map(if .annotations."org.opencontainers.image.ref.name" == $a then .annotations."org.opencontainers.image.ref.name" = $b else . end)' \
		"$W/layout/index.json" >"$W/ix" && mv "$W/ix" "$W/layout/index.json"
	run palisade verify --key "$W/k.pub" "$W/layout:bb2"
	[ "$status" -eq 3 ]
	[[ "$output" == *"signed payload names $d1"* ]]
}

@test "detached signatures like cosign verify-blob, made with openssl" {
	openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$W/k.pem" 2>/dev/null
	openssl pkey -in "$W/k.pem" -pubout -out "$W/k.pub"
	digest=$(sup_layout_digest "$W/layout" bb)
	printf '{"critical":{"identity":{"docker-reference":"localhost/bb"},"image":{"docker-manifest-digest":"%s"},"type":"cosign container image signature"},"optional":null}' "$digest" >"$W/payload.json"
	openssl dgst -sha256 -sign "$W/k.pem" "$W/payload.json" | base64 -w0 >"$W/payload.sig"
	run palisade verify --key "$W/k.pub" --signature "$W/payload.sig" --payload "$W/payload.json" "$W/layout:bb"
	[ "$status" -eq 0 ]
	# tampered payload
	sed 's/localhost/remotehost/' "$W/payload.json" >"$W/tampered.json"
	run palisade verify --key "$W/k.pub" --signature "$W/payload.sig" --payload "$W/tampered.json" "$W/layout:bb"
	[ "$status" -eq 3 ]
	[[ "$output" == *"does not verify"* ]]
	# a valid signature over a payload naming another image
	sed "s/${digest#sha256:}/$(printf '%064d' 0)/" "$W/payload.json" >"$W/other.json"
	openssl dgst -sha256 -sign "$W/k.pem" "$W/other.json" | base64 -w0 >"$W/other.sig"
	run palisade verify --key "$W/k.pub" --signature "$W/other.sig" --payload "$W/other.json" "$W/layout:bb"
	[ "$status" -eq 3 ]
	[[ "$output" == *"names sha256:0000"* ]]
	# palisade's own detached output verifies the same way
	palisade keygen --output "$W/p" >/dev/null
	palisade sign --key "$W/p.key" --output-signature "$W/p.sig" --output-payload "$W/p.json" "$W/layout:bb" >/dev/null
	sup_fresh_layout "$W/clean"
	run palisade verify --key "$W/p.pub" --signature "$W/p.sig" --payload "$W/p.json" "$W/clean:bb"
	[ "$status" -eq 0 ]
	openssl dgst -sha256 -verify "$W/p.pub" -signature <(base64 -d "$W/p.sig") "$W/p.json"
}

@test "every key type: openssl signs, palisade verifies; palisade signs and verifies" {
	digest=$(sup_layout_digest "$W/layout" bb)
	printf '{"critical":{"identity":{"docker-reference":""},"image":{"docker-manifest-digest":"%s"},"type":"cosign container image signature"},"optional":null}' "$digest" >"$W/payload.json"
	for kind in P-384 P-521 RSA ED25519; do
		case $kind in
		P-*) openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:$kind -out "$W/$kind.pem" 2>/dev/null ;;
		RSA) openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:3072 -out "$W/$kind.pem" 2>/dev/null ;;
		ED25519) openssl genpkey -algorithm ED25519 -out "$W/$kind.pem" ;;
		esac
		openssl pkey -in "$W/$kind.pem" -pubout -out "$W/$kind.pub"
		if [ $kind = ED25519 ]; then
			openssl pkeyutl -sign -rawin -inkey "$W/$kind.pem" -in "$W/payload.json" | base64 -w0 >"$W/$kind.sig"
		else
			openssl dgst -sha256 -sign "$W/$kind.pem" "$W/payload.json" | base64 -w0 >"$W/$kind.sig"
		fi
		run palisade verify --key "$W/$kind.pub" --signature "$W/$kind.sig" --payload "$W/payload.json" "$W/layout:bb"
		echo "$kind detached: $output"
		[ "$status" -eq 0 ]
		sup_fresh_layout "$W/l-$kind"
		run palisade sign --key "$W/$kind.pem" --format all "$W/l-$kind:bb"
		[ "$status" -eq 0 ]
		run palisade verify --key "$W/$kind.pub" "$W/l-$kind:bb"
		echo "$kind layout: $output"
		[ "$status" -eq 0 ]
	done
	# RSA-PSS from openssl
	openssl dgst -sha256 -sigopt rsa_padding_mode:pss -sign "$W/RSA.pem" "$W/payload.json" | base64 -w0 >"$W/pss.sig"
	run palisade verify --key "$W/RSA.pub" --signature "$W/pss.sig" --payload "$W/payload.json" "$W/layout:bb"
	[ "$status" -eq 0 ]
	# Ed25519ph (libsodium): the verdict names the scheme
	sup_fresh_layout "$W/l-ph"
	palisade sign --key "$W/ED25519.pem" --signing-algorithm ed25519ph --format all "$W/l-ph:bb" >/dev/null
	run palisade verify --key "$W/ED25519.pub" -o json "$W/l-ph:bb"
	[ "$status" -eq 0 ]
	echo "$output" | jq -e '.signature | endswith("ed25519ph")'
	# and a P-256 key cannot sign Ed25519ph
	palisade keygen --output "$W/ec" >/dev/null
	run palisade sign --key "$W/ec.key" --signing-algorithm ed25519ph "$W/l-ph:bb"
	[ "$status" -eq 1 ]
	[[ "$output" == *"Ed25519ph needs an Ed25519 key"* ]]
}

@test "containers-storage images: signatures in the signature store, keyed by manifest digest" {
	palisade keygen --output "$W/k" >/dev/null
	store="$W/sigstore"
	run palisade verify --key "$W/k.pub" --storage-root "$SUP_T/storage" --signature-store "$store" "$SUP_IMAGE"
	[ "$status" -eq 3 ]
	[[ "$output" == *"no signature found"* ]]
	run palisade sign --key "$W/k.key" --format all --storage-root "$SUP_T/storage" --signature-store "$store" "$SUP_IMAGE"
	[ "$status" -eq 0 ]
	digest=$(jq -r --arg n "$SUP_IMAGE" '.[] | select(.names | index($n)) | .digest' "$SUP_T/storage/overlay-images/images.json")
	jq -e --arg t "sha256-${digest#sha256:}.sig" '.manifests[] | select(.annotations."org.opencontainers.image.ref.name" == $t)' "$store/index.json"
	short=${SUP_IMAGE#localhost/}
	for ref in "$SUP_IMAGE" "${short%:latest}" "containers-storage:$SUP_IMAGE"; do
		run palisade verify --key "$W/k.pub" --storage-root "$SUP_T/storage" --signature-store "$store" "$ref"
		[ "$status" -eq 0 ]
		[[ "$output" == *"$digest"* ]]
	done
	# the image a podman container was created from
	sup_podman create --name "palisade-supply-c$$" "$SUP_IMAGE" true >/dev/null
	run palisade verify --key "$W/k.pub" --storage-root "$SUP_T/storage" --signature-store "$store" --container "palisade-supply-c$$"
	[ "$status" -eq 0 ]
	[[ "$output" == *"$digest"* ]]
	sup_podman rm "palisade-supply-c$$" >/dev/null
	run palisade verify --key "$W/k.pub" --storage-root "$SUP_T/storage" --container nosuchcontainer
	[ "$status" -eq 1 ]
	[[ "$output" == *"no container 'nosuchcontainer'"* ]]
		# the layout made from the same image has another manifest digest: not signed
	run palisade verify --key "$W/k.pub" --signature-store "$store" "$W/layout:bb"
	[ "$status" -eq 3 ]
}

@test "usage errors exit 2 and --help works" {
	for c in keygen sign verify policy; do
		run palisade $c --help
		[ "$status" -eq 0 ]
		[[ "$output" == *"Usage: palisade $c"* ]]
	done
	run palisade verify "$W/layout:bb"
	[ "$status" -eq 2 ]
	run palisade sign "$W/layout:bb"
	[ "$status" -eq 2 ]
	run palisade verify --key /nonexistent.pub "$W/layout:bb"
	[ "$status" -eq 1 ]
	[[ "$output" == *"/nonexistent.pub"* ]]
	run palisade verify --key "$W/layout/oci-layout" "$W/layout:nope"
	[ "$status" -eq 1 ]
}
