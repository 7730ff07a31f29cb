"""The database connection: PostgreSQL keeps the queries a connection runs again prepared."""

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import connection

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def _prepared_statements() -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT statement FROM pg_prepared_statements")
        return [row[0] for row in cursor.fetchall()]


def test_a_query_run_again_is_prepared_with_its_parameters_bound_by_the_server():
    threshold = settings.DATABASES["default"]["OPTIONS"]["prepare_threshold"]
    assert threshold is not None
    user = UserFactory()
    users = get_user_model().objects
    for _ in range(threshold + 1):
        assert users.get(pk=user.pk) == user
    prepared = [sql for sql in _prepared_statements() if '"auth_user"."id" = $1' in sql]
    assert prepared, "the user's query is not prepared"
    # The same prepared query answers for another user: the value is a parameter.
    other = UserFactory()
    assert users.get(pk=other.pk) == other


def test_more_rows_than_a_query_may_carry_parameters_are_inserted_and_deleted():
    """70,000 outbox mails: written and deleted (with what refers to them) in batches."""
    from notifications.models import OutgoingMail

    count = 70_000
    assert count > connection.features.max_query_params
    OutgoingMail.objects.bulk_create(
        OutgoingMail(
            template_code="bulk",
            occurrence_key=f"bulk:{number}",
            recipient="someone@example.org",
            language="fr",
            subject="Objet",
            body="Texte",
        )
        for number in range(count)
    )

    assert OutgoingMail.objects.count() == count
    deleted, _ = OutgoingMail.objects.all().delete()

    assert deleted >= count
    assert not OutgoingMail.objects.exists()
