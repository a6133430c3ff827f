#!/usr/bin/env bash
# Builds localhost/kaizen-base:bookworm, the base of every Kaizen image, from
# Debian itself (no registry): `debootstrap --variant=minbase bookworm` from the
# mirror apt uses on this machine, with bookworm-updates and bookworm-security
# in its sources, imported into podman. Cached: does nothing when the image
# exists (KAIZEN_REBUILD_BASE=1 forces a rebuild, e.g. for security updates).
set -euo pipefail
source "$(dirname "$0")/../lib.sh"

IMAGE=localhost/kaizen-base:bookworm
if [ "${KAIZEN_REBUILD_BASE:-0}" != 1 ] && podman image exists "$IMAGE"; then
  exit 0
fi

# The mirrors apt uses here (deb822 or one-line sources); Debian's defaults
# when neither names one.
mirror=$(grep -hsE '^(URIs:|deb )' /etc/apt/sources.list /etc/apt/sources.list.d/*.list \
  /etc/apt/sources.list.d/*.sources | grep -v security | grep -oE 'https?://[^ ]+/debian/?' |
  head -1 || true)
security=$(grep -hsE '^(URIs:|deb )' /etc/apt/sources.list /etc/apt/sources.list.d/*.list \
  /etc/apt/sources.list.d/*.sources | grep -oE 'https?://[^ ]+/debian-security/?' | head -1 || true)
mirror="${mirror:-http://deb.debian.org/debian}"
security="${security:-http://deb.debian.org/debian-security}"
mirror="${mirror%/}"
security="${security%/}"

root=$(mktemp -d /var/tmp/kaizen-base.XXXXXX)
trap 'rm -rf "$root"' EXIT
kaizen_log "debootstrap bookworm from $mirror (about a minute)..."
debootstrap --variant=minbase bookworm "$root" "$mirror" >"$KAIZEN_DEPLOY_STATE/debootstrap.log" 2>&1 || {
  kaizen_log "debootstrap failed; the end of $KAIZEN_DEPLOY_STATE/debootstrap.log:"
  tail -n 15 "$KAIZEN_DEPLOY_STATE/debootstrap.log" >&2
  exit 1
}
cat >"$root/etc/apt/sources.list" <<SRC
deb $mirror bookworm main
deb $mirror bookworm-updates main
deb $security bookworm-security main
SRC
# Images install with --no-install-recommends and keep no documentation.
cat >"$root/etc/apt/apt.conf.d/90kaizen" <<'APT'
APT::Install-Recommends "false";
APT::Install-Suggests "false";
Acquire::Languages "none";
APT
cat >"$root/etc/dpkg/dpkg.cfg.d/90kaizen-nodoc" <<'DPKG'
path-exclude /usr/share/doc/*
path-exclude /usr/share/man/*
path-exclude /usr/share/info/*
path-exclude /usr/share/locale/*
DPKG
# Security and point updates now, so the base is current when built.
chroot "$root" /bin/sh -c 'apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get -y -qq upgrade && apt-get clean && rm -rf /var/lib/apt/lists/*' \
  >>"$KAIZEN_DEPLOY_STATE/debootstrap.log" 2>&1 || {
  kaizen_log "upgrading the base failed; the end of $KAIZEN_DEPLOY_STATE/debootstrap.log:"
  tail -n 15 "$KAIZEN_DEPLOY_STATE/debootstrap.log" >&2
  exit 1
}
rm -rf "$root/var/cache/apt/archives/"*.deb "$root/usr/share/doc" "$root/usr/share/man"
tar -C "$root" -c . | podman import --quiet --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' --change 'CMD ["/bin/sh"]' - "$IMAGE" >/dev/null
kaizen_log "built $IMAGE"
