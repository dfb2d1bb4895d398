# Helpers for tests/integration/output_*.bats: real servers on loopback
# (rsyslog, a Python HTTP recorder, nats-server, a blackhole TCP server), each
# started in the test's own directory and stopped in teardown.

OUT_DRIVER="${PAL_BIN_DIR:?PAL_BIN_DIR is set by ctest}/palisade-output-testdriver"
OUT_PALISADE="$PAL_BIN_DIR/palisade"
OUT_DATA="${PAL_SRC_DIR:?PAL_SRC_DIR is set by ctest}/tests/data/output"

# Fails the test, naming what is missing, instead of skipping it.
out_require() {
	local c
	for c in "$@"; do
		command -v "$c" >/dev/null 2>&1 ||
			fail "prerequisite '$c' is missing: run 'make deps' (scripts/deps.sh)"
	done
	[ -x "$OUT_DRIVER" ] || fail "test driver $OUT_DRIVER is not built: run 'make build-asan'"
}

fail() {
	echo "FAIL: $*" >&2
	return 1
}

out_setup() {
	OUT_DIR="$(mktemp -d "${BATS_TMPDIR:-/tmp}/pal-out.XXXXXX")"
	OUT_PIDS=()
}

# Kills what this test started (by pid, never by name) and removes its directory.
out_teardown() {
	local p
	for p in "${OUT_PIDS[@]}"; do
		kill "$p" 2>/dev/null || true
	done
	for p in "${OUT_PIDS[@]}"; do
		wait "$p" 2>/dev/null || true
	done
	[ -n "${OUT_DIR:-}" ] && rm -rf "$OUT_DIR"
}

# A port free on 127.0.0.1 right now.
out_free_port() {
	python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

# out_wait_for CMD...: retries a condition for up to 15 s.
out_wait_for() {
	local i
	for i in $(seq 1 150); do
		if "$@" 2>/dev/null; then
			return 0
		fi
		sleep 0.1
	done
	fail "timed out waiting for: $*"
}

out_port_listening() { # PORT [tcp|udp]
	local proto=${2:-tcp}
	if [ "$proto" = udp ]; then
		ss -Hlun "sport = :$1" | grep -q .
	else
		ss -Hltn "sport = :$1" | grep -q .
	fi
}

out_lines_at_least() { # FILE N
	[ -f "$1" ] && [ "$(wc -l <"$1")" -ge "$2" ]
}

# A CA and a server certificate for localhost / 127.0.0.1, made now.
out_make_certs() {
	local d=$OUT_DIR/pki
	mkdir -p "$d"
	openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 1 \
		-subj "/CN=Palisade test CA" -keyout "$d/ca.key" -out "$d/ca.pem" 2>/dev/null
	openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
		-subj "/CN=localhost" -keyout "$d/server.key" -out "$d/server.csr" 2>/dev/null
	printf 'subjectAltName=DNS:localhost,IP:127.0.0.1\n' >"$d/ext"
	openssl x509 -req -in "$d/server.csr" -CA "$d/ca.pem" -CAkey "$d/ca.key" \
		-CAcreateserial -days 1 -extfile "$d/ext" -out "$d/server.pem" 2>/dev/null
	# An unrelated CA: a server certificate must not verify against it.
	openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 1 \
		-subj "/CN=Other CA" -keyout "$d/other.key" -out "$d/other.pem" 2>/dev/null
	[ -s "$d/server.pem" ] || fail "openssl could not make test certificates"
}

# Starts rsyslogd with its own config: UDP, plain TCP (imptcp), TLS (imtcp
# with the ossl stream driver from rsyslog-openssl) and a unix datagram
# socket (imuxsock), all writing to $OUT_DIR/syslog.out.
# Sets RS_UDP RS_TCP RS_TLS RS_SOCK RS_OUT RS_PID.
out_start_rsyslog() {
	out_require rsyslogd openssl ss
	[ -e /usr/lib/x86_64-linux-gnu/rsyslog/lmnsd_ossl.so ] ||
		fail "rsyslog's OpenSSL stream driver is missing: install rsyslog-openssl (make deps)"
	[ -f "$OUT_DIR/pki/ca.pem" ] || out_make_certs
	RS_UDP=${RS_UDP:-$(out_free_port)}
	RS_TCP=${RS_TCP:-$(out_free_port)}
	RS_TLS=${RS_TLS:-$(out_free_port)}
	RS_SOCK=$OUT_DIR/log.sock
	RS_OUT=$OUT_DIR/syslog.out
	mkdir -p "$OUT_DIR/rsyslog-work"
	cat >"$OUT_DIR/rsyslog.conf" <<EOF
global(workDirectory="$OUT_DIR/rsyslog-work" maxMessageSize="64k"
       DefaultNetstreamDriverCAFile="$OUT_DIR/pki/ca.pem"
       DefaultNetstreamDriverCertFile="$OUT_DIR/pki/server.pem"
       DefaultNetstreamDriverKeyFile="$OUT_DIR/pki/server.key")
module(load="imudp")
module(load="imptcp")
module(load="imuxsock" SysSock.Use="off")
module(load="imtcp" StreamDriver.Name="ossl" StreamDriver.Mode="1" StreamDriver.AuthMode="anon")
template(name="palisade_test" type="string"
         string="%inputname% pri=%pri% host=%hostname% app=%app-name% procid=%procid% msgid=%msgid% msg=%msg%\n")
input(type="imudp" address="127.0.0.1" port="$RS_UDP")
input(type="imptcp" address="127.0.0.1" port="$RS_TCP")
input(type="imtcp" address="127.0.0.1" port="$RS_TLS")
input(type="imuxsock" Socket="$RS_SOCK" UseSpecialParser="off" ParseHostname="on")
action(type="omfile" file="$RS_OUT" template="palisade_test")
EOF
	rsyslogd -N1 -f "$OUT_DIR/rsyslog.conf" >"$OUT_DIR/rsyslog-check.log" 2>&1 ||
		fail "rsyslog rejects the test config: $(cat "$OUT_DIR/rsyslog-check.log")"
	rsyslogd -n -f "$OUT_DIR/rsyslog.conf" -i "$OUT_DIR/rsyslog.pid" \
		>"$OUT_DIR/rsyslog.log" 2>&1 &
	RS_PID=$!
	OUT_PIDS+=("$RS_PID")
	out_wait_for out_port_listening "$RS_TCP" || return 1
	out_wait_for out_port_listening "$RS_TLS" || return 1
	out_wait_for out_port_listening "$RS_UDP" udp || return 1
	out_wait_for test -S "$RS_SOCK"
}

out_stop_pid() {
	kill "$1" 2>/dev/null || true
	wait "$1" 2>/dev/null || true
}

# Starts the HTTP recorder; extra arguments go to it. Sets HTTP_PORT HTTP_OUT HTTP_PID.
out_start_http() {
	out_require python3
	HTTP_OUT=$OUT_DIR/http.jsonl
	rm -f "$OUT_DIR/http.port" "$HTTP_OUT" # each server records afresh
	python3 "$OUT_DATA/http_recorder.py" --port-file "$OUT_DIR/http.port" --out "$HTTP_OUT" "$@" \
		>"$OUT_DIR/http.log" 2>&1 &
	HTTP_PID=$!
	OUT_PIDS+=("$HTTP_PID")
	out_wait_for test -s "$OUT_DIR/http.port" || return 1
	HTTP_PORT=$(cat "$OUT_DIR/http.port")
}

# Starts nats-server on a free port. Sets NATS_PORT NATS_URL NATS_PID.
out_start_nats() {
	out_require nats-server
	NATS_PORT=$(out_free_port)
	NATS_URL=nats://127.0.0.1:$NATS_PORT
	nats-server -a 127.0.0.1 -p "$NATS_PORT" >"$OUT_DIR/nats.log" 2>&1 &
	NATS_PID=$!
	OUT_PIDS+=("$NATS_PID")
	out_wait_for out_port_listening "$NATS_PORT"
}

# jq on the driver's stats file: out_stat '.sinks[0].sent'
out_stat() {
	jq -r "$1" "$OUT_DIR/stats.json"
}
