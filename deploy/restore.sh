#!/usr/bin/env bash
# Restore a backup of deploy/backup.sh into an EMPTY database and file folders.
#
#   deploy/restore.sh BACKUP_DIRECTORY STAMP
#   e.g. deploy/restore.sh backups 20260301T023000Z
#
# Reads DATABASE_URL, PRIVATE_MEDIA_ROOT and MEDIA_ROOT like the portal. The
# checksums are verified first; the database must have no table yet and the
# file folders no file (create an empty database: createdb, or a new PostgreSQL
# volume), so that a restore never mixes two states. Then run
# `python manage.py migrate` (nothing to do when the code is the backup's), empty
# the Redis of the lost state if it is still there (it caches sessions, signed-in
# users and pages of that state) and start the portal. Stop web, workers and beat
# during a restore.
set -euo pipefail

here="$(cd "$(dirname "$0")/.." && pwd)"
src="${1:?usage: deploy/restore.sh BACKUP_DIRECTORY STAMP}"
stamp="${2:?usage: deploy/restore.sh BACKUP_DIRECTORY STAMP}"
: "${DATABASE_URL:?DATABASE_URL must be set (postgres://user:password@host:port/name)}"
private_root="${PRIVATE_MEDIA_ROOT:-$here/var/private}"
media_root="${MEDIA_ROOT:-$here/var/media}"

(cd "$src" && sha256sum --check --quiet "qmi-$stamp.sha256")

tables="$(psql --dbname="$DATABASE_URL" --tuples-only --no-align --command \
  "SELECT count(*) FROM information_schema.tables WHERE table_schema = 'public'")"
if [ "$tables" != "0" ]; then
  echo "The database already has $tables tables: restore into an empty database." >&2
  exit 1
fi
for folder in "$private_root" "$media_root"; do
  if [ -d "$folder" ] && [ -n "$(find "$folder" -mindepth 1 -print -quit)" ]; then
    echo "$folder is not empty: restore into empty folders." >&2
    exit 1
  fi
done

pg_restore --no-owner --no-privileges --exit-on-error --single-transaction \
  --dbname="$DATABASE_URL" "$src/qmi-$stamp.dump"
umask 027
mkdir -p "$private_root" "$media_root"
tar --extract --gzip --file="$src/qmi-$stamp-private.tar.gz" --directory="$private_root" --no-same-owner
tar --extract --gzip --file="$src/qmi-$stamp-media.tar.gz" --directory="$media_root" --no-same-owner
echo "Restored qmi-$stamp into the database and $private_root, $media_root."
echo "Next: python manage.py migrate; empty the Redis of the state before the restore if it is"
echo "still there (redis-cli -u \"\$REDIS_URL\" FLUSHDB: sessions, signed-in users, pages);"
echo "then start the portal."
