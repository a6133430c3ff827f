#!/usr/bin/env bash
# kaizen_health_probe against a real enrollment server: 0 when SERVING (server
# and named service); 2 for a service the server does not know (gRPC's health
# API answers NOT_FOUND) and with nobody listening; 3 on bad arguments; the
# server exits 0 on SIGTERM. Port 0 and a port file: no fixed ports.
set -euo pipefail
root="${TEST_SRCDIR}/${TEST_WORKSPACE:-kaizen}"
probe="$root/deploy/health_probe/kaizen_health_probe"
server="$root/services/enrollment/enrollment_server"
work="${TEST_TMPDIR:-$(mktemp -d)}/probe"
mkdir -p "$work/data"  # an empty data directory: a first run may create the database

KAIZEN_INTERNAL_SECRET=0123456789abcdef0123 "$server" --listen=127.0.0.1:0 \
  --db="$work/data/enrollment.db" --port_file="$work/port" 2>"$work/server.log" &
pid=$!
trap 'kill -TERM $pid 2>/dev/null || true; wait $pid 2>/dev/null || true' EXIT
for _ in $(seq 1 600); do
  [ -s "$work/port" ] && break
  kill -0 $pid 2>/dev/null || { cat "$work/server.log" >&2; echo "server died" >&2; exit 1; }
  sleep 0.05
done
port=$(cat "$work/port")

expect() {  # code args...
  local want=$1 got=0
  shift
  "$probe" "$@" 2>"$work/probe.err" || got=$?
  if [ "$got" != "$want" ]; then
    echo "FAIL: kaizen_health_probe $* exited $got, want $want: $(cat "$work/probe.err")" >&2
    exit 1
  fi
}
expect 0 --addr="127.0.0.1:$port"
expect 0 --addr="127.0.0.1:$port" --service=kaizen.enrollment.v1.EnrollmentService
expect 0 --addr="127.0.0.1:$port" --service=kaizen.liveness
expect 2 --addr="127.0.0.1:$port" --service=no.such.Service
grep -q 'no answer: code 5' "$work/probe.err"
expect 3 --addr=nocolon
expect 3 --addr="127.0.0.1:$port" --timeout_ms=0
expect 3 --addr="127.0.0.1:$port" --tls_cert_file=x.pem
expect 3 --addr="127.0.0.1:$port" --tls_ca_file="$work/none.pem"

kill -TERM $pid
status=0
wait $pid || status=$?
trap - EXIT
[ "$status" = 0 ] || { echo "FAIL: server exited $status on SIGTERM" >&2; exit 1; }
# Nobody listens on the port any more.
expect 2 --addr="127.0.0.1:$port" --timeout_ms=300

# TLS with client certificates (common/auth/testdata): the probe speaks it
# with --tls_*; plaintext, a wrong CA or no client certificate get no answer.
certs="$root/common/auth/testdata"
rm -f "$work/port"
KAIZEN_INTERNAL_SECRET=0123456789abcdef0123 "$server" --listen=127.0.0.1:0 \
  --db="$work/data/enrollment.db" --port_file="$work/port" \
  --tls_cert_file="$certs/server.pem" --tls_key_file="$certs/server.key" \
  --tls_client_ca_file="$certs/ca.pem" 2>"$work/server.log" &
pid=$!
trap 'kill -TERM $pid 2>/dev/null || true; wait $pid 2>/dev/null || true' EXIT
for _ in $(seq 1 600); do
  [ -s "$work/port" ] && break
  kill -0 $pid 2>/dev/null || { cat "$work/server.log" >&2; echo "server died" >&2; exit 1; }
  sleep 0.05
done
port=$(cat "$work/port")
mtls=(--tls_ca_file="$certs/ca.pem" --tls_cert_file="$certs/client.pem" --tls_key_file="$certs/client.key")
expect 0 --addr="127.0.0.1:$port" "${mtls[@]}"
expect 0 --addr="localhost:$port" "${mtls[@]}" --service=kaizen.liveness
expect 0 --addr="127.0.0.1:$port" "${mtls[@]}" --tls_server_name=localhost
expect 2 --addr="127.0.0.1:$port" --timeout_ms=500
expect 2 --addr="127.0.0.1:$port" --tls_ca_file="$certs/ca.pem" --timeout_ms=500
expect 2 --addr="127.0.0.1:$port" --tls_ca_file="$certs/other.pem" \
  --tls_cert_file="$certs/client.pem" --tls_key_file="$certs/client.key" --timeout_ms=500
echo "health_probe_test: ok"
