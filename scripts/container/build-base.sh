#!/usr/bin/env bash
# Builds localhost/soft-start-base:bookworm (Debian bookworm minbase + python3, python3-venv,
# ca-certificates) with debootstrap, so that the image can be built where no container
# registry is reachable; only a Debian mirror is needed.
#
# Usage (as root): scripts/container/build-base.sh [--force]
#   --force            rebuild even if the image exists
# Environment:
#   BASE_IMAGE         tag to create (default localhost/soft-start-base:bookworm)
#   DEBIAN_MIRROR      default http://deb.debian.org/debian
#   DEBIAN_SECURITY_MIRROR  default http://deb.debian.org/debian-security
#   PODMAN_STORAGE_DRIVER   force a storage driver (see lib.sh)
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$here/lib.sh"

SUITE=bookworm
DEBIAN_MIRROR="${DEBIAN_MIRROR:-http://deb.debian.org/debian}"
DEBIAN_SECURITY_MIRROR="${DEBIAN_SECURITY_MIRROR:-http://deb.debian.org/debian-security}"

force=0
for arg in "$@"; do
    case "$arg" in
        --force) force=1 ;;
        -h|--help) sed -n '2,12p' "$0"; exit 0 ;;
        *) die "unknown argument: $arg" ;;
    esac
done

podman_setup
if [[ $force -eq 0 ]] && image_exists "$BASE_IMAGE"; then
    log "$BASE_IMAGE already exists (--force rebuilds it)"
    exit 0
fi

# debootstrap needs root for chroot, mknod and file ownership.
[[ $(id -u) -eq 0 ]] || die "run as root (debootstrap needs it)"
command -v debootstrap >/dev/null 2>&1 \
    || die "debootstrap is not installed (apt-get install -y debootstrap)"

# /var/tmp, not /tmp: the tree is over 100 MB and /tmp may be a small tmpfs.
rootfs="$(mktemp -d /var/tmp/soft-start-base.XXXXXX)"
chmod 755 "$rootfs"   # apt downloads as _apt, which cannot enter mktemp's 0700

# Something left mounted inside the tree (debootstrap's /proc, our own) would make
# rm -rf reach into the host, so unmount first and refuse to delete if that failed.
cleanup() {
    local mounts
    mounts="$(awk -v root="$rootfs/" 'index($2, root) == 1 { print $2 }' /proc/mounts | sort -r)"
    for m in $mounts; do umount -l "$m" || true; done
    if awk -v root="$rootfs/" 'index($2, root) == 1 { found = 1 } END { exit !found }' /proc/mounts; then
        log "something is still mounted under $rootfs; not deleting it"
        return
    fi
    rm -rf --one-file-system "$rootfs"
}
trap cleanup EXIT

log "debootstrap $SUITE (minbase) into $rootfs"
debootstrap --variant=minbase --components=main \
    --include=python3,python3-venv,ca-certificates \
    "$SUITE" "$rootfs" "$DEBIAN_MIRROR"

# The same sources as the official images, security updates included, so that
# `apt-get install` works in derived images and the base starts patched.
rm -f "$rootfs/etc/apt/sources.list"
cat >"$rootfs/etc/apt/sources.list.d/debian.sources" <<EOF
Types: deb
URIs: $DEBIAN_MIRROR
Suites: $SUITE $SUITE-updates
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg

Types: deb
URIs: $DEBIAN_SECURITY_MIRROR
Suites: $SUITE-security
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
EOF

# Like the official slim images: later apt installs skip docs and man pages, and apt does
# not keep downloaded .debs, so derived layers stay small too.
cat >"$rootfs/etc/dpkg/dpkg.cfg.d/excludes" <<'EOF'
path-exclude /usr/share/doc/*
path-include /usr/share/doc/*/copyright
path-exclude /usr/share/man/*
path-exclude /usr/share/info/*
path-exclude /usr/share/locale/*
path-include /usr/share/locale/locale.alias
path-exclude /usr/share/lintian/*
EOF
cat >"$rootfs/etc/apt/apt.conf.d/docker-clean" <<'EOF'
DPkg::Post-Invoke { "rm -f /var/cache/apt/archives/*.deb /var/cache/apt/archives/partial/*.deb /var/cache/apt/*.bin || true"; };
APT::Update::Post-Invoke { "rm -f /var/cache/apt/archives/*.deb /var/cache/apt/archives/partial/*.deb /var/cache/apt/*.bin || true"; };
Dir::Cache::pkgcache "";
Dir::Cache::srcpkgcache "";
EOF
printf 'Acquire::GzipIndexes "true";\nAcquire::CompressionTypes::Order:: "gz";\n' \
    >"$rootfs/etc/apt/apt.conf.d/docker-gzip-indexes"
printf 'APT::Install-Recommends "false";\n' >"$rootfs/etc/apt/apt.conf.d/docker-no-recommends"

log "applying $SUITE-updates and $SUITE-security"
cp /etc/resolv.conf "$rootfs/etc/resolv.conf"   # name resolution inside the chroot
mount -t proc proc "$rootfs/proc"
chroot "$rootfs" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin DEBIAN_FRONTEND=noninteractive \
    sh -c 'apt-get update -qq && apt-get -y -qq -o Dpkg::Options::=--force-confold upgrade && apt-get clean'
umount "$rootfs/proc"

log "trimming"
# The image's own resolver config comes from the runtime; leave no host details behind.
: >"$rootfs/etc/resolv.conf"
rm -rf "$rootfs"/var/lib/apt/lists/* "$rootfs"/var/cache/apt/* "$rootfs"/var/cache/debconf/*-old \
    "$rootfs"/var/lib/dpkg/*-old "$rootfs"/usr/share/man/* "$rootfs"/usr/share/info/* \
    "$rootfs"/usr/share/lintian "$rootfs"/tmp/* "$rootfs"/var/tmp/* "$rootfs"/debootstrap
find "$rootfs/usr/share/doc" -mindepth 1 -not -name copyright -not -type d -delete
find "$rootfs/usr/share/doc" -mindepth 1 -type d -empty -delete
find "$rootfs/usr/share/locale" -mindepth 1 -maxdepth 1 -not -name locale.alias -exec rm -rf {} +
find "$rootfs/var/log" -type f -exec truncate -s 0 {} +
# A fixed machine id would be shared by every container; systemd-less images leave it empty.
[[ -f "$rootfs/etc/machine-id" ]] && : >"$rootfs/etc/machine-id"
[[ -f "$rootfs/etc/hostname" ]] && : >"$rootfs/etc/hostname"

# A rebuilt base leaves the old one untagged; drop it unless images built on it still need it.
old_id="$("${PODMAN[@]}" image inspect --format '{{.Id}}' "$BASE_IMAGE" 2>/dev/null || true)"
log "importing as $BASE_IMAGE ($(du -sh --one-file-system "$rootfs" | cut -f1) on disk)"
tar --numeric-owner --xattrs -C "$rootfs" -c . | "${PODMAN[@]}" import --quiet \
    --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
    --change 'ENV LANG=C.UTF-8' \
    --change 'CMD ["bash"]' \
    --message "debootstrap --variant=minbase $SUITE + python3 python3-venv ca-certificates" \
    - "$BASE_IMAGE" >/dev/null
log "built $BASE_IMAGE: $("${PODMAN[@]}" image inspect --format '{{.Size}}' "$BASE_IMAGE") bytes"
if [[ -n "$old_id" && "$old_id" != "$("${PODMAN[@]}" image inspect --format '{{.Id}}' "$BASE_IMAGE")" ]]; then
    "${PODMAN[@]}" rmi "$old_id" >/dev/null 2>&1 || true
fi
