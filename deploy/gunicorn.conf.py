"""gunicorn's settings for the portal, from the environment (docker-compose and run-production.sh).

GUNICORN_BIND (default 0.0.0.0:8000), WEB_CONCURRENCY (processes, default
2 x cores + 1, at most 8), GUNICORN_THREADS (default 2), GUNICORN_TIMEOUT
(seconds, default 60), FORWARDED_ALLOW_IPS (the proxies trusted for
X-Forwarded-Proto, default 127.0.0.1). Access logs go to standard output,
as JSON lines when LOG_FORMAT=json.
"""

import multiprocessing
import os

# Inside a container, on every interface; run-production.sh binds 127.0.0.1.
bind = os.environ.get("GUNICORN_BIND", "0.0.0.0:8000")
workers = int(os.environ.get("WEB_CONCURRENCY", min(2 * multiprocessing.cpu_count() + 1, 8)))
threads = int(os.environ.get("GUNICORN_THREADS", "2"))
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "60"))
graceful_timeout = 30
keepalive = 5
# A worker is replaced after this many requests: a slow leak never grows for ever.
max_requests = 1000
max_requests_jitter = 100
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
# Heartbeat files in memory, not on the container's disk.
worker_tmp_dir = "/dev/shm" if os.path.isdir("/dev/shm") else None  # noqa: S108
accesslog = "-"
errorlog = "-"
loglevel = os.environ.get("LOG_LEVEL", "info").lower()
if os.environ.get("LOG_FORMAT") == "json":
    access_log_format = (
        '{"time": "%(t)s", "logger": "gunicorn.access", "remote": "%(h)s", '
        '"method": "%(m)s", "path": "%(U)s", "status": %(s)s, "bytes": "%(B)s", '
        '"duration_ms": %(M)s}'
    )
