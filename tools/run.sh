#!/usr/bin/env bash
# Runs the Kaizen system on localhost: installs what is missing, builds
# optimised binaries, starts every service with its SQLite database under one
# data directory, and stops them all on Ctrl-C / SIGTERM. Data is kept
# between runs.
#
#   tools/run.sh                  # data in ./var
#   KAIZEN_DATA_DIR=/srv/kaizen tools/run.sh
#
# Services started (more join as they are built):
#   enrollment  gRPC 127.0.0.1:${KAIZEN_ENROLLMENT_PORT:-50051}
set -euo pipefail
cd "$(dirname "$0")/.."
bash tools/setup.sh

DATA_DIR="${KAIZEN_DATA_DIR:-./var}"
ENROLLMENT_PORT="${KAIZEN_ENROLLMENT_PORT:-50051}"
mkdir -p "$DATA_DIR"
chmod 700 "$DATA_DIR"

# The gateway-to-service secret: generated once, kept with the data, never printed.
SECRET_FILE="$DATA_DIR/internal-secret"
if [ ! -s "$SECRET_FILE" ]; then
  (umask 077 && head -c 32 /dev/urandom | base64 > "$SECRET_FILE")
fi

port_free() {
  ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}
for p in "$ENROLLMENT_PORT"; do
  if ! port_free "$p"; then
    echo "kaizen: port $p is already in use; stop what uses it or set KAIZEN_ENROLLMENT_PORT" >&2
    exit 1
  fi
done

echo "kaizen: building (optimised)..." >&2
bazel build -c opt //services/enrollment:enrollment_server >&2
BIN_DIR="$DATA_DIR/bin"
mkdir -p "$BIN_DIR"
cp -f bazel-bin/services/enrollment/enrollment_server "$BIN_DIR/"

pids=()
stop_all() {
  trap - INT TERM
  echo "kaizen: stopping..." >&2
  for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  wait || true
  echo "kaizen: stopped" >&2
}
trap stop_all INT TERM

"$BIN_DIR/enrollment_server" \
  --listen="127.0.0.1:$ENROLLMENT_PORT" \
  --db="$DATA_DIR/enrollment.db" \
  --internal_secret_file="$SECRET_FILE" &
pids+=($!)

# Wait until the service accepts connections (it logs "listening").
for _ in $(seq 1 100); do
  port_free "$ENROLLMENT_PORT" || break
  if ! kill -0 "${pids[0]}" 2>/dev/null; then echo "kaizen: enrollment failed to start" >&2; exit 1; fi
  sleep 0.1
done

cat <<MSG
kaizen: running (Ctrl-C to stop)
  enrollment  grpc://127.0.0.1:$ENROLLMENT_PORT  (database $DATA_DIR/enrollment.db)
  Services accept only calls that carry the gateway's signed principal;
  the JSON/HTTP gateway (port 8080) arrives with the gateway issue.
MSG
wait
