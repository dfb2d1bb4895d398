#!/usr/bin/env bats
# Admission at palisade-runtime create, through podman and palisade run:
# signed images run, unsigned, substituted or tampered ones are refused with
# the reason, an audit record and nothing left behind; dangerous configs too.

load lib/runtime
load lib/engines

setup_file() {
  engines_setup_file
  require skopeo
  export PAL="$PAL_BIN_DIR/palisade"
  export UNSIGNED="localhost/palisade-test/unsigned:$$"
  # Named here: a test's $$ is not setup_file's, and teardown_file must find it.
  export SWAPPED="localhost/palisade-test/swapped:$$"
  # other content (the same tar would make the very same, signed, image)
  cp -a "$ROOTFS_CACHE" "$BATS_FILE_TMPDIR/rootfs2"
  echo other > "$BATS_FILE_TMPDIR/rootfs2/other"
  tar -C "$BATS_FILE_TMPDIR/rootfs2" -cf "$BATS_FILE_TMPDIR/rootfs2.tar" .
  podman import -q "$BATS_FILE_TMPDIR/rootfs2.tar" "$UNSIGNED" >/dev/null
  export KEYS="$BATS_FILE_TMPDIR/keys"
  mkdir -p "$KEYS"
  "$PAL" keygen --output "$KEYS/release" >/dev/null
  "$PAL" keygen --output "$KEYS/attacker" >/dev/null
  export STORE="$BATS_FILE_TMPDIR/signatures"
  "$PAL" sign --key "$KEYS/release.key" --signature-store "$STORE" "$BB_IMAGE" >/dev/null
  export LAYOUTS="$BATS_FILE_TMPDIR/layouts"
  mkdir -p "$LAYOUTS"
  skopeo copy -q "containers-storage:$BB_IMAGE" "oci:$LAYOUTS/signed:v1" >/dev/null
  skopeo copy -q "containers-storage:$UNSIGNED" "oci:$LAYOUTS/unsigned:v1" >/dev/null
  "$PAL" sign --key "$KEYS/release.key" "$LAYOUTS/signed:v1" >/dev/null
}
teardown_file() {
  podman rmi -f "$SWAPPED" >/dev/null 2>&1 || true
  podman rmi -f "$UNSIGNED" >/dev/null 2>&1 || true
  engines_teardown_file
}
setup() {
  runtime_setup
  export PALISADE_AUDIT_LOG="$T/audit.log"
  export PALISADE_RUN_DIR="$T/bundles"
  cat > "$PALISADE_POLICY" <<YAML
trust:
  signature_store: $STORE
  cache: {dir: $T/cache, ttl: 300}
  keys:
    release: {path: $KEYS/release.pub}
  default: [reject]
  scopes:
    localhost/palisade-test:
      - {type: signed, keys: [release]}
    $LAYOUTS:
      - {type: signed, keys: [release]}
YAML
}
teardown() {
  podman_teardown
  runtime_teardown
}

@test "podman runs a signed image with palisade-runtime" {
  run prun --rm "$BB_IMAGE" echo trusted
  [ "$status" -eq 0 ] || { echo "$output"; return 1; }
  [ "$output" = trusted ]
  [ -n "$(ls -A "$T/cache" 2>/dev/null)" ] # the verified digest is cached
}

@test "podman is refused an unsigned image: reason, audit record, nothing left" {
  run prun --rm --name "pal-test-$$-u" "$UNSIGNED" echo should-not-run
  [ "$status" -ne 0 ]
  [[ "$output" != *should-not-run* ]]
  [[ "$output" == *"image trust denied"* ]]
  [[ "$output" == *"signed by 0 of the 1 required key"* ]] || [[ "$output" == *"no signature"* ]]
  [ -z "$(ls -A "$PALISADE_STATE_DIR" 2>/dev/null)" ]
  jq -e 'select(.type == "admission") | .payload.decision == "deny" and (.payload.image.image | contains("unsigned"))' "$T/audit.log"
  "$PAL" audit verify "$T/audit.log"
}

@test "podman is refused a substituted image (the signed name now points elsewhere)" {
  local swapped="$SWAPPED"
  # signed under this name...
  podman tag "$BB_IMAGE" "$swapped"
  "$PAL" sign --key "$KEYS/release.key" --signature-store "$STORE" "$swapped" >/dev/null
  run prun --rm "$swapped" true
  [ "$status" -eq 0 ] || { echo "$output"; return 1; }
  # ...then the name is moved to other content, as a compromised registry would
  podman untag "$BB_IMAGE" "$swapped"
  podman tag "$UNSIGNED" "$swapped"
  run prun --rm "$swapped" echo should-not-run
  [ "$status" -ne 0 ]
  [[ "$output" == *"image trust denied"* ]]
  [[ "$output" != *should-not-run* ]]
}

@test "a signature by another key does not count" {
  sed -i "s|release: {path: $KEYS/release.pub}|release: {path: $KEYS/attacker.pub}|" "$PALISADE_POLICY"
  run prun --rm "$BB_IMAGE" true
  [ "$status" -ne 0 ]
  [[ "$output" == *"image trust denied"* ]]
}

@test "palisade run: a signed layout runs, an unsigned or tampered one is refused" {
  run "$PAL" run --rm --root "$RT_ROOT" "$LAYOUTS/signed:v1" echo trusted
  [ "$status" -eq 0 ] || { echo "$output"; return 1; }
  [[ "$output" == *trusted* ]]
  run "$PAL" run --rm --root "$RT_ROOT" "$LAYOUTS/unsigned:v1" echo should-not-run
  [ "$status" -eq 125 ]
  [[ "$output" == *"image trust denied"* ]]
  [[ "$output" != *should-not-run* ]]
  # tamper: one byte of the signed image's config, same size, another digest
  cp -a "$LAYOUTS/signed" "$T/tampered"
  manifest=$(jq -r '.manifests[] | select(.annotations["org.opencontainers.image.ref.name"] == "v1") | .digest' "$T/tampered/index.json" | cut -d: -f2)
  blob=$(jq -r '.config.digest' "$T/tampered/blobs/sha256/$manifest" | cut -d: -f2)
  chmod u+w "$T/tampered/blobs/sha256/$blob"
  sed -i 's/"os":"linux"/"os":"LINUX"/' "$T/tampered/blobs/sha256/$blob"
  grep -q LINUX "$T/tampered/blobs/sha256/$blob"
  sed -i "s|    $LAYOUTS:|    $T/tampered:\n      - {type: signed, keys: [release]}\n    $LAYOUTS:|" "$PALISADE_POLICY"
  run "$PAL" run --rm --root "$RT_ROOT" "$T/tampered:v1" echo should-not-run
  [ "$status" -eq 125 ]
  [[ "$output" != *should-not-run* ]]
  [[ "$output" == *"digest"* ]] || { echo "$output"; return 1; }
  [ -z "$(ls -A "$PALISADE_RUN_DIR" 2>/dev/null)" ]
}

@test "dangerous configs are refused at create (podman --privileged, a host socket)" {
  run prun --rm --privileged "$BB_IMAGE" true
  [ "$status" -ne 0 ]
  [[ "$output" == *"admission denied the config"*"CAP_SYS_ADMIN"* ]]
  mkdir -p "$T/fake-run" && touch "$T/docker.sock"
  run prun --rm -v /run/containerd:/x "$BB_IMAGE" true
  [ "$status" -ne 0 ]
  [[ "$output" == *"admission denied the config"*"/run/containerd"* ]]
  jq -e 'select(.type == "admission" and .payload.decision == "deny")' "$T/audit.log" >/dev/null
  [ -z "$(ls -A "$PALISADE_STATE_DIR" 2>/dev/null)" ]
}
