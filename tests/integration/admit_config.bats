#!/usr/bin/env bats
# The node-side check on configs podman really writes: a capturing OCI runtime
# records the config.json podman hands to `create` (and refuses it, so no
# container runs); `palisade admit config` judges it as palisade-runtime
# create will. Podman uses a private storage root under the test directory.

setup_file() {
	load 'lib/admit'
	adm_require podman jq tar ip || return 1
	ADM_T=$(mktemp -d /tmp/pal-admit-cfg-XXXXXX)
	export ADM_T
	mkdir -p "$ADM_T/rootfs/bin"
	cp /bin/busybox "$ADM_T/rootfs/bin/busybox"
	tar -C "$ADM_T/rootfs" -cf "$ADM_T/rootfs.tar" .
	adm_podman import "$ADM_T/rootfs.tar" localhost/palisade-admit-test:1 >/dev/null
	cat >"$ADM_T/capture-runtime" <<-EOF
	#!/bin/sh
	# an OCI runtime that records the config of a create and refuses it
	bundle=
	while [ \$# -gt 0 ]; do
		case "\$1" in
		--bundle|-b) bundle=\$2; shift ;;
		--bundle=*) bundle=\${1#--bundle=} ;;
		esac
		shift
	done
	[ -n "\$bundle" ] && cp "\$bundle/config.json" "$ADM_T/captured.json"
	echo "capture-runtime: config recorded" >&2
	exit 1
	EOF
	chmod +x "$ADM_T/capture-runtime"
}

teardown_file() {
	load 'lib/admit'
	[ -n "${ADM_T:-}" ] && [ -d "$ADM_T" ] || return 0
	adm_podman rm -af >/dev/null 2>&1 || true
	adm_podman rmi -af >/dev/null 2>&1 || true
	local m
	for m in $(awk -v t="$ADM_T" 'index($2, t) == 1 { print $2 }' /proc/mounts | sort -r); do
		umount -l "$m" 2>/dev/null || true
	done
	[ -n "${NETNS:-}" ] && ip netns del "$NETNS" 2>/dev/null || true
	rm -rf "$ADM_T"
}

setup() {
	load 'lib/admit'
}

adm_podman() { podman --root "$ADM_T/storage" --runroot "$ADM_T/run" --storage-driver overlay "$@"; }

# podman create + init with the capturing runtime; leaves $CFG and $CID.
capture() {
	rm -f "$ADM_T/captured.json"
	CID=$(adm_podman create --runtime "$ADM_T/capture-runtime" "$@" localhost/palisade-admit-test:1 /bin/busybox true)
	adm_podman init "$CID" >/dev/null 2>&1 || true
	adm_podman rm -f "$CID" >/dev/null 2>&1 || true
	[ -s "$ADM_T/captured.json" ] || { echo "podman did not call the runtime's create" >&2; return 1; }
	CFG="$ADM_T/config-$BATS_TEST_NUMBER-$RANDOM.json"
	mv "$ADM_T/captured.json" "$CFG"
}

@test "podman's default container is admitted" {
	capture
	run palisade admit config --container-id "$CID" "$CFG"
	[ "$status" -eq 0 ]
	[[ "$output" == *": admitted" ]]
	run palisade admit config -o json "$CFG"
	[ "$status" -eq 0 ]
	echo "$output" | jq -e '.deny == false and (.findings | length == 0)'
}

@test "--privileged is denied, one finding per privileged-equivalent capability and the devices" {
	capture --privileged
	# podman passes the host's devices with the file type in fileMode (8576 =
	# S_IFCHR|0600), which the runtime's config parser refuses; drop it here
	jq 'del(.linux.devices[]?.fileMode)' "$CFG" >"$CFG.fixed"
	run palisade admit config "$CFG.fixed"
	[ "$status" -eq 3 ]
	[[ "$output" == *"denied: process.capabilities.bounding: CAP_SYS_ADMIN is privileged-equivalent (mounts, namespaces, devices and most of the kernel's administration); also in effective, permitted"* ]]
	[[ "$output" == *"denied: process.capabilities.bounding: CAP_SYS_MODULE is privileged-equivalent"* ]]
	[[ "$output" == *"allows 'rwm' access to every device of the host"* ]]
	[[ "$output" == *": DENIED" ]]
	n=$(palisade admit config -o json "$CFG.fixed" | jq '[.findings[] | select(.rule == "capabilities")] | length')
	[ "$n" -eq 14 ]
}

@test "host namespaces: --network host, --pid host, joining the runtime's own network namespace" {
	capture --network host --pid host
	run palisade admit config "$CFG"
	[ "$status" -eq 3 ]
	[[ "$output" == *"denied: linux.namespaces: no network namespace: the container would share the host's network"* ]]
	[[ "$output" == *"denied: linux.namespaces: no pid namespace: the container would share the host's processes"* ]]
	capture --network ns:/proc/self/ns/net
	run palisade admit config "$CFG"
	[ "$status" -eq 3 ]
	[[ "$output" == *"/proc/self/ns/net: palisade-runtime's own network namespace: the container would share the host's network"* ]]
	# a network namespace of its own, joined by path as podman does: admitted
	NETNS="pal-admit-$$"
	export NETNS
	ip netns add "$NETNS"
	capture --network "ns:/run/netns/$NETNS"
	ip netns del "$NETNS"
	run palisade admit config "$CFG"
	[ "$status" -eq 0 ]
}

@test "host paths: /etc is denied, CA certificates only read-only" {
	capture -v /etc:/hostetc -v /etc/ssl/certs:/certs:ro -v /usr/share/zoneinfo:/tz
	run palisade admit config "$CFG"
	[ "$status" -eq 3 ]
	[[ "$output" == *"source /etc: the host's configuration"* ]]
	[[ "$output" == *"source /usr/share/zoneinfo: the host's programs and libraries (admission.host_paths.deny: /usr); a read-only bind (ro, and rro when submounts exist) would be allowed"* ]]
	[[ "$output" != *"source /etc/ssl/certs"* ]]
	n=$(palisade admit config -o json "$CFG" | jq '.findings | length')
	[ "$n" -eq 2 ]
}

@test "exceptions by image, mode warn, and a policy error" {
	capture --cap-add SYS_PTRACE --cap-add NET_ADMIN
	cat >"$ADM_T/policy.yaml" <<-YAML
	admission:
	  exceptions:
	    - images: [localhost/palisade-admit-test]
	      allow: [capabilities:CAP_SYS_PTRACE]
	YAML
	run palisade admit config --policy "$ADM_T/policy.yaml" --image localhost/palisade-admit-test:1 "$CFG"
	[ "$status" -eq 3 ]
	[[ "$output" == *"excepted ($ADM_T/policy.yaml:3): process.capabilities.bounding: CAP_SYS_PTRACE"* ]]
	[[ "$output" == *"denied: process.capabilities.bounding: CAP_NET_ADMIN"* ]]
	# another image: not excepted
	run palisade admit config --policy "$ADM_T/policy.yaml" --image localhost/other:1 -o json "$CFG"
	[ "$status" -eq 3 ]
	echo "$output" | jq -e '[.findings[] | select(.excepted)] | length == 0'
	printf 'admission:\n  mode: warn\n' >"$ADM_T/warn.yaml"
	run palisade admit config --policy "$ADM_T/warn.yaml" "$CFG"
	[ "$status" -eq 0 ]
	[[ "$output" == *"warning: process.capabilities.bounding: CAP_SYS_PTRACE"* ]]
	[[ "$output" == *"admitted with warnings (admission.mode: warn)"* ]]
	printf 'admission:\n  capabilities:\n    deny: [CAP_WHATEVER]\n' >"$ADM_T/bad.yaml"
	run palisade admit config --policy "$ADM_T/bad.yaml" "$CFG"
	[ "$status" -eq 1 ]
	[[ "$output" == *"bad.yaml:3:12: admission.capabilities.deny: unknown capability 'CAP_WHATEVER'"* ]]
	run palisade policy check "$ADM_T/bad.yaml"
	[ "$status" -eq 1 ]
	[[ "$output" == *"bad.yaml:3:12:"* ]]
}
