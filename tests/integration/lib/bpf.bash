# BPF bookkeeping shared by the sensor and agent tests: which pal* programs a
# process loaded, and that they are gone after it exits.

# IDs of loaded BPF programs whose name starts with "pal", sorted; 1 (with the
# reason on stderr) when bpftool cannot list them.
bpf_pal_prog_ids() {
	local out i
	# bpftool reports an error object when a program vanishes while it lists: retry.
	for i in 1 2 3 4 5; do
		out="$(bpftool -j prog show 2>/dev/null)"
		if jq -e 'type == "array"' <<<"$out" >/dev/null 2>&1; then
			jq -r '.[] | select(.name // "" | startswith("pal")) | .id' <<<"$out" | sort
			return 0
		fi
		sleep 0.2
	done
	echo "bpftool -j prog show did not list programs: $out" >&2
	return 1
}

# bpf_wait_gone "PROG IDS" ["MAP IDS"]: the kernel frees programs and maps
# shortly after the last fd closes; waits up to 5 s for all of them. Prints
# what is still loaded ("prog:ID map:ID") and returns 1 if anything is.
bpf_wait_gone() {
	local progs=$1 maps=${2:-} id i left
	for i in $(seq 50); do
		left=""
		for id in $progs; do
			bpftool prog show id "$id" >/dev/null 2>&1 && left="$left prog:$id"
		done
		for id in $maps; do
			bpftool map show id "$id" >/dev/null 2>&1 && left="$left map:$id"
		done
		[ -z "$left" ] && return 0
		sleep 0.1
	done
	echo "$left"
	return 1
}
