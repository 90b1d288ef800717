# Production image: gunicorn + Django (production settings), static files collected at build time.

# KaTeX's CSS, fonts and katex.min.js (server-side rendering) come from npm, exactly as locked.
FROM node:22-bookworm-slim AS assets
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
# The note editor's bundle (frontend/editor -> frontend/dist, esbuild is a devDependency);
# then only the runtime packages stay for the image.
COPY frontend/editor ./frontend/editor
RUN npm run build && npm prune --omit=dev --no-audit --no-fund

# The translations (locale/*/LC_MESSAGES/*.po) compiled to .mo files with GNU gettext, as
# `manage.py compilemessages` does (msgfmt --check-format), in a stage of their own: the image
# itself needs no gettext. The .mo files are not in git.
FROM python:3.12-slim-bookworm AS messages
RUN apt-get update \
    && apt-get install -y --no-install-recommends gettext \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY locale locale
RUN for po in locale/*/LC_MESSAGES/*.po; do \
        msgfmt --check-format -o "${po%.po}.mo" "$po" || exit 1; \
    done

FROM python:3.12-slim-bookworm
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    DJANGO_SETTINGS_MODULE=notes_site.settings.production
WORKDIR /app

# pg_dump/pg_restore for `manage.py backup`/`restore` must be at least the server's major version
# (compose runs postgres:16; Debian 12 ships 15): the client from the PostgreSQL apt repository.
ARG PG_MAJOR=16
RUN apt-get update \
    && apt-get install -y --no-install-recommends ca-certificates postgresql-common \
    && /usr/share/postgresql-common/pgdg/apt.postgresql.org.sh -y \
    && apt-get install -y --no-install-recommends "postgresql-client-$PG_MAJOR" \
    && rm -rf /var/lib/apt/lists/*

# Dependencies first, so code changes reuse this layer: exactly the locked runtime packages,
# hash-checked (requirements/base.txt, written by bin/upgrade). The project itself needs no
# install: it runs from /app.
COPY requirements/base.txt requirements/base.txt
RUN pip install --no-cache-dir --require-hashes --no-deps -r requirements/base.txt \
    && pip check

COPY --from=assets /app/node_modules ./node_modules
COPY . .
COPY --from=messages /app/locale ./locale
COPY --from=assets /app/frontend/dist ./frontend/dist

# Production settings refuse to load without these; build-only placeholders, not secrets.
# They exist for this one command and are not kept in the image's environment.
RUN SECRET_KEY=build-only-placeholder ALLOWED_HOSTS=localhost DATABASE_URL=sqlite:////tmp/build.sqlite3 \
    SEARCH_WARM_UP=false python manage.py collectstatic --noinput \
    && rm -f /tmp/build.sqlite3

RUN useradd --system --uid 10001 --home-dir /app --no-create-home app \
    && mkdir -p /app/media /backups && chown app /app/media /backups
USER app
EXPOSE 8000
CMD ["bin/entrypoint"]
