"""deploy/backup.sh and deploy/restore.sh: dump, restore into an empty database, find it all."""

import hashlib
import subprocess
from pathlib import Path

import psycopg
import pytest

from tests.factories import ApplicationFactory, AttachmentFactory, png_bytes

from .conftest import ROOT, database_url, production_environment


def _script(name, *args, env):
    return subprocess.run(  # noqa: S603 - our own scripts
        ["/bin/bash", str(ROOT / "deploy" / name), *map(str, args)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_backup_then_restore_into_an_empty_database_finds_the_data_back(
    scratch_database, settings, tmp_path
):
    # Committed data, as pg_dump sees it: an application and its two files.
    application = ApplicationFactory(organisation_name="Bancs Frais SAS")
    image = AttachmentFactory(application=application, kind="image", content=png_bytes((3, 3)))
    files = {
        attachment.file.name: hashlib.sha256(Path(attachment.file.path).read_bytes()).hexdigest()
        for attachment in application.attachments.all()
    }
    assert len(files) == 2
    media = tmp_path / "media"
    (media / "partners").mkdir(parents=True)
    (media / "partners" / "logo.png").write_bytes(png_bytes())
    backups = tmp_path / "backups"
    source = production_environment(
        DATABASE_URL=database_url(),
        PRIVATE_MEDIA_ROOT=settings.PRIVATE_MEDIA_ROOT,
        MEDIA_ROOT=media,
    )

    backup = _script("backup.sh", backups, env=source)

    assert backup.returncode == 0, backup.stderr
    [dump] = backups.glob("qmi-*.dump")
    stamp = dump.stem.removeprefix("qmi-")
    assert {path.name for path in backups.iterdir()} == {
        f"qmi-{stamp}.dump",
        f"qmi-{stamp}.sha256",
        f"qmi-{stamp}-private.tar.gz",
        f"qmi-{stamp}-media.tar.gz",
    }
    assert oct(dump.stat().st_mode & 0o777) == "0o600"  # backups hold personal data

    # Into an empty database and empty folders, as on a new server.
    restored_db = scratch_database("restore")
    restored_private = tmp_path / "restored-private"
    restored_media = tmp_path / "restored-media"
    target = production_environment(
        DATABASE_URL=database_url(restored_db),
        PRIVATE_MEDIA_ROOT=restored_private,
        MEDIA_ROOT=restored_media,
    )

    restore = _script("restore.sh", backups, stamp, env=target)

    assert restore.returncode == 0, restore.stderr
    with psycopg.connect(database_url(restored_db)) as connection:
        row = connection.execute(
            "SELECT organisation_name, uuid::text FROM calls_application WHERE id = %s",
            [application.pk],
        ).fetchone()
        names = dict(
            connection.execute(
                "SELECT file, sha256 FROM calls_attachment WHERE application_id = %s",
                [application.pk],
            ).fetchall()
        )
        migrations = connection.execute("SELECT count(*) FROM django_migrations").fetchone()[0]
    assert row == ("Bancs Frais SAS", str(application.uuid))
    assert names[image.file.name] == image.sha256
    assert migrations > 10
    for name, digest in files.items():
        assert hashlib.sha256((restored_private / name).read_bytes()).hexdigest() == digest
    assert (restored_media / "partners" / "logo.png").read_bytes() == png_bytes()

    # A second restore would mix two states: refused.
    again = _script("restore.sh", backups, stamp, env=target)
    assert again.returncode != 0
    assert "empty database" in again.stderr


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_restore_refuses_a_damaged_backup(scratch_database, settings, tmp_path):
    backups = tmp_path / "backups"
    source = production_environment(
        DATABASE_URL=database_url(),
        PRIVATE_MEDIA_ROOT=settings.PRIVATE_MEDIA_ROOT,
        MEDIA_ROOT=tmp_path / "media",
    )
    assert _script("backup.sh", backups, env=source).returncode == 0
    [dump] = backups.glob("qmi-*.dump")
    with dump.open("r+b") as damaged:
        damaged.seek(200)
        damaged.write(b"\x00" * 16)
    target = production_environment(
        DATABASE_URL=database_url(scratch_database("damaged")),
        PRIVATE_MEDIA_ROOT=tmp_path / "p",
        MEDIA_ROOT=tmp_path / "m",
    )

    restore = _script("restore.sh", backups, dump.stem.removeprefix("qmi-"), env=target)

    assert restore.returncode != 0
    assert "FAILED" in restore.stdout + restore.stderr
