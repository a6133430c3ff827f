#!/usr/bin/env bash
# Runs the Kaizen system on localhost: installs what is missing, builds
# optimised binaries, starts every service with its SQLite database under one
# data directory, and stops them all on Ctrl-C / SIGTERM. Data is kept
# between runs.
#
#   bash tools/run.sh                         # data in ./var
#   KAIZEN_DATA_DIR=/srv/kaizen bash tools/run.sh
#
# Ports (override with the variables): enrollment 50051 (KAIZEN_ENROLLMENT_PORT),
# scheduling 50052 (KAIZEN_SCHEDULING_PORT). Demo data (tools/demo) is loaded
# on first start; KAIZEN_DEMO_DATA=0 skips it.
set -euo pipefail
cd "$(dirname "$0")/.."
bash tools/setup.sh

DATA_DIR="${KAIZEN_DATA_DIR:-./var}"
ENROLLMENT_PORT="${KAIZEN_ENROLLMENT_PORT:-50051}"
SCHEDULING_PORT="${KAIZEN_SCHEDULING_PORT:-50052}"
mkdir -p "$DATA_DIR"
chmod 700 "$DATA_DIR"

# The gateway-to-service secret: generated once, kept with the data, never printed.
SECRET_FILE="$DATA_DIR/internal-secret"
if [ ! -s "$SECRET_FILE" ]; then
  (umask 077 && head -c 32 /dev/urandom | base64 > "$SECRET_FILE")
fi

port_free() { ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
for pair in "enrollment:$ENROLLMENT_PORT" "scheduling:$SCHEDULING_PORT"; do
  if ! port_free "${pair#*:}"; then
    echo "kaizen: port ${pair#*:} (${pair%%:*}) is already in use; stop what uses it or set KAIZEN_${pair%%:*}_PORT" | tr a-z A-Z >&2
    exit 1
  fi
done

echo "kaizen: building (optimised)..." >&2
bazel build -c opt //services/enrollment:enrollment_server //services/scheduling:scheduling_server \
  //tools/demo:load_demo_data >&2
BIN_DIR="$DATA_DIR/bin"
mkdir -p "$BIN_DIR"
cp -f bazel-bin/services/enrollment/enrollment_server bazel-bin/services/scheduling/scheduling_server \
  bazel-bin/tools/demo/load_demo_data "$BIN_DIR/"

pids=()
stop_all() {
  trap - INT TERM
  echo "kaizen: stopping..." >&2
  for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  wait || true
  echo "kaizen: stopped" >&2
}
trap stop_all INT TERM

start() {  # name port extra-args...
  local name=$1 port=$2
  shift 2
  rm -f "$DATA_DIR/$name.port"
  "$BIN_DIR/${name}_server" --listen="127.0.0.1:$port" --db="$DATA_DIR/$name.db" \
    --internal_secret_file="$SECRET_FILE" --port_file="$DATA_DIR/$name.port" "$@" \
    2>>"$DATA_DIR/$name.log" &
  pids+=($!)
  for _ in $(seq 1 200); do
    [ -s "$DATA_DIR/$name.port" ] && return 0
    kill -0 "${pids[-1]}" 2>/dev/null || { echo "kaizen: $name failed to start; see $DATA_DIR/$name.log" >&2; stop_all; exit 1; }
    sleep 0.05
  done
  echo "kaizen: $name did not become ready; see $DATA_DIR/$name.log" >&2
  stop_all
  exit 1
}
start enrollment "$ENROLLMENT_PORT"
start scheduling "$SCHEDULING_PORT" --enrollment="127.0.0.1:$ENROLLMENT_PORT"

# Demo data (the FY2022 programme, fictional people) on first start; a no-op
# afterwards. KAIZEN_DEMO_DATA=0 skips it.
if [ "${KAIZEN_DEMO_DATA:-1}" != "0" ]; then
  "$BIN_DIR/load_demo_data" --enrollment="127.0.0.1:$ENROLLMENT_PORT" \
    --scheduling="127.0.0.1:$SCHEDULING_PORT" --internal_secret_file="$SECRET_FILE" ||
    echo "kaizen: loading demo data failed (the services keep running)" >&2
fi

cat <<MSG
kaizen: running (Ctrl-C to stop); logs in $DATA_DIR/*.log
  enrollment  grpc://127.0.0.1:$ENROLLMENT_PORT
  scheduling  grpc://127.0.0.1:$SCHEDULING_PORT
MSG
wait
