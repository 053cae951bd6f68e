# Shared by the scripts in this folder; sourced, not run.
# shellcheck shell=bash

BASE_IMAGE="${BASE_IMAGE:-localhost/soft-start-base:bookworm}"
IMAGE="${IMAGE:-localhost/soft-start:latest}"

log() { printf '==> %s\n' "$*" >&2; }
die() { printf 'error: %s\n' "$*" >&2; exit 1; }

# PODMAN is an array so that a storage option found here reaches every call.
# Nested sandboxes often lack overlayfs (or fuse-overlayfs); vfs is slow and large on disk
# but works anywhere, so it is the fallback rather than the default.
# PODMAN_STORAGE_DRIVER=vfs (or overlay) skips the probe.
podman_setup() {
    command -v podman >/dev/null 2>&1 \
        || die "podman is not installed (as root: apt-get install -y podman)"
    if [[ -n "${PODMAN_STORAGE_DRIVER:-}" ]]; then
        PODMAN=(podman "--storage-driver=${PODMAN_STORAGE_DRIVER}")
    elif podman info >/dev/null 2>&1; then
        PODMAN=(podman)
    elif podman --storage-driver=vfs info >/dev/null 2>&1; then
        log "podman's default storage does not work here; using --storage-driver=vfs"
        PODMAN=(podman --storage-driver=vfs)
    else
        podman info >&2 || true
        die "podman info fails, with its default storage and with vfs"
    fi
}

image_exists() { "${PODMAN[@]}" image exists "$1"; }

# Sets RUN_OPTS for `podman run` and `podman build`, and may add --runtime to PODMAN, so that
# containers start in a nested sandbox. Two failures seen there: podman's default rlimits
# (nofile 1048576, nproc 4194304) exceed the sandbox's hard limits, and crun refuses hybrid
# cgroups (v1 controllers plus a v2 tree with one), which runc accepts. Needs an image to try.
# PODMAN_RUN_OPTS="..." (space-separated) skips the probe.
podman_run_setup() {
    local image="$1" err nofile nproc pid_max runtime
    RUN_OPTS=()
    if [[ -n "${PODMAN_RUN_OPTS:-}" ]]; then
        read -r -a RUN_OPTS <<<"$PODMAN_RUN_OPTS"
        return
    fi
    err="$(mktemp)"
    if "${PODMAN[@]}" run --rm --network=none "$image" true >/dev/null 2>"$err"; then
        rm -f "$err"
        return
    fi
    nofile="$(ulimit -Hn)"; nproc="$(ulimit -Hu)"; pid_max="$(cat /proc/sys/kernel/pid_max)"
    [[ "$nofile" == unlimited ]] && nofile=1048576
    # podman clamps its own nproc to pid_max, so nothing above that can be set.
    if [[ "$nproc" == unlimited ]] || (( nproc > pid_max )); then nproc="$pid_max"; fi
    local limits=(--ulimit "nofile=$nofile:$nofile" --ulimit "nproc=$nproc:$nproc")
    for runtime in crun runc; do
        command -v "$runtime" >/dev/null 2>&1 || continue
        if "${PODMAN[@]}" --runtime "$runtime" run --rm --network=none "${limits[@]}" \
            "$image" true >/dev/null 2>"$err"; then
            PODMAN+=(--runtime "$runtime")
            RUN_OPTS=("${limits[@]}")
            log "containers start here with: --runtime $runtime ${RUN_OPTS[*]}"
            rm -f "$err"
            return
        fi
    done
    cat "$err" >&2
    rm -f "$err"
    command -v runc >/dev/null 2>&1 \
        || die "no container starts; with hybrid cgroups, installing runc helps (apt-get install -y runc)"
    die "no container starts, with crun or runc and the host's rlimits (see the error above)"
}
