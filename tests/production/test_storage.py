"""Files on S3-compatible storage when configured: STORAGES is switched by variables.

No object storage runs here: these tests check what each process builds from
its environment (the class, bucket, prefix and privacy of each storage).
"""

import json

from .conftest import manage, production_environment

SETTINGS = {"SITE_URL": "https://qmi.example.org", "ALLOWED_HOSTS": "qmi.example.org"}
DESCRIBE = (
    "import json\n"
    "from django.core.files.storage import storages\n"
    "from calls.models import Attachment\n"
    "def describe(storage):\n"
    "    return {'class': type(storage).__name__,\n"
    "            'bucket': getattr(storage, 'bucket_name', None),\n"
    "            'location': getattr(storage, 'location', None),\n"
    "            'signed': getattr(storage, 'querystring_auth', None),\n"
    "            'acl': getattr(storage, 'default_acl', None)}\n"
    "field = Attachment._meta.get_field('file').storage\n"
    "field = getattr(field, '_wrapped', field)\n"
    "print(json.dumps({'default': describe(storages['default']),\n"
    "                  'private': describe(storages['private']),\n"
    "                  'attachments': type(field).__name__}))\n"
)


def _storages(**environment):
    result = manage("shell", "-c", DESCRIBE, env=production_environment(**SETTINGS, **environment))
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_files_stay_on_disk_without_a_bucket(tmp_path):
    described = _storages(PRIVATE_MEDIA_ROOT=tmp_path / "private")
    assert described["default"]["class"] == "FileSystemStorage"
    assert described["private"]["class"] == "PrivateStorage"
    assert described["private"]["location"] == str(tmp_path / "private")
    assert described["attachments"] == "PrivateStorage"


def test_files_go_to_s3_compatible_storage_when_a_bucket_is_set():
    described = _storages(
        S3_BUCKET="qmi-files",
        S3_PRIVATE_BUCKET="qmi-private",
        S3_ENDPOINT_URL="https://s3.fr-par.example.org",
        S3_ACCESS_KEY_ID="key",
        S3_SECRET_ACCESS_KEY="secret",
    )
    assert described["default"] == {
        "class": "S3Storage",
        "bucket": "qmi-files",
        "location": "media",
        "signed": False,
        "acl": None,
    }
    assert described["private"] == {
        "class": "S3Storage",
        "bucket": "qmi-private",
        "location": "private",
        "signed": True,
        "acl": "private",
    }
    # Applicants' files follow: the attachments' field uses the private storage.
    assert described["attachments"] == "S3Storage"
