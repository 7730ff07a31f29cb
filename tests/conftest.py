import pytest
from django.utils import translation


@pytest.fixture(autouse=True)
def _french_by_default():
    """Each test starts in the portal's default language, French."""
    with translation.override("fr"):
        yield


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    """The real hasher costs ~0.7 s per user; tests check access, not hashing."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _private_files_in_tmp(settings, tmp_path):
    """Applicants' files of a test go to its own folder, never to var/private."""
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"


@pytest.fixture
def staff_user(db):
    from tests.factories import StaffUserFactory

    return StaffUserFactory(username="staff")


@pytest.fixture
def staff_client(client, staff_user):
    client.force_login(staff_user)
    return client
