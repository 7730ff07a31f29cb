#!/usr/bin/env bash
# Back up the QMI portal: the PostgreSQL database and the uploaded files.
#
#   deploy/backup.sh [DIRECTORY]            (default: ./backups)
#
# Reads DATABASE_URL (postgres://user:password@host:port/name), PRIVATE_MEDIA_ROOT
# (applicants' files, default var/private) and MEDIA_ROOT (public media, default
# var/media), like the portal. Writes, with one UTC time stamp:
#   qmi-<stamp>.dump               pg_dump's custom format (pg_restore reads it)
#   qmi-<stamp>-private.tar.gz     the applicants' files
#   qmi-<stamp>-media.tar.gz       the public media
#   qmi-<stamp>.sha256             their checksums
# and removes backups older than BACKUP_KEEP_DAYS days (default 30; 0 keeps all).
# The database is dumped first: a file deleted during the backup may then be
# missing for a row, never the other way round for a file being uploaded.
# Restore with deploy/restore.sh. With Docker: docker compose --profile tools run --rm backup
set -euo pipefail

here="$(cd "$(dirname "$0")/.." && pwd)"
dest="${1:-${BACKUP_DIR:-$here/backups}}"
: "${DATABASE_URL:?DATABASE_URL must be set (postgres://user:password@host:port/name)}"
private_root="${PRIVATE_MEDIA_ROOT:-$here/var/private}"
media_root="${MEDIA_ROOT:-$here/var/media}"
keep_days="${BACKUP_KEEP_DAYS:-30}"
stamp="$(date -u +%Y%m%dT%H%M%SZ)"

umask 077
mkdir -p "$dest"
dump="$dest/qmi-$stamp.dump"

pg_dump --format=custom --no-owner --no-privileges --file="$dump.partial" --dbname="$DATABASE_URL"
mv "$dump.partial" "$dump"

archive() {  # archive NAME FOLDER: a tar of the folder's content (empty when it does not exist)
  local target="$dest/qmi-$stamp-$1.tar.gz"
  if [ -d "$2" ]; then
    tar --create --gzip --file="$target.partial" --directory="$2" .
  else
    tar --create --gzip --file="$target.partial" --files-from=/dev/null
  fi
  mv "$target.partial" "$target"
}
archive private "$private_root"
archive media "$media_root"

(cd "$dest" && sha256sum "qmi-$stamp.dump" "qmi-$stamp-private.tar.gz" "qmi-$stamp-media.tar.gz" >"qmi-$stamp.sha256")

if [ "$keep_days" -gt 0 ]; then
  find "$dest" -maxdepth 1 -type f -name 'qmi-*' -mtime +"$keep_days" -delete
fi
echo "Backup written: $dest/qmi-$stamp.{dump,sha256} and qmi-$stamp-{private,media}.tar.gz"
