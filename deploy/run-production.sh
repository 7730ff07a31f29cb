#!/usr/bin/env bash
# Run the portal as in production, without Docker: gunicorn, a Celery worker
# and Celery beat on PostgreSQL and Redis, in the foreground. Ctrl-C (or
# SIGTERM) stops all three; if one stops, the others are stopped too.
#
#   DATABASE_URL=postgres://… REDIS_URL=redis://… SECRET_KEY=… \
#   ALLOWED_HOSTS=qmi.example.org SITE_URL=https://qmi.example.org \
#   deploy/run-production.sh
#
# Before starting: migrations applied (the one-shot step), translations
# compiled when msgfmt is there, static files collected. Settings come from
# the environment or .env, as always (README, "Configuration"). For a plain
# HTTP try on this machine, SITE_URL=http://127.0.0.1:8000 turns the HTTPS
# settings off. GUNICORN_BIND (default 127.0.0.1:8000), WEB_CONCURRENCY,
# WORKER_QUEUES (default celery,mail,pdf), WORKER_CONCURRENCY (default 2),
# STOP_TIMEOUT (default 30): seconds the three have to stop before they are
# killed, as systemd and Docker do (a task cut short is delivered again).
set -euo pipefail

cd "$(dirname "$0")/.."
python="${PYTHON:-.venv/bin/python}"
bin="$(dirname "$python")"
export DEBUG="${DEBUG:-false}"
export GUNICORN_BIND="${GUNICORN_BIND:-127.0.0.1:8000}"
export STATICFILES_STORAGE="${STATICFILES_STORAGE:-qmi_portal.staticfiles.StaticFilesStorage}"

"$python" manage.py migrate --noinput
if command -v msgfmt >/dev/null; then
  "$python" manage.py compilemessages --ignore=.venv --verbosity 0
fi
"$python" manage.py collectstatic --noinput --verbosity 0

# Each process runs in its own session (setsid): a signal to this script's
# process group (Ctrl-C, kill -- -PGID) reaches only this script, which passes
# one SIGTERM to each. Celery beat must not get two: a second SIGTERM arriving
# while it saves its schedule re-enters the save and deadlocks on its database
# connection. (Under systemd, use KillMode=mixed.)
pids=()
running() {
  # Not yet exited (an exited child stays a zombie, state Z, until waited for).
  local stat
  stat="$(cat "/proc/$1/stat" 2>/dev/null)" || return 1
  stat="${stat##*) }"
  [ "${stat:0:1}" != "Z" ]
}
stop() {
  trap - TERM INT
  kill -TERM "${pids[@]}" 2>/dev/null || true
  local tick left=()
  for ((tick = 0; tick <= ${STOP_TIMEOUT:-30} * 5; tick++)); do  # every 0.2 s
    left=()
    for pid in "${pids[@]}"; do running "$pid" && left+=("$pid"); done
    [ ${#left[@]} -eq 0 ] && break
    sleep 0.2
  done
  if [ ${#left[@]} -ne 0 ]; then
    echo "Not stopped after ${STOP_TIMEOUT:-30} s, killed with their children: ${left[*]}" >&2
    for pid in "${left[@]}"; do kill -KILL -- "-$pid" 2>/dev/null || true; done
  fi
  wait "${pids[@]}" 2>/dev/null || true
}
trap 'stop; exit 0' TERM INT

setsid "$bin/gunicorn" --config deploy/gunicorn.conf.py qmi_portal.wsgi &
pids+=($!)
setsid "$bin/celery" --app=qmi_portal worker --queues="${WORKER_QUEUES:-celery,mail,pdf}" \
  --concurrency="${WORKER_CONCURRENCY:-2}" --hostname="worker@%h" --loglevel=INFO &
pids+=($!)
setsid "$bin/celery" --app=qmi_portal beat --loglevel=INFO --pidfile= &
pids+=($!)
echo "QMI portal: gunicorn on $GUNICORN_BIND, Celery worker and beat (pids ${pids[*]})."

# The first to stop stops the others: a half-running portal is worse than none.
status=0
wait -n "${pids[@]}" || status=$?
echo "A process of the portal stopped (status $status): stopping the others." >&2
stop
exit "$status"
