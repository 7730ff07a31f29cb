# The QMI portal's image: web (gunicorn), worker and beat (Celery) run from it.
# Build: docker compose build   (see README, "Deploy").
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    STATIC_ROOT=/app/staticfiles \
    STATICFILES_STORAGE=qmi_portal.staticfiles.StaticFilesStorage \
    MEDIA_ROOT=/data/media \
    PRIVATE_MEDIA_ROOT=/data/private \
    EMAIL_FILE_PATH=/data/mail

# WeasyPrint's libraries (Pango, HarfBuzz) and fonts for the PDF reports;
# gettext to compile the translations; the PostgreSQL client for deploy/backup.sh;
# tini to pass signals to gunicorn and Celery.
RUN apt-get update \
    && apt-get install -y --no-install-recommends \
        libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz0b libharfbuzz-subset0 \
        libffi8 libjpeg62-turbo libopenjp2-7 shared-mime-info \
        fonts-dejavu-core fonts-liberation fonts-noto-core \
        gettext postgresql-client tini \
    && rm -rf /var/lib/apt/lists/*

# A user without privileges runs everything.
RUN groupadd --system --gid 1000 qmi \
    && useradd --system --uid 1000 --gid qmi --home-dir /app --shell /usr/sbin/nologin qmi \
    && mkdir -p /app/var /app/staticfiles /data/media /data/private /data/mail /backups \
    && chown -R qmi:qmi /app /data /backups

WORKDIR /app
COPY requirements.txt ./
RUN pip install -r requirements.txt

COPY --chown=qmi:qmi . .
USER qmi

# Translations and static files are part of the image (whitenoise serves them).
# DEBUG only for these two build commands, which need no secret.
RUN DEBUG=true python manage.py compilemessages --ignore=.venv --verbosity 0 \
    && DEBUG=true python manage.py collectstatic --noinput --verbosity 0

EXPOSE 8000
ENTRYPOINT ["/usr/bin/tini", "--"]
CMD ["gunicorn", "--config", "deploy/gunicorn.conf.py", "qmi_portal.wsgi"]
