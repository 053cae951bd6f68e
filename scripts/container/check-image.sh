#!/usr/bin/env bash
# Proves the image works without any registry: builds the base (if missing) and the image
# with podman, then runs `soft-start --version`, `soft-start check-config` and
# `soft-start migrate` in it, read-only, with no network and a fresh /data volume; then starts
# `soft-start run` (the default command) and stops it with SIGTERM.
# Exits non-zero if anything fails.
#
# Usage (as root): scripts/container/check-image.sh
# Needs: apt-get install -y podman debootstrap runc   (runc: where crun refuses the host's
# hybrid cgroups, as in nested sandboxes; lib.sh finds which runtime works)
# Environment:
#   IMAGE           tag to build (default localhost/soft-start:latest)
#   BASE_IMAGE      base to build on (default localhost/soft-start-base:bookworm; built if
#                   missing and local); e.g. docker.io/library/python:3.11-slim where a
#                   registry is reachable
#   BUILD_NETWORK   podman build --network (default host: needs no bridge/netavark in a sandbox)
#   PIP_CA_BUNDLE   CA bundle for pip during the build (default: this host's system bundle, so
#                   a TLS-intercepting proxy trusted here is trusted in the build too)
#   PODMAN_STORAGE_DRIVER, PODMAN_RUN_OPTS   see lib.sh
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$here/lib.sh"

BUILD_NETWORK="${BUILD_NETWORK:-host}"
PIP_CA_BUNDLE="${PIP_CA_BUNDLE:-/etc/ssl/certs/ca-certificates.crt}"
# A made-up token of the right shape: check-config --offline validates it without asking Telegram.
FAKE_TOKEN="123456789:AAEhBP0av28zLsX3c8Ktj9Lz3AOAkOtk5Sg"

phase_start=$SECONDS
phase() {  # ends the previous phase (printing its time) and names the next
    local now=$SECONDS
    [[ -n "${phase_name:-}" ]] && log "$phase_name took $((now - phase_start))s"
    phase_name="$1"; phase_start=$now
    [[ -n "$phase_name" ]] && log "$phase_name"
    return 0
}

phase "base image"
podman_setup
if ! image_exists "$BASE_IMAGE"; then
    [[ "$BASE_IMAGE" == localhost/* ]] || "${PODMAN[@]}" pull "$BASE_IMAGE"
    image_exists "$BASE_IMAGE" || "$here/build-base.sh"
else
    log "$BASE_IMAGE exists"
fi
podman_run_setup "$BASE_IMAGE"

phase "podman build $IMAGE"
build_opts=(--network="$BUILD_NETWORK" --build-arg "BASE=$BASE_IMAGE" -t "$IMAGE" -f "$root/Dockerfile")
[[ -s "$PIP_CA_BUNDLE" ]] && build_opts+=(--secret "id=pip_ca,src=$PIP_CA_BUNDLE")
"${PODMAN[@]}" build "${RUN_OPTS[@]}" "${build_opts[@]}" "$root"

phase "checks"
# A fresh named volume, as compose would give: it starts with the image's /data (owned by
# softstart), which a plain tmpfs or host folder would not.
volume="soft-start-check-$$"
container="soft-start-check-run-$$"
trap '"${PODMAN[@]}" rm -f "$container" >/dev/null 2>&1 || true
      "${PODMAN[@]}" volume rm -f "$volume" >/dev/null 2>&1 || true' EXIT
"${PODMAN[@]}" volume create "$volume" >/dev/null
run_in_image() {
    "${PODMAN[@]}" run --rm "${RUN_OPTS[@]}" --network=none --read-only \
        -e "TELEGRAM_BOT_TOKEN=$FAKE_TOKEN" -v "$volume:/data" "$IMAGE" "$@"
}

failed=0
for command in "--version" "check-config --offline" "migrate"; do
    # Not `set -e` here: every check runs and reports, whatever the one before did.
    read -ra arguments <<< "$command"
    set +e
    output="$(run_in_image "${arguments[@]}" 2>&1)"
    status=$?
    set -e
    printf '\n$ soft-start %s   (exit %d)\n%s\n' "$command" "$status" "$output"
    (( status == 0 )) || failed=1
done

# The default command too: `run` must stay up (with no network it keeps retrying Telegram)
# and stop cleanly on the SIGTERM that podman stop and compose send, as PID 1, well within
# the grace period (past it podman kills, and the exit status is 137).
"${PODMAN[@]}" run -d --name "$container" "${RUN_OPTS[@]}" --network=none --read-only \
    -e "TELEGRAM_BOT_TOKEN=$FAKE_TOKEN" -v "$volume:/data" "$IMAGE" >/dev/null
sleep 5
running="$("${PODMAN[@]}" inspect --format '{{.State.Running}}' "$container")"
stop_start=$SECONDS
"${PODMAN[@]}" stop -t 20 "$container" >/dev/null
stop_took=$((SECONDS - stop_start))
status="$("${PODMAN[@]}" inspect --format '{{.State.ExitCode}}' "$container")"
printf '\n$ soft-start run   (up after 5 s: %s; SIGTERM: exit %d after %d s)\n%s\n' \
    "$running" "$status" "$stop_took" "$("${PODMAN[@]}" logs "$container" 2>&1)"
[[ "$running" == true && "$status" == 0 ]] || failed=1

phase ""
size="$("${PODMAN[@]}" image inspect --format '{{.Size}}' "$IMAGE")"
base_size="$("${PODMAN[@]}" image inspect --format '{{.Size}}' "$BASE_IMAGE")"
printf '\nimage %s: %s bytes (%d MB); base %s: %s bytes (%d MB)\n' \
    "$IMAGE" "$size" $((size / 1000000)) "$BASE_IMAGE" "$base_size" $((base_size / 1000000))
if (( failed )); then
    echo "FAILED: a command above exited non-zero"
    exit 1
fi
echo "OK: the image builds and its commands work"
