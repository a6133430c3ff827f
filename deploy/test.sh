#!/usr/bin/env bash
# Proves the deployment works on this machine (issue 17), then leaves nothing
# running: builds the images, runs the compose stack (docker-compose against
# podman's API socket) and then the dev overlay (`podman kube play`), and in
# each makes authenticated calls through the gateway.
#
#   bash deploy/test.sh
#   KAIZEN_DEPLOY_E2E=1 bash deploy/test.sh   # also the e2e suite against compose
#   KAIZEN_DEPLOY_BINARIES=DIR bash deploy/test.sh  # binaries built already, no Bazel
#                                             # (deploy/lib.sh: kaizen_stage_binaries)
#
# The overlays are rendered with the `kubectl` on PATH (Debian 12's is 1.20,
# kustomize v2.0.3; newer ones work too), or with $KAIZEN_KUBECTL. With
# KAIZEN_KUBECTL_COMPARE=<another kubectl> both overlays are also rendered
# with that one and the two renders must hold the same objects.
#
# Published ports (loopback only): compose 18080 (KAIZEN_TEST_COMPOSE_PORT),
# kube play 18081 (KAIZEN_TEST_PLAY_PORT). Ends with "deploy: N passed, 0 failed".
set -euo pipefail
source "$(dirname "$0")/lib.sh"
cd "$KAIZEN_ROOT"
source deploy/smoke.sh

COMPOSE_PORT="${KAIZEN_TEST_COMPOSE_PORT:-18080}"
PLAY_PORT="${KAIZEN_TEST_PLAY_PORT:-18081}"
PROJECT=kaizen-deploy-test
PLAY_NET=kaizen-deploy-test
T0=$SECONDS
passed=0
stage() { passed=$((passed + 1)); kaizen_log "ok: $* ($((SECONDS - T0)) s)"; }

bash tools/setup.sh
KUBECTL="${KAIZEN_KUBECTL:-kubectl}"
command -v "$KUBECTL" >/dev/null ||
  { kaizen_log "$KUBECTL not found: kubectl (with kustomize) renders the overlays (tools/setup.sh installs Debian's kubernetes-client)"; exit 1; }

for p in "$COMPOSE_PORT" "$PLAY_PORT"; do
  if (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then
    kaizen_log "port $p is in use; set KAIZEN_TEST_COMPOSE_PORT / KAIZEN_TEST_PLAY_PORT"
    exit 1
  fi
done

work=$(mktemp -d "$KAIZEN_DEPLOY_STATE/test.XXXXXX")
service_pid=""
cleanup() {
  set +e
  if [ -n "$service_pid" ]; then
    DOCKER_HOST="unix://$work/podman.sock" docker-compose -p "$PROJECT" -f deploy/compose.yaml \
      down --volumes --timeout 15 >/dev/null 2>&1
    kill "$service_pid" 2>/dev/null
    wait "$service_pid" 2>/dev/null
  fi
  if [ -f "$work/play.yaml" ]; then
    podman kube down "$work/play.yaml" >/dev/null 2>&1
    # Volumes podman may make for the ConfigMaps when a play fails half-way.
    for v in $(sed -n 's/^  name: \(kaizen-\(config\|secrets\)-[a-z0-9]*\)$/\1/p' "$work/play.yaml"); do
      podman volume rm -f "$v" >/dev/null 2>&1
    done
  fi
  # kube play's claims (podman volumes named as the StatefulSets' claims).
  for name in $(kaizen_services | awk '{print $1}'); do
    podman volume rm -f "data-$name-0" >/dev/null 2>&1
  done
  podman network rm -f "$PLAY_NET" >/dev/null 2>&1
  rm -rf "$work"
}
trap cleanup EXIT

# ---- static checks: generated files, lint, manifests
bash deploy/gen.sh --check
stage "compose.yaml and k8s/base/services are up to date with services.list"
deploy/tools/node_modules/.bin/dockerfile-utils lint deploy/images/Containerfile
stage "Containerfile lints clean (dockerfile-utils)"
# render KUBECTL OVERLAY OUT: `kubectl kustomize`, failing with its message.
# Newer kustomize warns (on stderr, exit 0) about the fields kept for v2.0.3
# (bases, patchesStrategicMerge): expected, not shown; other warnings are.
render() {
  if ! "$1" kustomize "deploy/k8s/overlays/$2" >"$3" 2>"$3.err"; then
    kaizen_log "$1 kustomize deploy/k8s/overlays/$2 failed:"; cat "$3.err" >&2; exit 1
  fi
  grep -vE "^# Warning: '(bases|patchesStrategicMerge)' is deprecated" "$3.err" >&2 || true
}
kubectl_version() {
  "$1" version --client -o json 2>/dev/null | grep -oE '"(gitVersion|kustomizeVersion)": *"[^"]*"' |
    sed -E 's/"gitVersion": *"([^"]*)"/kubectl \1/; s/"kustomizeVersion": *"([^"]*)"/kustomize \1/' | paste -sd' '
}
for overlay in dev prod; do
  render "$KUBECTL" "$overlay" "$work/$overlay.yaml"
  # Every reference to a generated ConfigMap/Secret carries its hash.
  node deploy/k8s/compare.mjs "$work/$overlay.yaml" >"$work/refs.log" || { cat "$work/refs.log" >&2; exit 1; }
done
node deploy/k8s/validate.mjs "$work/dev.yaml" "$work/prod.yaml" >"$work/validate.log" ||
  { cat "$work/validate.log" >&2; exit 1; }
stage "both overlays render with $(kubectl_version "$KUBECTL") and validate ($(tail -1 "$work/validate.log"))"
if [ -n "${KAIZEN_KUBECTL_COMPARE:-}" ]; then
  for overlay in dev prod; do
    render "$KAIZEN_KUBECTL_COMPARE" "$overlay" "$work/$overlay.other.yaml"
    node deploy/k8s/compare.mjs "$work/$overlay.yaml" "$work/$overlay.other.yaml" >"$work/compare.log" ||
      { kaizen_log "$overlay renders differ:"; cat "$work/compare.log" >&2; exit 1; }
  done
  stage "both overlays render the same objects with $(kubectl_version "$KAIZEN_KUBECTL_COMPARE")"
fi

# ---- images
TAG=$(bash deploy/images/build.sh | tail -1)
export KAIZEN_TAG="$TAG"
if [ -n "${KAIZEN_DEPLOY_BINARIES:-}" ]; then
  MINT_TOKEN="$KAIZEN_DEPLOY_BINARIES/services/gateway/mint_token"
else  # deploy/images/build.sh built it with the images
  read -r -a startup <<<"${KAIZEN_BAZEL_STARTUP:-}"
  MINT_TOKEN="$(bazel "${startup[@]}" info -c opt bazel-bin 2>/dev/null)/services/gateway/mint_token"
fi
for name in gateway $(kaizen_services | awk '{print $1}'); do
  image="localhost/kaizen-$name:$TAG"
  [ "$(podman image inspect --format '{{.Config.User}}' "$image")" = "10001:10001" ] ||
    { kaizen_log "$image does not run as 10001"; exit 1; }
  # Every library each binary loads is in the image (the package list is complete).
  if podman run --rm --entrypoint /bin/sh "$image" -c 'ldd /usr/local/bin/*_server /usr/local/bin/kaizen_*' |
      grep 'not found'; then
    kaizen_log "$image misses a shared library"
    exit 1
  fi
done
stage "images kaizen-*:$TAG built; run as 10001; ldd finds every library inside"

# ---- compose, through podman's Docker-compatible API
podman system service --time=0 "unix://$work/podman.sock" >"$work/podman-service.log" 2>&1 &
service_pid=$!
for _ in $(seq 1 100); do [ -S "$work/podman.sock" ] && break; sleep 0.1; done
export DOCKER_HOST="unix://$work/podman.sock"
secrets="$work/secrets"
mkdir -p "$secrets"
(umask 077
 head -c 48 /dev/urandom | base64 -w0 >"$secrets/internal-secret"
 head -c 48 /dev/urandom | base64 -w0 >"$secrets/jwt-hs256-secret"
 # Partner keys the e2e suite uses (tests/e2e): plaintext for the suite, hashes
 # for the gateway (services/gateway/api_keys.h).
 : >"$work/e2e-api-keys"
 for entry in chiyoda-hr:131016 sapporo-hr:011002 matsusaka-hr:242047 tsu-hr:242012; do
   key=$(head -c 24 /dev/urandom | base64 -w0 | tr '+/' '-_' | tr -d '=')
   echo "${entry%%:*} $key ${entry##*:}" >>"$work/e2e-api-keys"
   echo "${entry%%:*} $(printf %s "$key" | sha256sum | cut -d' ' -f1) ${entry##*:}" >>"$secrets/api-keys"
 done)
chown 10001:10001 "$secrets"/*
chmod 0400 "$secrets"/*
export KAIZEN_SECRETS_DIR="$secrets" KAIZEN_HTTP_PUBLISH="127.0.0.1:$COMPOSE_PORT"
compose() { docker-compose -p "$PROJECT" -f deploy/compose.yaml "$@"; }
compose up -d >"$work/compose-up.log" 2>&1 || { cat "$work/compose-up.log" >&2; exit 1; }
url="http://127.0.0.1:$COMPOSE_PORT"
kaizen_wait_ready "$url" 60 || { compose logs --tail 20 >&2; exit 1; }
stage "compose stack up, gateway ready on $url"
for c in $(compose ps -q); do
  podman healthcheck run "$c" >/dev/null ||
    { kaizen_log "healthcheck failed in $(podman inspect --format '{{.Name}}' "$c")"; exit 1; }
done
if compose exec -T enrollment /usr/bin/touch /usr/local/bin/x 2>/dev/null; then
  kaizen_log "the root filesystem is writable"; exit 1
fi
stage "compose healthchecks (kaizen_health_probe) pass; root filesystem is read-only"
kaizen_smoke "$url" "$secrets/jwt-hs256-secret" kaizen-local deploy-compose
compose restart enrollment >/dev/null 2>&1
kaizen_wait_ready "$url" 60
kaizen_get_cohort "$url" "$secrets/jwt-hs256-secret" kaizen-local deploy-compose
stage "compose: authenticated create + read through the gateway; data survives a restart"
# The image's kaizen_backup (what the CronJob runs) backs up the live database.
if ! compose exec -T enrollment /usr/local/bin/kaizen_backup --db=/var/lib/kaizen/enrollment.db \
    --out_dir=/tmp >"$work/backup.json" 2>&1 || ! grep -q '"integrity":"ok"' "$work/backup.json"; then
  kaizen_log "kaizen_backup in the enrollment image failed: $(cat "$work/backup.json")"
  exit 1
fi
stage "compose: kaizen_backup in the image makes a checked online backup"

if [ "${KAIZEN_DEPLOY_E2E:-0}" = 1 ]; then
  KAIZEN_GATEWAY_URL="$url" KAIZEN_JWT_SECRET_FILE="$secrets/jwt-hs256-secret" \
    KAIZEN_JWT_ISSUER=kaizen-local KAIZEN_E2E_API_KEYS="$work/e2e-api-keys" \
    /usr/bin/python3 tests/e2e/e2e_test.py
  stage "e2e suite against the compose stack"
fi

# SIGTERM to PID 1 (the binary itself): every container drains and exits 0.
compose stop --timeout 15 >/dev/null 2>&1
for c in $(compose ps -q); do
  code=$(podman inspect --format '{{.State.ExitCode}}' "$c")
  [ "$code" = 0 ] || { kaizen_log "$(podman inspect --format '{{.Name}}' "$c") exited $code on SIGTERM"; exit 1; }
done
stage "compose: every container exits 0 on SIGTERM"
compose down --volumes --timeout 15 >/dev/null 2>&1
kill "$service_pid"; wait "$service_pid" 2>/dev/null || true
service_pid=""
unset DOCKER_HOST

# ---- the dev overlay with podman kube play
podman network create "$PLAY_NET" >/dev/null
node deploy/k8s/play.mjs "$PLAY_PORT" <"$work/dev.yaml" >"$work/play.yaml"
podman kube play --network "$PLAY_NET" "$work/play.yaml" >"$work/play.log" 2>&1 ||
  { cat "$work/play.log" >&2; exit 1; }
url="http://127.0.0.1:$PLAY_PORT"
kaizen_wait_ready "$url" 60 || { podman pod ps >&2; exit 1; }
stage "dev overlay up with podman kube play, gateway ready on $url"
# The liveness probes (exec kaizen_health_probe in the play variant) pass.
for c in gateway-pod-0-gateway $(kaizen_services | awk '{print $1 "-" $1}'); do
  podman healthcheck run "$c" >/dev/null || { kaizen_log "probe failed in $c"; exit 1; }
done
stage "kube play: every pod's probe passes"
# The dev overlay's placeholder JWT secret, as the gateway reads it.
sed -n 's/^ *- jwt-hs256-secret=//p' deploy/k8s/overlays/dev/kustomization.yaml | tr -d '\n' >"$work/dev-jwt"
kaizen_smoke "$url" "$work/dev-jwt" kaizen-dev deploy-play
stage "kube play: authenticated create + read through the gateway"
cleanup
trap - EXIT
# Nothing of ours is left: no containers, pods, volumes or network.
left=$( (podman ps -a --format '{{.Names}}' | grep -E "^${PROJECT}_" || true
        podman pod ps --format '{{.Name}}' | grep -E "^(gateway-pod-[0-9]+|$(kaizen_services | awk '{print $1}' | paste -sd'|'))\$" || true
        podman volume ls -q | grep -E "^(${PROJECT}_|data-($(kaizen_services | awk '{print $1}' | paste -sd'|'))-0\$|kaizen-(config|secrets)-[a-z0-9]+\$)" || true
        podman network ls --format '{{.Name}}' | grep -x "$PLAY_NET" || true) | wc -l)
[ "$left" = 0 ] || { kaizen_log "$left containers/pods/volumes/networks were left behind"; exit 1; }
stage "torn down: nothing left running"
kaizen_log "done in $((SECONDS - T0)) s"
echo "deploy: $passed passed, 0 failed"
