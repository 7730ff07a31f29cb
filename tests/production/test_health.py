"""/health: database, broker and a recent worker heartbeat, as JSON, 200 or 503."""

import time

import pytest
from django.core.cache import cache

from qmi_portal.health import HEARTBEAT_KEY, heartbeat

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _no_heartbeat(settings):
    for queue in settings.HEALTH_WORKER_QUEUES:
        cache.delete(HEARTBEAT_KEY.format(queue=queue))
    yield
    for queue in settings.HEALTH_WORKER_QUEUES:
        cache.delete(HEARTBEAT_KEY.format(queue=queue))


def _beat_all(settings, seconds_ago=0):
    for queue in settings.HEALTH_WORKER_QUEUES:
        heartbeat(queue)
        if seconds_ago:
            cache.set(HEARTBEAT_KEY.format(queue=queue), time.time() - seconds_ago)


def test_health_is_ok_with_database_broker_and_recent_heartbeats(client, settings):
    _beat_all(settings)

    response = client.get("/health")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert "no-cache" in response["Cache-Control"]
    report = response.json()
    assert report["status"] == "ok"
    assert {name: check["ok"] for name, check in report["checks"].items()} == {
        "database": True,
        "broker": True,
        "worker": True,
    }
    ages = report["checks"]["worker"]["last_heartbeat_seconds_ago"]
    assert set(ages) == {"celery", "mail", "pdf"}
    assert all(0 <= age < 5 for age in ages.values())


def test_health_fails_when_a_queue_has_no_recent_heartbeat(client, settings):
    _beat_all(settings)
    cache.set(HEARTBEAT_KEY.format(queue="pdf"), time.time() - settings.HEALTH_WORKER_MAX_AGE - 5)

    response = client.get("/health")

    assert response.status_code == 503
    report = response.json()
    assert report["status"] == "failing"
    assert report["checks"]["worker"]["ok"] is False
    assert "pdf" in report["checks"]["worker"]["error"]
    assert report["checks"]["database"]["ok"] is True


def test_health_fails_without_any_heartbeat(client):
    response = client.get("/health")
    assert response.status_code == 503
    assert "celery" in response.json()["checks"]["worker"]["error"]


def test_health_fails_when_the_broker_does_not_answer(client, settings):
    _beat_all(settings)
    settings.CELERY_BROKER_URL = "redis://127.0.0.1:1/0"

    response = client.get("/health")

    assert response.status_code == 503
    report = response.json()
    assert report["checks"]["broker"]["ok"] is False
    assert "Connection" in report["checks"]["broker"]["error"]
    assert report["checks"]["worker"]["ok"] is True


def test_health_is_outside_the_language_prefix_and_answers_only_get(client):
    assert client.post("/health").status_code == 405
    assert client.get("/fr/health").status_code == 404


def test_health_costs_one_query(client, settings, django_assert_num_queries):
    _beat_all(settings)
    with django_assert_num_queries(1):
        client.get("/health")


def test_heartbeats_are_scheduled_on_every_queue_by_beat(settings):
    schedule = settings.CELERY_BEAT_SCHEDULE
    entries = [entry for entry in schedule.values() if entry["task"].endswith("heartbeat")]
    assert {entry["options"]["queue"] for entry in entries} == set(settings.HEALTH_WORKER_QUEUES)
    assert {entry["args"][0] for entry in entries} == set(settings.HEALTH_WORKER_QUEUES)
