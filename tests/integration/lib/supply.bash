# Helpers for the image-trust integration tests (supply_*.bats).
# Everything lives under a per-file temporary directory; podman runs with a
# private storage root there, so the host's images are never touched.

sup_require() {
	local missing=()
	for c in "$@"; do command -v "$c" >/dev/null 2>&1 || missing+=("$c"); done
	if [ ${#missing[@]} -ne 0 ]; then
		echo "missing prerequisite(s): ${missing[*]} (run 'make deps')" >&2
		return 1
	fi
	[ -x "$PAL_BIN_DIR/palisade" ] || { echo "missing $PAL_BIN_DIR/palisade: build first" >&2; return 1; }
}

palisade() { "$PAL_BIN_DIR/palisade" "$@"; }

sup_podman() { podman --root "$SUP_T/storage" --runroot "$SUP_T/run" --storage-driver overlay "$@"; }

# A busybox root filesystem as a tar: /bin/busybox plus its applet links.
sup_busybox_tar() {
	local out=$1 dir="$SUP_T/rootfs"
	rm -rf "$dir" && mkdir -p "$dir/bin" "$dir/etc"
	cp /bin/busybox "$dir/bin/busybox"
	local a
	for a in $("$dir/bin/busybox" --list); do
		[ "$a" = busybox ] || ln -sf busybox "$dir/bin/$a"
	done
	echo "palisade-test" >"$dir/etc/hostname"
	tar -C "$dir" -cf "$out" .
}

# Makes $SUP_T with a podman image $SUP_IMAGE and an OCI layout $SUP_T/layout:bb.
sup_setup_images() {
	SUP_T=$(mktemp -d /tmp/pal-supply-it-XXXXXX)
	export SUP_T
	export SUP_IMAGE="localhost/palisade-supply-$$:latest"
	sup_busybox_tar "$SUP_T/rootfs.tar"
	sup_podman import "$SUP_T/rootfs.tar" "$SUP_IMAGE" >/dev/null
	skopeo copy -q "containers-storage:[overlay@$SUP_T/storage+$SUP_T/run]$SUP_IMAGE" \
		"oci:$SUP_T/layout:bb" >/dev/null
}

sup_teardown_images() {
	[ -n "${SUP_T:-}" ] && [ -d "$SUP_T" ] || return 0
	sup_podman rmi -af >/dev/null 2>&1 || true
	# podman bind-mounts its overlay directory: undo every mount under SUP_T
	local m
	for m in $(awk -v t="$SUP_T" 'index($2, t) == 1 { print $2 }' /proc/mounts | sort -r); do
		umount -l "$m" 2>/dev/null || true
	done
	rm -rf "$SUP_T"
}

# A fresh copy of the pristine layout for one test.
sup_fresh_layout() {
	local dst=$1
	rm -rf "$dst"
	cp -a "$SUP_T/layout" "$dst"
}

# The digest and the manifest blob of a tag in a layout.
sup_layout_digest() { jq -r --arg t "$2" '.manifests[] | select(.annotations."org.opencontainers.image.ref.name" == $t) | .digest' "$1/index.json"; }
sup_blob() { echo "$1/blobs/sha256/${2#sha256:}"; }

# Writes data (stdin) as a blob of layout $1 and prints its digest.
sup_put_blob() {
	local tmp d
	tmp=$(mktemp)
	cat >"$tmp"
	d="sha256:$(sha256sum "$tmp" | cut -d' ' -f1)"
	mv "$tmp" "$(sup_blob "$1" "$d")"
	chmod 644 "$(sup_blob "$1" "$d")"
	echo "$d"
}

# Points index entry with tag $2 of layout $1 at manifest (stdin).
sup_set_tag() {
	local layout=$1 tag=$2 d size tmp
	tmp=$(mktemp)
	cat >"$tmp"
	size=$(stat -c %s "$tmp")
	d=$(sup_put_blob "$layout" <"$tmp")
	rm -f "$tmp"
	jq -c --arg t "$tag" --arg d "$d" --argjson s "$size" \
		'.manifests |= map(if .annotations."org.opencontainers.image.ref.name" == $t then .digest = $d | .size = $s else . end)' \
		"$layout/index.json" >"$layout/index.json.new"
	mv "$layout/index.json.new" "$layout/index.json"
}

# npm packages @sigstore/sign and @sigstore/verify, installed once per build
# tree (never committed); sets NODE_PATH.
sup_sigstore_js() {
	local dir="${PAL_BUILD_DIR:-$SUP_T}/supply-npm"
	if [ ! -d "$dir/node_modules/@sigstore/verify" ] || [ ! -d "$dir/node_modules/@sigstore/sign" ]; then
		mkdir -p "$dir"
		(cd "$dir" && [ -f package.json ] || npm init -y >/dev/null) || return 1
		if ! (cd "$dir" && npm install --no-audit --no-fund @sigstore/sign @sigstore/verify >npm.log 2>&1); then
			echo "npm install @sigstore/sign @sigstore/verify failed (see $dir/npm.log)" >&2
			return 1
		fi
	fi
	export NODE_PATH="$dir/node_modules"
	SIGSTORE_TOOL="$PAL_SRC_DIR/tests/tools/sigstore_tool.js"
	export SIGSTORE_TOOL
}
