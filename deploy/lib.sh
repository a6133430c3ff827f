# Shared by deploy/*.sh (sourced, not run): podman's configuration for this
# machine, the image tag, and the list of services.
#
# podman reads containers.conf from $CONTAINERS_CONF. We write our own under
# $KAIZEN_DEPLOY_STATE instead of editing /etc/containers: runc as the runtime
# (crun fails here on setrlimit and on the cgroup layout) and default ulimits
# that fit under this host's hard limits (podman's defaults are above them and
# every container start then fails in setrlimit; here even a value equal to
# the hard limit failed).

KAIZEN_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
KAIZEN_DEPLOY_STATE="${KAIZEN_DEPLOY_STATE:-/tmp/kaizen-deploy}"
mkdir -p "$KAIZEN_DEPLOY_STATE"

kaizen_podman_conf() {
  local hard_nofile hard_nproc
  hard_nofile=$(ulimit -Hn)
  hard_nproc=$(ulimit -Hu)
  [ "$hard_nofile" = unlimited ] && hard_nofile=1048576
  [ "$hard_nproc" = unlimited ] && hard_nproc=1048576
  # Strictly below the hard limit (runc's setrlimit fails here at equal), and
  # modest: a Kaizen server runs --threads (64) handler threads and a few of gRPC's.
  local nofile=$((hard_nofile - 1 < 65535 ? hard_nofile - 1 : 65535))
  local nproc=$((hard_nproc - 1 < 4096 ? hard_nproc - 1 : 4096))
  cat >"$KAIZEN_DEPLOY_STATE/containers.conf" <<CONF
# Written by deploy/lib.sh; do not edit.
[containers]
default_ulimits = ["nofile=${nofile}:${nofile}", "nproc=${nproc}:${nproc}"]
[engine]
runtime = "runc"
CONF
  export CONTAINERS_CONF="$KAIZEN_DEPLOY_STATE/containers.conf"
  # `podman build` does not apply default_ulimits to RUN steps: pass them.
  KAIZEN_BUILD_ULIMITS=(--ulimit "nofile=${nofile}:${nofile}" --ulimit "nproc=${nproc}:${nproc}")
}
kaizen_podman_conf

# The image tag: the git revision, with -dirty when the tree has changes.
kaizen_image_tag() {
  local rev
  rev=$(git -C "$KAIZEN_ROOT" rev-parse --short HEAD 2>/dev/null || echo unknown)
  if [ -n "$(git -C "$KAIZEN_ROOT" status --porcelain 2>/dev/null)" ]; then rev="$rev-dirty"; fi
  echo "$rev"
}

# Prints the services of deploy/services.list, one "name port calls proto extra"
# line each, comments and blank lines dropped.
kaizen_services() {
  grep -v '^[[:space:]]*\(#\|$\)' "$KAIZEN_ROOT/deploy/services.list"
}

# The Bazel targets of the binaries the images and deploy/test.sh use, one per
# line (each binary is bazel-bin/<package>/<name>).
kaizen_deploy_targets() {
  echo //services/gateway:gateway_server
  echo //services/gateway:mint_token
  echo //deploy/health_probe:kaizen_health_probe
  echo //tools/backup:kaizen_backup
  echo //common/notify:kaizen_outbox
  local name
  for name in $(kaizen_services | awk '{print $1}'); do echo "//services/$name:${name}_server"; done
}

# Copies those binaries, as built, from Bazel's bazel-bin (the checkout's
# bazel-bin link by default) to DIR in bazel-bin's layout. tools/test.sh does
# this after its `bazel build` and runs deploy/test.sh with
# KAIZEN_DEPLOY_BINARIES=DIR, so the deploy stage calls no Bazel (which would
# wait for the `bazel test` running beside it).
kaizen_stage_binaries() {
  local dir=$1 bin=${2:-$KAIZEN_ROOT/bazel-bin} target path
  for target in $(kaizen_deploy_targets); do
    path="${target#//}"; path="${path/://}"
    mkdir -p "$dir/$(dirname "$path")"
    cp "$bin/$path" "$dir/$path"
  done
}

kaizen_log() { echo "deploy: $*" >&2; }
