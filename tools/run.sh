#!/usr/bin/env bash
# Runs the whole Kaizen system on localhost: installs what is missing, builds
# optimised binaries, starts every service and the gateway with their SQLite
# databases under one data directory, loads the FY2022 demo data on first
# start, prints the URLs, a secretariat token and a sample curl, and stops
# everything on Ctrl-C / SIGTERM. Data is kept between runs.
#
#   bash tools/run.sh                          # data in ./var
#   KAIZEN_DATA_DIR=/srv/kaizen bash tools/run.sh
#   KAIZEN_DEMO_DATA=0 bash tools/run.sh       # no demo data
#
# Ports: gateway HTTP 8080 (KAIZEN_HTTP_PORT), gateway gRPC 9090
# (KAIZEN_GRPC_PORT), enrollment 50051 (KAIZEN_ENROLLMENT_PORT), scheduling
# 50052 (KAIZEN_SCHEDULING_PORT), survey 50053 (KAIZEN_SURVEY_PORT), plans 50054
# (KAIZEN_PLANS_PORT), the local mail sink 2525 (KAIZEN_SMTP_SINK_PORT). A
# taken port stops the start, naming it.
#
# E-mail: enrollment delivers to a local SMTP sink (Debian's aiosmtpd on
# loopback) that writes every message to the Maildir $DATA_DIR/mail, so the
# demo's messages can be read; nothing leaves the machine. With
# KAIZEN_SMTP_HOST set (and KAIZEN_SMTP_PORT, KAIZEN_SMTP_STARTTLS,
# KAIZEN_SMTP_CA_FILE, KAIZEN_SMTP_CREDENTIALS_FILE, KAIZEN_MAIL_FROM,
# KAIZEN_PUBLIC_BASE_URL as needed) no sink starts and enrollment uses that
# relay instead (docs/notifications.md, "Configuring a real relay"). Links in
# the mail point at KAIZEN_PUBLIC_BASE_URL, by default the frontend's dev
# server http://localhost:5173 (the CORS origin allowed by default).
set -euo pipefail
cd "$(dirname "$0")/.."
bash tools/setup.sh

DATA_DIR="${KAIZEN_DATA_DIR:-./var}"
HTTP_PORT="${KAIZEN_HTTP_PORT:-8080}"
GRPC_PORT="${KAIZEN_GRPC_PORT:-9090}"
ENROLLMENT_PORT="${KAIZEN_ENROLLMENT_PORT:-50051}"
SCHEDULING_PORT="${KAIZEN_SCHEDULING_PORT:-50052}"
SURVEY_PORT="${KAIZEN_SURVEY_PORT:-50053}"
PLANS_PORT="${KAIZEN_PLANS_PORT:-50054}"
SMTP_SINK_PORT="${KAIZEN_SMTP_SINK_PORT:-2525}"
MAIL_DIR="$DATA_DIR/mail"
ISSUER="kaizen-local"
AUDIENCE="kaizen"
mkdir -p "$DATA_DIR"
chmod 700 "$DATA_DIR"

# Local secrets, generated once and kept with the data; never printed.
new_secret() { [ -s "$1" ] || (umask 077 && head -c 48 /dev/urandom | base64 -w0 > "$1"); }
SECRET_FILE="$DATA_DIR/internal-secret"
JWT_SECRET_FILE="$DATA_DIR/jwt-secret"
new_secret "$SECRET_FILE"
new_secret "$JWT_SECRET_FILE"
# A demo partner HR key for 松阪市 (242047): the key in demo-hr-key, its hash
# in api-keys (the gateway stores only hashes).
HR_KEY_FILE="$DATA_DIR/demo-hr-key"
API_KEYS_FILE="$DATA_DIR/api-keys"
if [ ! -s "$HR_KEY_FILE" ]; then
  new_secret "$HR_KEY_FILE"
  (umask 077 && printf 'demo-matsusaka-hr %s 242047\n' \
    "$(printf %s "$(cat "$HR_KEY_FILE")" | sha256sum | cut -d' ' -f1)" > "$API_KEYS_FILE")
fi

port_free() { ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
ports=("gateway HTTP:$HTTP_PORT:KAIZEN_HTTP_PORT" "gateway gRPC:$GRPC_PORT:KAIZEN_GRPC_PORT"
       "enrollment:$ENROLLMENT_PORT:KAIZEN_ENROLLMENT_PORT"
       "scheduling:$SCHEDULING_PORT:KAIZEN_SCHEDULING_PORT"
       "survey:$SURVEY_PORT:KAIZEN_SURVEY_PORT" "plans:$PLANS_PORT:KAIZEN_PLANS_PORT")
[ -n "${KAIZEN_SMTP_HOST:-}" ] || ports+=("mail sink:$SMTP_SINK_PORT:KAIZEN_SMTP_SINK_PORT")
for pair in "${ports[@]}"; do
  IFS=: read -r what port var <<<"$pair"
  if ! port_free "$port"; then
    echo "kaizen: port $port ($what) is already in use; stop what uses it or set $var" >&2
    exit 1
  fi
done

echo "kaizen: building (optimised)..." >&2
targets=(//services/enrollment:enrollment_server //services/scheduling:scheduling_server
         //services/survey:survey_server //services/plans:plans_server
         //services/gateway:gateway_server
         //services/gateway:mint_token //tools/demo:load_demo_data)
bazel build -c opt "${targets[@]}" >&2
BIN_DIR="$DATA_DIR/bin"
mkdir -p "$BIN_DIR"
# Ask Bazel where the -c opt outputs are: the bazel-bin link follows whichever
# build ran last (possibly a debug one, or another output base).
out="$(bazel info -c opt bazel-bin 2>/dev/null)"
cp -f "$out/services/enrollment/enrollment_server" "$out/services/scheduling/scheduling_server" \
  "$out/services/survey/survey_server" "$out/services/plans/plans_server" \
  "$out/services/gateway/gateway_server" \
  "$out/services/gateway/mint_token" "$out/tools/demo/load_demo_data" "$BIN_DIR/"

pids=()
stop_all() {
  trap - INT TERM
  echo "kaizen: stopping..." >&2
  for ((i = ${#pids[@]} - 1; i >= 0; i--)); do kill -TERM "${pids[$i]}" 2>/dev/null || true; done
  wait || true
  echo "kaizen: stopped" >&2
}
trap stop_all INT TERM

wait_ready() {  # name pid port-file
  for _ in $(seq 1 400); do
    [ -s "$3" ] && return 0
    kill -0 "$2" 2>/dev/null || { echo "kaizen: $1 failed to start; see $DATA_DIR/$1.log" >&2; stop_all; exit 1; }
    sleep 0.05
  done
  echo "kaizen: $1 did not become ready; see $DATA_DIR/$1.log" >&2
  stop_all
  exit 1
}

start_service() {  # name port extra-args...
  local name=$1 port=$2
  shift 2
  rm -f "$DATA_DIR/$name.port"
  "$BIN_DIR/${name}_server" --listen="127.0.0.1:$port" --db="$DATA_DIR/$name.db" \
    --internal_secret_file="$SECRET_FILE" --port_file="$DATA_DIR/$name.port" "$@" \
    2>>"$DATA_DIR/$name.log" &
  pids+=($!)
  wait_ready "$name" "$!" "$DATA_DIR/$name.port"
}
# The mail sink first (unless a real relay is configured): enrollment's
# delivery thread sends to it from the start.
mail_flags=()
if [ -z "${KAIZEN_SMTP_HOST:-}" ]; then
  /usr/bin/python3 -m aiosmtpd --nosetuid --listen "127.0.0.1:$SMTP_SINK_PORT" \
    --class aiosmtpd.handlers.Mailbox "$MAIL_DIR" 2>>"$DATA_DIR/mail-sink.log" &
  pids+=($!)
  for _ in $(seq 1 200); do
    (exec 3<>"/dev/tcp/127.0.0.1/$SMTP_SINK_PORT") 2>/dev/null && break
    kill -0 "$!" 2>/dev/null || { echo "kaizen: the mail sink failed to start; see $DATA_DIR/mail-sink.log" >&2; stop_all; exit 1; }
    sleep 0.05
  done
  mail_flags=(--smtp_host=127.0.0.1 --smtp_port="$SMTP_SINK_PORT")
fi
# enrollment reaches the others only for purges and erasures (lazy channels),
# so it can start first.
start_service enrollment "$ENROLLMENT_PORT" --scheduling_address="127.0.0.1:$SCHEDULING_PORT" \
  --survey_address="127.0.0.1:$SURVEY_PORT" --plans_address="127.0.0.1:$PLANS_PORT" \
  --public_base_url="${KAIZEN_PUBLIC_BASE_URL:-http://localhost:5173}" "${mail_flags[@]}"
start_service scheduling "$SCHEDULING_PORT" --enrollment="127.0.0.1:$ENROLLMENT_PORT"
start_service survey "$SURVEY_PORT" --enrollment="127.0.0.1:$ENROLLMENT_PORT" \
  --scheduling="127.0.0.1:$SCHEDULING_PORT"
start_service plans "$PLANS_PORT" --enrollment="127.0.0.1:$ENROLLMENT_PORT" \
  --scheduling="127.0.0.1:$SCHEDULING_PORT"

rm -f "$DATA_DIR/gateway.port"
"$BIN_DIR/gateway_server" --http_listen="127.0.0.1:$HTTP_PORT" --grpc_listen="127.0.0.1:$GRPC_PORT" \
  --http_port_file="$DATA_DIR/gateway.port" \
  --backends="kaizen.enrollment.v1.EnrollmentService=127.0.0.1:$ENROLLMENT_PORT,kaizen.scheduling.v1.SchedulingService=127.0.0.1:$SCHEDULING_PORT,kaizen.plans.v1.PlansService=127.0.0.1:$PLANS_PORT,kaizen.survey.v1.SurveyService=127.0.0.1:$SURVEY_PORT" \
  --internal_secret_file="$SECRET_FILE" --jwt_hs256_secret_file="$JWT_SECRET_FILE" \
  --jwt_issuer="$ISSUER" --jwt_audience="$AUDIENCE" --api_keys_file="$API_KEYS_FILE" \
  --cors_origins="${KAIZEN_CORS_ORIGINS:-http://localhost:5173}" \
  2>>"$DATA_DIR/gateway.log" &
pids+=($!)
wait_ready gateway "$!" "$DATA_DIR/gateway.port"
for _ in $(seq 1 100); do
  curl -fsS "http://127.0.0.1:$HTTP_PORT/readyz" >/dev/null 2>&1 && break
  sleep 0.1
done

# Demo data (the FY2022 programme, fictional people) on first start; a no-op
# afterwards.
if [ "${KAIZEN_DEMO_DATA:-1}" != "0" ]; then
  "$BIN_DIR/load_demo_data" --enrollment="127.0.0.1:$ENROLLMENT_PORT" \
    --scheduling="127.0.0.1:$SCHEDULING_PORT" --plans="127.0.0.1:$PLANS_PORT" \
    --survey="127.0.0.1:$SURVEY_PORT" --internal_secret_file="$SECRET_FILE" ||
    echo "kaizen: loading demo data failed (the system keeps running)" >&2
fi

TOKEN=$("$BIN_DIR/mint_token" --jwt_hs256_secret_file="$JWT_SECRET_FILE" --sub=demo-secretariat \
  --roles=secretariat --ttl=8h --iss="$ISSUER" --aud="$AUDIENCE")
cat <<MSG

kaizen: running (Ctrl-C to stop); data and logs in $DATA_DIR
  JSON/HTTP  http://127.0.0.1:$HTTP_PORT     (OpenAPI: /openapi.json, health: /healthz /readyz, metrics: /metrics)
  gRPC       127.0.0.1:$GRPC_PORT
  services   enrollment 127.0.0.1:$ENROLLMENT_PORT, scheduling 127.0.0.1:$SCHEDULING_PORT,
             survey 127.0.0.1:$SURVEY_PORT, plans 127.0.0.1:$PLANS_PORT (only via the gateway)

A secretariat token (8 h):
  $TOKEN

Try:
  curl -s http://127.0.0.1:$HTTP_PORT/v1/cohorts/fy2022
  curl -s -H "Authorization: Bearer \$TOKEN" "http://127.0.0.1:$HTTP_PORT/v1/cohorts/fy2022/applications?state=WAITLISTED"
  curl -s -H "Authorization: Bearer \$TOKEN" http://127.0.0.1:$HTTP_PORT/v1/cohorts/fy2022/plans        # action plans
  curl -s -H "Authorization: Bearer \$TOKEN" "http://127.0.0.1:$HTTP_PORT/v1/municipalities/242047/profile?waveKind=PRE"   # survey: 松阪市 against the pool
  curl -s -H "X-Api-Key: \$(cat $HR_KEY_FILE)" http://127.0.0.1:$HTTP_PORT/v1/changes     # partner HR (松阪市)
More tokens: $BIN_DIR/mint_token --jwt_hs256_secret_file=$JWT_SECRET_FILE --iss=$ISSUER --aud=$AUDIENCE --sub=demo-navigator --roles=navigator
MSG
if [ -z "${KAIZEN_SMTP_HOST:-}" ]; then
  cat <<MSG
E-mail goes to a local sink (nothing leaves this machine): one file per message in $MAIL_DIR/new
  The newest, decoded:
  /usr/bin/python3 -c 'import email,email.policy as p,glob,os,sys;f=max(glob.glob(sys.argv[1]+"/new/*"),key=os.path.getmtime);m=email.message_from_binary_file(open(f,"rb"),policy=p.default);print("To:",m["To"],"\nSubject:",m["Subject"],"\n");print(m.get_body(("plain",)).get_content())' $MAIL_DIR
  Undelivered or dead messages: docs/notifications.md (kaizen_outbox). A real relay: KAIZEN_SMTP_HOST=... (same document).
MSG
else
  echo "E-mail goes to the relay $KAIZEN_SMTP_HOST:${KAIZEN_SMTP_PORT:-25}" >&2
fi
wait
