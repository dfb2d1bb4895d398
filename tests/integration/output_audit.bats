#!/usr/bin/env bats
# palisade audit verify on logs written by the output module's C API.

load lib/output

setup() {
	out_require jq
	out_setup
	LOG=$OUT_DIR/lib/audit.log
}

teardown() {
	out_teardown
}

@test "audit verify: --help, usage errors and a missing file" {
	run "$OUT_PALISADE" audit --help
	[ "$status" -eq 0 ]
	[[ "$output" == *"palisade audit verify"* ]]
	run "$OUT_PALISADE" audit verify --help
	[ "$status" -eq 0 ]
	run "$OUT_PALISADE" audit verify --bogus
	[ "$status" -eq 2 ]
	run "$OUT_PALISADE" audit verify a b
	[ "$status" -eq 2 ]
	run "$OUT_PALISADE" audit frobnicate
	[ "$status" -eq 2 ]
	run "$OUT_PALISADE" audit verify "$OUT_DIR/none.log"
	[ "$status" -eq 1 ]
	[[ "$output" == *"$OUT_DIR/none.log"* ]]
}

@test "audit verify: OK with the count; a changed line is named; a removed line is found" {
	"$OUT_DRIVER" audit-append --log "$LOG" --count 10
	run "$OUT_PALISADE" audit verify "$LOG"
	[ "$status" -eq 0 ]
	[[ "$output" == *"OK, 10 records"* ]]

	cp "$LOG" "$OUT_DIR/changed.log"
	sed -i '6s/"n":6/"n":7/' "$OUT_DIR/changed.log"
	run "$OUT_PALISADE" audit verify "$OUT_DIR/changed.log"
	[ "$status" -eq 1 ]
	[[ "$output" == *"INVALID at line 6: hash mismatch"* ]]

	cp "$LOG" "$OUT_DIR/removed.log"
	sed -i '4d' "$OUT_DIR/removed.log"
	run "$OUT_PALISADE" audit verify "$OUT_DIR/removed.log"
	[ "$status" -eq 1 ]
	[[ "$output" == *"INVALID at line 4: seq 5 where 4 was expected"* ]]
}

@test "audit verify: a torn last line is reported as torn, and --strict fails on it" {
	"$OUT_DRIVER" audit-append --log "$LOG" --count 3
	head -c 40 "$LOG" >>"$LOG" # an incomplete record, as a crash mid-write leaves
	run "$OUT_PALISADE" audit verify "$LOG"
	[ "$status" -eq 0 ]
	[[ "$output" == *"3 records intact; line 4 is torn: 40 bytes"* ]]
	run "$OUT_PALISADE" audit verify --strict "$LOG"
	[ "$status" -eq 1 ]
	# The next writer repairs the tail and says so in the chain.
	"$OUT_DRIVER" audit-append --log "$LOG" --count 1
	run "$OUT_PALISADE" audit verify "$LOG"
	[ "$status" -eq 0 ]
	[[ "$output" == *"OK, 5 records"* ]]
	[ "$(sed -n 4p "$LOG" | jq -r '.type + " " + (.payload.bytes|tostring)')" = "audit_torn_tail 40" ]
}

@test "audit verify --key: keyed logs need the key; a rewritten record cannot be re-hashed" {
	head -c 32 /dev/urandom >"$OUT_DIR/key"
	"$OUT_DRIVER" audit-append --log "$LOG" --key "$OUT_DIR/key" --count 4
	run "$OUT_PALISADE" audit verify --key "$OUT_DIR/key" "$LOG"
	[ "$status" -eq 0 ]
	[[ "$output" == *"OK, 4 records"* ]]
	run "$OUT_PALISADE" audit verify "$LOG"
	[ "$status" -eq 1 ]
	[[ "$output" == *"--key"* ]]
	# An attacker edits record 2 and recomputes its hash as plain SHA-256.
	sed -n 2p "$LOG" | jq -c '.payload.n = 99 | .alg = "sha256" | del(.hash)' >"$OUT_DIR/forged"
	local h
	h=$(tr -d '\n' <"$OUT_DIR/forged" | jq -cjS --ascii-output . | sha256sum | cut -d' ' -f1)
	jq -cS --arg h "$h" '.hash = $h' "$OUT_DIR/forged" >"$OUT_DIR/forged.line"
	sed -i "2s/.*/$(sed 's/[\/&]/\\&/g' "$OUT_DIR/forged.line")/" "$LOG"
	run "$OUT_PALISADE" audit verify --key "$OUT_DIR/key" "$LOG"
	[ "$status" -eq 1 ]
	[[ "$output" == *"INVALID at line 2"* ]]
}

@test "audit: writers in several processes keep one linear chain" {
	local pids=() i
	for i in 1 2 3 4; do
		"$OUT_DRIVER" audit-append --log "$LOG" --count 100 --type admission --nosync &
		pids+=("$!")
	done
	for i in "${pids[@]}"; do
		wait "$i"
	done
	run "$OUT_PALISADE" audit verify "$LOG"
	[ "$status" -eq 0 ]
	[[ "$output" == *"OK, 400 records"* ]]
	[ "$(jq -r .payload.pid "$LOG" | sort -u | wc -l)" -eq 4 ]
	[ "$(stat -c %a "$LOG")" = 600 ]
}
