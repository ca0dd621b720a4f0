# The Liang Wenfeng FAQ bot: Discord and Telegram adapters in one process.
#   docker build -t liang-faq-bot .
#   docker compose up -d          (compose.yaml; settings in .env, see .env.example)
# No secret is ever copied or passed as a build argument: tokens come from the environment at
# run time only (.dockerignore keeps .env out of the build context).

ARG PYTHON_IMAGE=python:3.11-slim-bookworm

# --- build: a virtualenv with the pinned dependencies and the bot ----------------------------
FROM ${PYTHON_IMAGE} AS build
WORKDIR /src
COPY requirements/ requirements/
COPY docker/install.sh docker/install.sh
RUN --mount=type=cache,target=/root/.cache/pip sh docker/install.sh /opt/venv /src deps
COPY pyproject.toml README.md LICENSE ./
COPY bot/ bot/
COPY adapters/ adapters/
RUN --mount=type=cache,target=/root/.cache/pip sh docker/install.sh /opt/venv /src app

# --- runtime: slim, non-root, content baked in, data in a volume -----------------------------
FROM ${PYTHON_IMAGE} AS runtime
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PATH=/opt/venv/bin:$PATH \
    BOT_CONTENT=/app/content \
    BOT_DATA_DIR=/data
RUN groupadd --system --gid 10001 bot \
    && useradd --system --uid 10001 --gid bot --home-dir /app --shell /usr/sbin/nologin bot \
    && mkdir -p /data && chown bot:bot /data
COPY --from=build /opt/venv /opt/venv
# The shipped content; mount your own folder over /app/content (or set BOT_CONTENT) to replace
# it. Edits to a mounted folder are picked up live (BOT_RELOAD_INTERVAL).
COPY content/ /app/content/
WORKDIR /app
USER bot
VOLUME ["/data"]
# Telegram webhook mode listens here (TELEGRAM_PORT); polling and Discord need no open port.
EXPOSE 8443
# The bot finishes the replies in flight and closes its database on SIGTERM.
STOPSIGNAL SIGTERM
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
    CMD ["python", "-m", "bot", "health"]
ENTRYPOINT ["python", "-m", "bot"]
CMD ["run"]
