"""Calls: their dates hold in the database, their state comes from the clock."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext

from calls.enums import CallKind, CallState
from calls.models import Call
from calls.selectors import calls_open_or_upcoming, calls_public
from tests.factories import CallFactory, EditionFactory

pytestmark = pytest.mark.django_db

PARIS = ZoneInfo("Europe/Paris")
OPENS = dt.datetime(2023, 10, 23, 0, 0, tzinfo=PARIS)
CLOSES = dt.datetime(2024, 1, 12, 23, 59, tzinfo=PARIS)


def _errors(instance) -> dict[str, list[str]]:
    with pytest.raises(ValidationError) as caught:
        instance.full_clean()
    return caught.value.message_dict


# Database constraints.


@pytest.mark.parametrize("closes_at", [OPENS, OPENS - dt.timedelta(days=1)])
def test_call_closing_before_or_when_it_opens_refused_by_database(closes_at):
    with pytest.raises(IntegrityError, match="call_closes_after_it_opens"), transaction.atomic():
        CallFactory(opens_at=OPENS, closes_at=closes_at)


def test_call_phase_zero_refused_by_database():
    with pytest.raises(IntegrityError, match="call_phase_positive"), transaction.atomic():
        CallFactory(phase=0)


def test_call_same_kind_and_phase_in_edition_refused_by_database():
    call = CallFactory(kind=CallKind.EXPERIMENTERS, phase=1)

    with (
        pytest.raises(IntegrityError, match="call_unique_kind_and_phase_per_edition"),
        transaction.atomic(),
    ):
        CallFactory(edition=call.edition, kind=CallKind.EXPERIMENTERS, phase=1)


def test_call_other_kind_or_phase_in_edition_accepted():
    call = CallFactory(kind=CallKind.EXPERIMENTERS, phase=1)

    CallFactory(edition=call.edition, kind=CallKind.MUNICIPALITIES, phase=1)
    CallFactory(edition=call.edition, kind=CallKind.EXPERIMENTERS, phase=2)

    assert call.edition.calls.count() == 3


def test_call_slug_unique_in_database():
    CallFactory(slug="qmi2-municipalities")

    with pytest.raises(IntegrityError, match="slug"), transaction.atomic():
        CallFactory(slug="qmi2-municipalities")


# full_clean messages.


def test_call_full_clean_closing_before_opening_message():
    call = CallFactory.build(edition=EditionFactory(), opens_at=CLOSES, closes_at=OPENS)

    assert _errors(call) == {"__all__": [gettext("A call must close after it opens.")]}


def test_call_full_clean_closing_before_opening_message_in_english():
    call = CallFactory.build(edition=EditionFactory(), opens_at=CLOSES, closes_at=OPENS)

    with translation.override("en"):
        errors = _errors(call)

    assert errors == {"__all__": ["A call must close after it opens."]}


def test_call_full_clean_same_kind_and_phase_message():
    existing = CallFactory(phase=1)
    call = CallFactory.build(edition=existing.edition, kind=existing.kind, phase=1)

    assert _errors(call) == {
        "__all__": [gettext("This edition already has a call of this kind for this phase.")]
    }


def test_call_full_clean_phase_zero_message():
    call = CallFactory.build(edition=EditionFactory(), phase=0)

    assert _errors(call) == {"__all__": [gettext("The phase starts at 1.")]}


def test_call_full_clean_without_dates_message_in_french():
    call = CallFactory.build(edition=EditionFactory(), opens_at=None, closes_at=None)

    errors = _errors(call)

    assert errors == {
        "opens_at": ["Ce champ ne peut pas contenir la valeur nulle."],
        "closes_at": ["Ce champ ne peut pas contenir la valeur nulle."],
    }


# State from the clock.


def test_call_state_at_before_opening_upcoming():
    call = Call(opens_at=OPENS, closes_at=CLOSES)

    assert call.state_at(OPENS - dt.timedelta(microseconds=1)) == CallState.UPCOMING


def test_call_state_at_exact_opening_open():
    assert Call(opens_at=OPENS, closes_at=CLOSES).state_at(OPENS) == CallState.OPEN


def test_call_state_at_just_before_closing_open():
    call = Call(opens_at=OPENS, closes_at=CLOSES)

    assert call.state_at(CLOSES - dt.timedelta(microseconds=1)) == CallState.OPEN


def test_call_state_at_exact_closing_closed():
    assert Call(opens_at=OPENS, closes_at=CLOSES).state_at(CLOSES) == CallState.CLOSED


def test_call_state_at_compares_instants_not_wall_clocks():
    call = Call(opens_at=OPENS, closes_at=CLOSES)

    # 22:30 UTC on 22 October 2023 is 00:30 in Paris on the 23rd: open.
    assert call.state_at(dt.datetime(2023, 10, 22, 22, 30, tzinfo=dt.UTC)) == CallState.OPEN
    # 21:30 UTC is 23:30 in Paris on the 22nd: not yet.
    assert call.state_at(dt.datetime(2023, 10, 22, 21, 30, tzinfo=dt.UTC)) == CallState.UPCOMING


@pytest.mark.parametrize(
    ("opens_in", "closes_in", "state"),
    [
        (dt.timedelta(days=2), dt.timedelta(days=30), CallState.UPCOMING),
        (dt.timedelta(days=-2), dt.timedelta(days=30), CallState.OPEN),
        (dt.timedelta(seconds=-1), dt.timedelta(hours=1), CallState.OPEN),
        (dt.timedelta(days=-30), dt.timedelta(seconds=-1), CallState.CLOSED),
    ],
)
def test_call_state_follows_the_clock(opens_in, closes_in, state):
    now = timezone.now()
    call = CallFactory(opens_at=now + opens_in, closes_at=now + closes_in)

    assert Call.objects.get(pk=call.pk).state == state


def test_call_state_label_translated():
    call = Call(opens_at=OPENS, closes_at=CLOSES)

    with translation.override("en"):
        assert call.state_at(OPENS).label == "Open"


# Selectors.


def _calls_around(now):
    return {
        "closed": CallFactory(
            opens_at=now - dt.timedelta(days=30), closes_at=now - dt.timedelta(days=1)
        ),
        "closing_now": CallFactory(opens_at=now - dt.timedelta(days=30), closes_at=now),
        "open": CallFactory(
            opens_at=now - dt.timedelta(days=1), closes_at=now + dt.timedelta(days=20)
        ),
        "opening_now": CallFactory(opens_at=now, closes_at=now + dt.timedelta(days=40)),
        "upcoming": CallFactory(
            opens_at=now + dt.timedelta(days=5), closes_at=now + dt.timedelta(days=10)
        ),
    }


def test_calls_open_or_upcoming_leaves_out_closed_calls_soonest_deadline_first():
    now = timezone.now()
    calls = _calls_around(now)

    result = list(calls_open_or_upcoming(now))

    assert result == [calls["upcoming"], calls["open"], calls["opening_now"]]


def test_calls_open_or_upcoming_defaults_to_now():
    now = timezone.now()
    open_call = CallFactory(opens_at=now - dt.timedelta(days=1))
    CallFactory(opens_at=now - dt.timedelta(days=9), closes_at=now - dt.timedelta(seconds=1))

    assert list(calls_open_or_upcoming()) == [open_call]


def test_calls_open_or_upcoming_one_query_with_editions(django_assert_num_queries):
    _calls_around(timezone.now())

    with django_assert_num_queries(1):
        names = [call.edition.name for call in calls_open_or_upcoming()]

    assert len(names) == 3


def test_calls_public_newest_first():
    older = CallFactory(opens_at=OPENS, closes_at=CLOSES)
    newer = CallFactory(opens_at=OPENS + dt.timedelta(days=200), closes_at=CLOSES.replace(2025))

    assert list(calls_public()) == [newer, older]
