#!/usr/bin/env bash
# Builds one image per service in deploy/services.list plus the gateway:
# localhost/kaizen-<name>:<git revision>[-dirty], also tagged :dev (what the
# compose file and the dev overlay run by default).
#
#   bash deploy/images/build.sh            # base image if missing, Bazel, images
#   KAIZEN_BAZEL_STARTUP="--output_base=/tmp/x" bash deploy/images/build.sh
#   KAIZEN_DEPLOY_BINARIES=DIR bash deploy/images/build.sh   # built already
#
# Each image holds its -c opt binary, kaizen_health_probe (compose
# healthchecks) and, in service images, kaizen_backup (the backup CronJob and
# `podman exec` backups) and kaizen_outbox (an operator's view and retry of
# dead letters: `podman exec kaizen-enrollment kaizen_outbox --db=... list`); its Debian packages are exactly what ldd of those
# binaries needs (deploy/images/runtime_packages.sh) plus the data packages
# named in deploy/services.list.
set -euo pipefail
source "$(dirname "$0")/../lib.sh"
cd "$KAIZEN_ROOT"

bash deploy/images/base.sh

read -r -a startup <<<"${KAIZEN_BAZEL_STARTUP:-}"
bazel() { command bazel "${startup[@]}" "$@"; }

mapfile -t targets < <(kaizen_deploy_targets)

if [ -n "${KAIZEN_DEPLOY_BINARIES:-}" ]; then
  # Built already (tools/test.sh: kaizen_stage_binaries in deploy/lib.sh).
  out="$KAIZEN_DEPLOY_BINARIES"
  kaizen_log "binaries from $out (no Bazel)"
else
  kaizen_log "bazel build -c opt ${#targets[@]} targets..."
  bazel build -c opt "${targets[@]}" >"$KAIZEN_DEPLOY_STATE/bazel-build.log" 2>&1 || {
    tail -30 "$KAIZEN_DEPLOY_STATE/bazel-build.log" >&2
    exit 1
  }
  out=$(bazel info -c opt bazel-bin 2>/dev/null)
fi
tag=$(kaizen_image_tag)

build_image() {  # name binary-path ports extra-packages [more binaries...]
  local name=$1 binary=$2 ports=$3 extra=$4
  shift 4
  local ctx="$KAIZEN_DEPLOY_STATE/context/$name"
  rm -rf "$ctx"
  mkdir -p "$ctx/bin"
  cp "$binary" "$@" "$out/deploy/health_probe/kaizen_health_probe" "$ctx/bin/"
  chmod 0555 "$ctx/bin/"*
  local packages
  packages=$(deploy/images/runtime_packages.sh "$ctx/bin/"* | tr '\n' ' ')
  [ "$extra" = "-" ] || packages="$packages ${extra//,/ }"
  echo "$packages" | tr ' ' '\n' | grep -v '^$' | sort -u >"$ctx/packages.txt"
  kaizen_log "image kaizen-$name:$tag ($(wc -l <"$ctx/packages.txt") runtime packages)"
  podman build --quiet "${KAIZEN_BUILD_ULIMITS[@]}" --file deploy/images/Containerfile \
    --build-arg NAME="$name" --build-arg BINARY="$(basename "$binary")" \
    --build-arg PORTS="$ports" --build-arg REVISION="$tag" \
    --build-arg PACKAGES="$(tr '\n' ' ' <"$ctx/packages.txt")" \
    --tag "localhost/kaizen-$name:$tag" --tag "localhost/kaizen-$name:dev" \
    "$ctx" >"$KAIZEN_DEPLOY_STATE/build-$name.log" 2>&1 || {
    tail -30 "$KAIZEN_DEPLOY_STATE/build-$name.log" >&2
    kaizen_log "building kaizen-$name failed; see $KAIZEN_DEPLOY_STATE/build-$name.log"
    exit 1
  }
}

build_image gateway "$out/services/gateway/gateway_server" "8080 9090" -
while read -r name port _ _ extra; do
  build_image "$name" "$out/services/$name/${name}_server" "$port" "$extra" \
    "$out/tools/backup/kaizen_backup" "$out/common/notify/kaizen_outbox"
done < <(kaizen_services)
# Dangling layers of earlier builds of these tags.
podman image prune --force >/dev/null 2>&1 || true
kaizen_log "images built: tag $tag (and dev)"
echo "$tag"
