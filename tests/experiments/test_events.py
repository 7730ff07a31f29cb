"""Programme events: seats and waiting list, cancellation by link, attendance, pages, .ics.

Registrations race for the last seat on real PostgreSQL connections; mails are
read from the outbox, then sent to Django's test outbox.
"""

import datetime as dt
import re
import threading
import time
from html import unescape
from zoneinfo import ZoneInfo

import icalendar
import pytest
from django.core import mail
from django.core.cache import cache
from django.db import connection, transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext, ngettext

from experiments.enums import EventKind
from experiments.enums import RegistrationStatus as R
from experiments.models import EventRegistration
from experiments.services.events import (
    RESEND_AFTER,
    EventRegistrationError,
    RegistrationClosed,
    event_cancel_registration,
    event_fill_from_waiting_list,
    event_register,
    registration_set_attendance,
)
from notifications.models import OutgoingMail
from notifications.services import mails_send_queued
from qmi_portal.cache import STATUS_HEADER
from tests.factories import (
    EventRegistrationFactory,
    ExperimentFactory,
    MunicipalityFactory,
    MunicipalityMembershipFactory,
    ProgrammeEventFactory,
    StaffUserFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

PARIS = ZoneInfo("Europe/Paris")
ROWS = [1, 3]
LIST_QUERIES = 2  # events with their seats taken, their towns
DETAIL_QUERIES = 2  # the event with its seats taken, its towns


@pytest.fixture(autouse=True)
def _empty_cache():
    """Public pages are cached in Redis: each test starts from nothing."""
    cache.clear()
    yield
    cache.clear()


def _register(event, email="ada@example.org", **kwargs):
    kwargs.setdefault("name", "Ada Lovelace")
    kwargs.setdefault("language", "fr")
    return event_register(event=event, email=email, **kwargs)


def _mails(registration):
    return list(
        OutgoingMail.objects.filter(
            occurrence_key__startswith=f"event_registration:{registration.pk}:"
        ).order_by("pk")
    )


def _html(response) -> str:
    """The page as a reader sees its text: entities decoded."""
    assert response.status_code == 200
    return unescape(response.content.decode())


def _path(url):
    return re.sub(r"^https?://[^/]+", "", url)


def _seats_left(count) -> str:
    return ngettext("%(counter)s seat left", "%(counter)s seats left", count) % {"counter": count}


def _started(event, minutes=10):
    """Move an event so that it started `minutes` ago."""
    event.starts_at = timezone.now() - dt.timedelta(minutes=minutes)
    event.ends_at = event.starts_at + dt.timedelta(hours=2)
    event.save()
    return event


# Registration: seats and waiting list.


def test_event_register_takes_a_seat_and_queues_its_confirmation():
    event = ProgrammeEventFactory(capacity=2, title_fr="Webinaire QMI", title_en="QMI webinar")

    registration = _register(event, email=" Ada@Example.org ", language="en")

    assert registration.status == R.REGISTERED
    assert registration.email == "Ada@Example.org"
    [queued] = _mails(registration)
    assert queued.template_code == "event_registration_confirmed"
    assert queued.recipient == "Ada@Example.org"
    assert queued.subject == "Registration confirmed: QMI webinar"
    assert f"/en/events/registrations/{registration.cancel_token}/cancel/" in queued.body
    assert f"/en/events/{event.uuid}/calendar.ics" in queued.body


def test_event_register_waiting_list_once_full():
    event = ProgrammeEventFactory(capacity=2)
    first, second = _register(event, "a@example.org"), _register(event, "b@example.org")

    third = _register(event, "c@example.org")

    assert [first.status, second.status, third.status] == [
        R.REGISTERED,
        R.REGISTERED,
        R.WAITING_LIST,
    ]
    assert [mail.template_code for mail in _mails(third)] == ["event_registration_waiting_list"]


def test_event_register_cancelled_seats_do_not_count():
    event = ProgrammeEventFactory(capacity=1)
    EventRegistrationFactory(event=event, status=R.CANCELLED)

    assert _register(event).status == R.REGISTERED


def test_event_register_without_capacity_has_no_limit():
    event = ProgrammeEventFactory(capacity=None)
    EventRegistrationFactory.create_batch(5, event=event)

    assert _register(event).status == R.REGISTERED


def test_event_register_same_email_returns_the_existing_registration():
    event = ProgrammeEventFactory(capacity=1)
    first = _register(event, "ada@example.org", name="Ada")

    again = _register(event, "ADA@example.ORG", name="Someone else", language="en")

    assert again.pk == first.pk
    assert EventRegistration.objects.filter(event=event).count() == 1
    first.refresh_from_db()
    assert (first.name, first.language) == ("Ada", "fr")
    assert len(_mails(first)) == 1  # no second mail within RESEND_AFTER


def test_event_register_same_email_mails_again_after_a_while():
    event = ProgrammeEventFactory(capacity=1)
    _register(event, "b@example.org")
    waiting = _register(event, "ada@example.org")

    _register(event, "ada@example.org", now=timezone.now() + RESEND_AFTER + dt.timedelta(minutes=1))

    assert [mail.template_code for mail in _mails(waiting)] == [
        "event_registration_waiting_list",
        "event_registration_waiting_list",
    ]
    assert EventRegistration.objects.get(pk=waiting.pk).status == R.WAITING_LIST


def test_event_register_after_cancelling_goes_to_the_back_of_the_queue():
    event = ProgrammeEventFactory(capacity=1)
    ada = _register(event, "ada@example.org")
    bob = _register(event, "bob@example.org")
    event_cancel_registration(registration=ada)
    carl = _register(event, "carl@example.org")

    again = _register(event, "ada@example.org")

    assert again.pk == ada.pk
    bob.refresh_from_db()
    carl.refresh_from_db()
    assert (bob.status, carl.status, again.status) == (R.REGISTERED, R.WAITING_LIST, R.WAITING_LIST)
    assert again.registered_at > carl.registered_at
    assert again.cancelled_at is None


@pytest.mark.parametrize("minutes", [0, 30, 24 * 60])
def test_event_register_closed_once_the_event_started(minutes):
    event = _started(ProgrammeEventFactory(), minutes=minutes)

    with pytest.raises(RegistrationClosed):
        _register(event)

    assert not EventRegistration.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_event_register_waits_for_a_registration_in_progress():
    """The second registration blocks on the event's row until the first commits.

    Without the lock it would count no seat taken (the first is not committed
    yet) and take the last seat too.
    """
    event = ProgrammeEventFactory(capacity=1)
    first_in = threading.Event()
    statuses, errors = {}, []

    def first():
        try:
            with transaction.atomic():
                statuses["first"] = _register(event, "first@example.org").status
                first_in.set()
                time.sleep(1)
        except Exception as error:  # pragma: no cover - reported below
            errors.append(error)
        finally:
            first_in.set()
            connection.close()

    def second():
        try:
            first_in.wait(timeout=5)
            statuses["second"] = _register(event, "second@example.org").status
        except Exception as error:  # pragma: no cover - reported below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    assert statuses == {"first": R.REGISTERED, "second": R.WAITING_LIST}
    assert EventRegistration.objects.filter(status=R.REGISTERED).count() == 1


@pytest.mark.django_db(transaction=True)
def test_event_register_concurrent_never_overbooks():
    event = ProgrammeEventFactory(capacity=2)
    barrier = threading.Barrier(5)
    errors = []

    def register(number):
        try:
            barrier.wait(timeout=5)
            _register(event, f"person{number}@example.org")
        except Exception as error:  # pragma: no cover - reported below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=register, args=(number,)) for number in range(5)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    statuses = sorted(EventRegistration.objects.values_list("status", flat=True))
    assert statuses == [R.REGISTERED] * 2 + [R.WAITING_LIST] * 3


# Cancellation and the waiting list.


def test_event_cancel_registration_promotes_the_first_waiting_with_a_mail():
    event = ProgrammeEventFactory(capacity=1, title_fr="Marche sensible")
    ada = _register(event, "ada@example.org")
    bob = _register(event, "bob@example.org", name="Bob", language="fr")
    carl = _register(event, "carl@example.org")
    mail.outbox.clear()

    event_cancel_registration(registration=ada)

    ada.refresh_from_db()
    bob.refresh_from_db()
    carl.refresh_from_db()
    assert (ada.status, bob.status, carl.status) == (R.CANCELLED, R.REGISTERED, R.WAITING_LIST)
    assert ada.cancelled_at is not None
    assert [queued.template_code for queued in _mails(bob)] == [
        "event_registration_waiting_list",
        "event_registration_promoted",
    ]
    mails_send_queued()
    [promoted] = [message for message in mail.outbox if message.to == ["bob@example.org"]][-1:]
    assert promoted.subject == "Une place s'est libérée : Marche sensible"
    assert "Bonjour Bob" in promoted.body
    assert f"/fr/events/registrations/{bob.cancel_token}/cancel/" in promoted.body


def test_event_cancel_registration_from_the_waiting_list_promotes_nobody():
    event = ProgrammeEventFactory(capacity=1)
    ada = _register(event, "ada@example.org")
    bob = _register(event, "bob@example.org")
    carl = _register(event, "carl@example.org")

    event_cancel_registration(registration=bob)

    ada.refresh_from_db()
    carl.refresh_from_db()
    assert (ada.status, carl.status) == (R.REGISTERED, R.WAITING_LIST)
    assert [queued.template_code for queued in _mails(carl)] == ["event_registration_waiting_list"]


def test_event_cancel_registration_twice_changes_nothing():
    event = ProgrammeEventFactory(capacity=1)
    ada = _register(event, "ada@example.org")
    bob = _register(event, "bob@example.org")
    event_cancel_registration(registration=ada)
    cancelled_at = EventRegistration.objects.get(pk=ada.pk).cancelled_at

    event_cancel_registration(registration=ada)

    assert EventRegistration.objects.get(pk=ada.pk).cancelled_at == cancelled_at
    assert len(_mails(bob)) == 2


def test_event_cancel_registration_refused_once_started():
    event = ProgrammeEventFactory(capacity=1)
    ada = _register(event)
    _started(event)

    with pytest.raises(RegistrationClosed):
        event_cancel_registration(registration=ada)

    assert EventRegistration.objects.get(pk=ada.pk).status == R.REGISTERED


def test_event_fill_from_waiting_list_after_more_seats():
    event = ProgrammeEventFactory(capacity=1)
    registrations = [_register(event, f"p{number}@example.org") for number in range(4)]
    event.capacity = 3
    event.save()

    promoted = event_fill_from_waiting_list(event=event)

    assert [registration.pk for registration in promoted] == [r.pk for r in registrations[1:3]]
    statuses = [EventRegistration.objects.get(pk=r.pk).status for r in registrations]
    assert statuses == [R.REGISTERED, R.REGISTERED, R.REGISTERED, R.WAITING_LIST]


# Attendance.


def test_registration_set_attendance_once_started():
    event = ProgrammeEventFactory()
    registration = EventRegistrationFactory(event=event)
    _started(event)

    registration_set_attendance(registration=registration, attended=True)

    assert EventRegistration.objects.get(pk=registration.pk).attended is True


def test_registration_set_attendance_refused_before_the_event():
    registration = EventRegistrationFactory()

    with pytest.raises(
        EventRegistrationError,
        match=re.escape(gettext("Attendance can be recorded once the event has started.")),
    ):
        registration_set_attendance(registration=registration, attended=True)

    assert EventRegistration.objects.get(pk=registration.pk).attended is None


@pytest.mark.parametrize("status", [R.WAITING_LIST, R.CANCELLED])
def test_registration_set_attendance_refused_without_a_seat(status):
    registration = EventRegistrationFactory(status=status, event=_started(ProgrammeEventFactory()))

    with pytest.raises(
        EventRegistrationError,
        match=re.escape(gettext("Only a confirmed registration can be marked present or absent.")),
    ):
        registration_set_attendance(registration=registration, attended=False)


# Visibility.


def test_event_list_shows_public_upcoming_events_only_to_visitors(client):
    ProgrammeEventFactory(title_fr="Réunion publique")
    ProgrammeEventFactory(title_fr="Pour les communes", audience="municipalities")
    ProgrammeEventFactory(title_fr="Pour les expérimentateurs", audience="experimenters")
    ProgrammeEventFactory(
        title_fr="Déjà passé",
        starts_at=timezone.now() - dt.timedelta(days=3),
        ends_at=timezone.now() - dt.timedelta(days=3) + dt.timedelta(hours=1),
    )

    html = _html(client.get("/fr/events/"))

    assert "Réunion publique" in html
    assert "Pour les communes" not in html
    assert "Pour les expérimentateurs" not in html
    assert "Déjà passé" not in html


def test_event_list_shows_experimenters_their_events(client):
    experiment = ExperimentFactory()
    ProgrammeEventFactory(title_fr="Communauté des expérimentateurs", audience="experimenters")
    ProgrammeEventFactory(title_fr="Module de formation", audience="municipalities")
    client.force_login(experiment.experimenter)

    html = _html(client.get("/fr/events/"))

    assert "Communauté des expérimentateurs" in html
    assert "Module de formation" not in html


def test_event_for_named_towns_seen_by_their_staff_only(client):
    town, other = MunicipalityFactory(), MunicipalityFactory()
    event = ProgrammeEventFactory(
        title_fr="Formation module 1", audience="municipalities", municipalities=[town]
    )
    general = ProgrammeEventFactory(title_fr="Formation pour toutes", audience="municipalities")
    ours = MunicipalityMembershipFactory(municipality=town).user
    theirs = MunicipalityMembershipFactory(municipality=other).user

    client.force_login(ours)
    assert "Formation module 1" in _html(client.get("/fr/events/"))
    assert client.get(event.get_absolute_url()).status_code == 200

    client.force_login(theirs)
    html = _html(client.get("/fr/events/"))
    assert "Formation module 1" not in html
    assert "Formation pour toutes" in html
    assert client.get(event.get_absolute_url()).status_code == 404
    assert (
        client.get(reverse("experiments:event_ics", kwargs={"uuid": event.uuid})).status_code == 404
    )
    assert client.get(general.get_absolute_url()).status_code == 200


def test_programme_staff_see_every_event(client):
    ProgrammeEventFactory(title_fr="Pour les communes", audience="municipalities")
    client.force_login(StaffUserFactory())

    assert "Pour les communes" in _html(client.get("/fr/events/"))


def test_event_not_public_is_404_for_visitors(client):
    event = ProgrammeEventFactory(audience="experimenters")

    assert client.get(event.get_absolute_url()).status_code == 404
    assert client.get(f"/fr/events/{event.uuid}/register/").status_code == 404


# Pages.


@pytest.mark.parametrize(
    ("language", "title"), [("fr", "Réunion pour les habitants"), ("en", "Meeting for residents")]
)
def test_event_detail_in_language_with_place_and_seats(client, language, title):
    event = ProgrammeEventFactory(
        kind="information_meeting",
        title_fr="Réunion pour les habitants",
        title_en="Meeting for residents",
        place="Maison de l'innovation, 10 rue de Paris, Montreuil",
        online_url="",
        capacity=2,
    )
    EventRegistrationFactory(event=event)

    html = _html(client.get(f"/{language}/events/{event.uuid}/"))

    assert f'<html lang="{language}">' in html
    assert title in html
    with translation.override(language):
        assert (str(EventKind.INFORMATION_MEETING.label)) in html
        assert _seats_left(1) in html
    assert "Maison de l'innovation, 10 rue de Paris, Montreuil" in html
    assert f"/{language}/events/{event.uuid}/register/" in html
    assert f"/{language}/events/{event.uuid}/calendar.ics" in html


def test_event_detail_online_shows_its_link(client):
    event = ProgrammeEventFactory(online_url="https://visio.example.org/qmi-42", place="")

    assert 'href="https://visio.example.org/qmi-42"' in _html(client.get(event.get_absolute_url()))


def test_event_detail_full_offers_the_waiting_list(client):
    event = ProgrammeEventFactory(capacity=1)
    EventRegistrationFactory(event=event)

    html = _html(client.get(event.get_absolute_url()))

    assert (gettext("Full: you can join the waiting list")) in html
    assert (gettext("Join the waiting list")) in html


def test_event_detail_past_is_not_registrable(client):
    event = ProgrammeEventFactory(
        starts_at=timezone.now() - dt.timedelta(days=2),
        ends_at=timezone.now() - dt.timedelta(days=2) + dt.timedelta(hours=2),
    )

    html = _html(client.get(event.get_absolute_url()))
    response = client.get(f"/fr/events/{event.uuid}/register/")
    posted = client.post(
        f"/fr/events/{event.uuid}/register/",
        {"name": "Ada", "email": "ada@example.org", "language": "fr"},
    )

    assert (gettext("This event is over.")) in html
    assert f"/events/{event.uuid}/register/" not in html
    assert response.status_code == 302
    assert posted.status_code == 302
    assert not EventRegistration.objects.exists()


@pytest.mark.parametrize("rows", ROWS)
def test_event_list_query_count_constant(client, django_assert_num_queries, rows):
    for _ in range(rows):
        event = ProgrammeEventFactory(municipalities=[MunicipalityFactory()])
        EventRegistrationFactory(event=event)

    with django_assert_num_queries(LIST_QUERIES):
        html = _html(client.get("/fr/events/"))

    assert html.count('class="card h-100 event-card"') == rows


@pytest.mark.parametrize("rows", ROWS)
def test_event_detail_query_count_constant(client, django_assert_num_queries, rows):
    event = ProgrammeEventFactory(municipalities=MunicipalityFactory.create_batch(rows))
    EventRegistrationFactory.create_batch(rows, event=event)

    with django_assert_num_queries(DETAIL_QUERIES):
        _html(client.get(event.get_absolute_url()))


def test_event_list_cached_and_refreshed_when_an_event_changes(client):
    event = ProgrammeEventFactory(title_fr="Avant")
    assert client.get("/fr/events/")[STATUS_HEADER] == "miss"
    assert client.get("/fr/events/")[STATUS_HEADER] == "hit"

    event.title_fr = "Après"
    event.save()
    response = client.get("/fr/events/")

    assert response[STATUS_HEADER] == "miss"
    assert "Après" in _html(response)


def test_event_detail_seats_refreshed_after_a_registration(client):
    event = ProgrammeEventFactory(capacity=2)
    assert _seats_left(2) in _html(client.get(event.get_absolute_url()))

    _register(event)

    assert _seats_left(1) in _html(client.get(event.get_absolute_url()))


# Registering and cancelling through the pages.


def _post_registration(client, event, email="ada@example.org", language="fr", **data):
    return client.post(
        f"/{language}/events/{event.uuid}/register/",
        {"name": "Ada Lovelace", "email": email, "language": language, **data},
    )


def test_event_register_page_records_and_says_the_same_for_a_known_address(client):
    event = ProgrammeEventFactory(capacity=1)
    EventRegistrationFactory(event=event, email="taken@example.org", status=R.REGISTERED)

    new = _post_registration(client, event, email="new@example.org")
    known = _post_registration(client, event, email="taken@example.org")

    assert new.status_code == known.status_code == 200
    csrf = re.compile(r'name="csrfmiddlewaretoken" value="[^"]+"')
    first = csrf.sub("", new.content.decode()).replace("new@example.org", "EMAIL")
    second = csrf.sub("", known.content.decode()).replace("taken@example.org", "EMAIL")
    assert first == second
    assert EventRegistration.objects.get(email="new@example.org").status == R.WAITING_LIST
    assert EventRegistration.objects.filter(event=event).count() == 2


def test_event_register_page_tells_a_signed_in_person_where_they_stand(client):
    event = ProgrammeEventFactory(capacity=1, title_fr="Atelier")
    user = UserFactory(email="ada@example.org", first_name="Ada", last_name="Lovelace")
    client.force_login(user)

    form = _html(client.get(f"/fr/events/{event.uuid}/register/"))
    html = _html(_post_registration(client, event, email="ada@example.org"))

    assert 'value="ada@example.org"' in form
    assert 'value="Ada Lovelace"' in form
    assert (gettext("You are registered for “%(title)s”.") % {"title": "Atelier"}) in html
    assert EventRegistration.objects.get().user == user
    assert (gettext("Cancel my registration")) in _html(client.get(event.get_absolute_url()))


def test_event_register_page_bad_input_keeps_what_was_typed(client):
    event = ProgrammeEventFactory()

    response = client.post(
        f"/fr/events/{event.uuid}/register/",
        {"name": "Ada Lovelace", "email": "not-an-email", "language": "fr"},
    )

    html = _html(response)
    assert 'id="error-summary"' in html
    assert 'value="Ada Lovelace"' in html
    assert not EventRegistration.objects.exists()


def test_event_register_page_in_english(client, english):
    event = ProgrammeEventFactory(title_en="QMI webinar")

    form = _html(client.get(f"/en/events/{event.uuid}/register/"))
    done = _html(_post_registration(client, event, language="en"))

    assert "Your email address" in form
    assert "Check your inbox" in done
    assert EventRegistration.objects.get().language == "en"


def test_registration_cancel_page_asks_then_cancels_and_promotes(client):
    event = ProgrammeEventFactory(capacity=1)
    ada = _register(event, "ada@example.org")
    bob = _register(event, "bob@example.org")
    url = f"/fr/events/registrations/{ada.cancel_token}/cancel/"

    page = client.get(url)
    assert page.status_code == 200
    assert page["Referrer-Policy"] == "strict-origin"
    assert EventRegistration.objects.get(pk=ada.pk).status == R.REGISTERED

    response = client.post(url)

    assert response.status_code == 302
    assert (gettext("Registration cancelled")) in _html(client.get(url))
    assert EventRegistration.objects.get(pk=ada.pk).status == R.CANCELLED
    assert EventRegistration.objects.get(pk=bob.pk).status == R.REGISTERED


def test_registration_cancel_page_unknown_token_is_404(client):
    assert (
        client.get(
            "/fr/events/registrations/00000000-0000-4000-8000-000000000000/cancel/"
        ).status_code
        == 404
    )


def test_registration_cancel_page_after_start_refuses(client):
    event = ProgrammeEventFactory()
    registration = _register(event)
    _started(event)

    response = client.post(f"/fr/events/registrations/{registration.cancel_token}/cancel/")

    assert response.status_code == 400
    message = gettext("The event has started: the registration can no longer be cancelled.")
    assert message in unescape(response.content.decode())
    assert EventRegistration.objects.get().status == R.REGISTERED


def test_mail_links_lead_to_the_cancel_page(client):
    event = ProgrammeEventFactory()
    _register(event, "ada@example.org")
    mails_send_queued()

    link = re.search(r"\S+/events/registrations/\S+/cancel/", mail.outbox[-1].body).group(0)

    assert client.post(_path(link)).status_code == 302
    assert EventRegistration.objects.get().status == R.CANCELLED


# The .ics file.


def test_event_ics_parses_back_with_paris_times_and_a_stable_uid(client):
    starts_at = dt.datetime(2031, 3, 12, 18, 30, tzinfo=PARIS)
    event = ProgrammeEventFactory(
        title_fr="Réunion trimestrielle",
        title_en="Quarterly meeting",
        starts_at=starts_at,
        ends_at=starts_at + dt.timedelta(hours=2),
        place="Hôtel de ville, Montreuil",
        online_url="",
    )
    url = reverse("experiments:event_ics", kwargs={"uuid": event.uuid})

    response = client.get(url)
    again = client.get(url)

    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    assert f'filename="qmi-event-{event.uuid}.ics"' in response["Content-Disposition"]
    calendar = icalendar.Calendar.from_ical(response.content)
    [entry] = calendar.events
    assert str(entry["summary"]) == "Réunion trimestrielle"
    assert entry.start == starts_at
    assert entry.start.tzinfo.key == "Europe/Paris" if hasattr(entry.start.tzinfo, "key") else True
    assert entry.start.hour == 18 and entry.start.minute == 30
    assert entry.end == starts_at + dt.timedelta(hours=2)
    assert str(entry["location"]) == "Hôtel de ville, Montreuil"
    assert f"/fr/events/{event.uuid}/" in str(entry["description"])
    assert [tz.tz_name for tz in calendar.timezones] == ["Europe/Paris"]
    uid = str(entry["uid"])
    assert uid.startswith(f"event-{event.uuid}@")
    [entry_again] = icalendar.Calendar.from_ical(again.content).events
    assert str(entry_again["uid"]) == uid


def test_event_ics_in_english(client, english):
    event = ProgrammeEventFactory(title_en="Quarterly meeting")

    response = client.get(f"/en/events/{event.uuid}/calendar.ics")

    [entry] = icalendar.Calendar.from_ical(response.content).events
    assert str(entry["summary"]) == "Quarterly meeting"
    assert str(entry["url"]) == event.online_url


# Home page.


def test_home_shows_the_next_public_events(client):
    ProgrammeEventFactory(title_fr="Webinaire d'ouverture")
    ProgrammeEventFactory(title_fr="Réservé aux communes", audience="municipalities")

    html = _html(client.get("/fr/"))

    assert "Webinaire d'ouverture" in html
    assert "Réservé aux communes" not in html
    assert 'href="/fr/events/"' in html


# Admin.

EVENT_CHANGELIST = "/fr/admin/experiments/programmeevent/"
REGISTRATION_CHANGELIST = "/fr/admin/experiments/eventregistration/"


def _action(client, action, registrations):
    return client.post(
        REGISTRATION_CHANGELIST,
        {"action": action, "_selected_action": [str(r.pk) for r in registrations]},
        follow=True,
    )


def test_admin_event_list_counts_seats_and_waiting_list(staff_client):
    event = ProgrammeEventFactory(title_fr="Webinaire compté", capacity=1)
    EventRegistrationFactory(event=event)
    EventRegistrationFactory.create_batch(2, event=event, status=R.WAITING_LIST)

    response = staff_client.get(EVENT_CHANGELIST)

    assert response.status_code == 200
    [row] = response.context["cl"].result_list
    assert (row.seats_taken, row.waiting) == (1, 2)


def test_admin_raising_capacity_promotes_the_waiting_list(staff_client):
    event = ProgrammeEventFactory(capacity=1, place="Mairie", online_url="")
    first = _register(event, "a@example.org")
    waiting = [_register(event, f"w{number}@example.org") for number in range(2)]
    starts_at, ends_at = timezone.localtime(event.starts_at), timezone.localtime(event.ends_at)
    inline = "registrations"

    response = staff_client.post(
        f"{EVENT_CHANGELIST}{event.pk}/change/",
        {
            "edition": "",
            "kind": event.kind,
            "title_fr": event.title_fr,
            "title_en": event.title_en,
            "description_fr": "",
            "description_en": "",
            "starts_at_0": starts_at.strftime("%d/%m/%Y"),
            "starts_at_1": starts_at.strftime("%H:%M:%S"),
            "ends_at_0": ends_at.strftime("%d/%m/%Y"),
            "ends_at_1": ends_at.strftime("%H:%M:%S"),
            "place": "Mairie",
            "online_url": "",
            "audience": "public",
            "capacity": "2",
            f"{inline}-TOTAL_FORMS": "3",
            f"{inline}-INITIAL_FORMS": "3",
            f"{inline}-MIN_NUM_FORMS": "0",
            f"{inline}-MAX_NUM_FORMS": "1000",
            **{
                f"{inline}-{index}-id": str(registration.pk)
                for index, registration in enumerate([first, *waiting])
            },
            **{f"{inline}-{index}-event": str(event.pk) for index in range(3)},
        },
    )

    assert response.status_code == 302, response.context["adminform"].form.errors
    statuses = [EventRegistration.objects.get(pk=r.pk).status for r in [first, *waiting]]
    assert statuses == [R.REGISTERED, R.REGISTERED, R.WAITING_LIST]
    assert [m.template_code for m in _mails(waiting[0])][-1] == "event_registration_promoted"


def test_admin_attendance_editable_in_the_list(staff_client):
    event = _started(ProgrammeEventFactory())
    registration = EventRegistrationFactory(event=event)

    response = staff_client.post(
        f"{REGISTRATION_CHANGELIST}?event__id__exact={event.pk}",
        {
            "form-TOTAL_FORMS": "1",
            "form-INITIAL_FORMS": "1",
            "form-MIN_NUM_FORMS": "0",
            "form-MAX_NUM_FORMS": "1000",
            "form-0-id": str(registration.pk),
            "form-0-attended": "true",
            "_save": "1",
        },
    )

    assert response.status_code == 302
    assert EventRegistration.objects.get(pk=registration.pk).attended is True


def test_admin_attendance_before_the_event_is_refused_next_to_the_field(staff_client):
    registration = EventRegistrationFactory()

    response = staff_client.post(
        REGISTRATION_CHANGELIST,
        {
            "form-TOTAL_FORMS": "1",
            "form-INITIAL_FORMS": "1",
            "form-MIN_NUM_FORMS": "0",
            "form-MAX_NUM_FORMS": "1000",
            "form-0-id": str(registration.pk),
            "form-0-attended": "true",
            "_save": "1",
        },
    )

    assert response.status_code == 200
    assert response.context["cl"].formset.errors[0]["attended"] == [
        gettext("Attendance can be recorded once the event has started.")
    ]
    assert EventRegistration.objects.get(pk=registration.pk).attended is None


def test_admin_actions_mark_present_and_absent_through_the_service(staff_client):
    event = _started(ProgrammeEventFactory())
    present, absent = EventRegistrationFactory.create_batch(2, event=event)
    waiting = EventRegistrationFactory(event=event, status=R.WAITING_LIST)

    _action(staff_client, "mark_present", [present])
    response = _action(staff_client, "mark_absent", [absent, waiting])

    assert EventRegistration.objects.get(pk=present.pk).attended is True
    assert EventRegistration.objects.get(pk=absent.pk).attended is False
    assert EventRegistration.objects.get(pk=waiting.pk).attended is None
    assert gettext("Only a confirmed registration can be marked present or absent.") in (
        response.content.decode()
    )


def test_admin_action_cancel_promotes_the_waiting_list(staff_client):
    event = ProgrammeEventFactory(capacity=1)
    ada = _register(event, "ada@example.org")
    bob = _register(event, "bob@example.org")

    _action(staff_client, "cancel_registrations", [ada])

    assert EventRegistration.objects.get(pk=ada.pk).status == R.CANCELLED
    assert EventRegistration.objects.get(pk=bob.pk).status == R.REGISTERED
