"""The calls' admin, as Paris&Co staff use it."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone
from django.utils.translation import gettext

from calls.enums import CallKind, CallState
from calls.models import Call
from tests.factories import CallFactory, EditionFactory, InnovationDistrictFactory, ReviewerFactory

pytestmark = pytest.mark.django_db

URL = "/fr/admin/calls/call/"
ROWS = [1, 3]
# User (the session is cached), user and group permissions, editions of the filter, two counts,
# the calls with their editions, the date hierarchy's range and its dates.
CHANGELIST_QUERIES = 9


@pytest.fixture
def calls():
    now = timezone.now()
    edition = EditionFactory()
    return {
        "open": CallFactory(
            edition=edition, slug="qmi3-experimenters", title_en="Call for experimenters"
        ),
        "upcoming": CallFactory(
            edition=edition,
            kind=CallKind.MUNICIPALITIES,
            slug="qmi3-municipalities",
            title_fr="Appel aux communes",
            opens_at=now + dt.timedelta(days=10),
            closes_at=now + dt.timedelta(days=40),
        ),
        "closed": CallFactory(
            slug="qmi1-experimenters",
            opens_at=now - dt.timedelta(days=400),
            closes_at=now - dt.timedelta(days=370),
        ),
    }


def _result_list(response):
    assert response.status_code == 200
    return set(response.context["cl"].result_list)


@pytest.mark.parametrize("rows", ROWS)
def test_call_changelist_query_count_constant(staff_client, django_assert_num_queries, rows):
    now = timezone.now()
    for index in range(rows):
        edition = EditionFactory()
        districts = InnovationDistrictFactory.create_batch(2, edition=edition)
        CallFactory(
            edition=edition,
            districts=districts,
            opens_at=now - dt.timedelta(days=100 * index + 1),
            closes_at=now + dt.timedelta(days=5),
        )

    with django_assert_num_queries(CHANGELIST_QUERIES):
        response = staff_client.get(URL)

    assert response.context["cl"].result_count == rows


def test_call_changelist_shows_each_call_with_its_state(staff_client, calls):
    response = staff_client.get(URL)

    assert response.status_code == 200
    html = response.content.decode()
    for call in calls.values():
        assert call.title in html
    for state in CallState:
        assert f'<td class="field-state">{state.label}</td>' in html


def test_call_changelist_search_by_slug_and_title(staff_client, calls):
    assert _result_list(staff_client.get(f"{URL}?q=qmi1")) == {calls["closed"]}
    assert _result_list(staff_client.get(f"{URL}?q=communes")) == {calls["upcoming"]}
    assert _result_list(staff_client.get(f"{URL}?q=Call for experimenters")) == {calls["open"]}


@pytest.mark.parametrize("state", ["open", "upcoming", "closed"])
def test_call_changelist_state_filter(staff_client, calls, state):
    assert _result_list(staff_client.get(f"{URL}?state={state}")) == {calls[state]}


def test_call_changelist_kind_and_edition_filters(staff_client, calls):
    by_kind = staff_client.get(f"{URL}?kind__exact=municipalities")
    by_edition = staff_client.get(f"{URL}?edition__id__exact={calls['closed'].edition_id}")

    assert _result_list(by_kind) == {calls["upcoming"]}
    assert _result_list(by_edition) == {calls["closed"]}


def test_call_add_and_change_forms_answer(staff_client, calls):
    assert staff_client.get(f"{URL}add/").status_code == 200
    assert staff_client.get(f"{URL}{calls['open'].pk}/change/").status_code == 200


def _form_value(value):
    if isinstance(value, list | tuple):
        return [str(item) for item in value]
    if isinstance(value, bool):
        return "on" if value else ""
    return str(value)


def _call_data(client, edition, **overrides):
    """The add form as the admin serves it, filled in as a French user types it."""
    response = client.get(f"{URL}add/")
    form = response.context["adminform"].form
    data = {
        name: _form_value(form[name].value())
        for name in form.fields
        if form[name].value() is not None
    }
    for inline in response.context["inline_admin_formsets"]:
        management = inline.formset.management_form
        data.update(
            {management.add_prefix(name): management[name].value() for name in management.fields}
        )
    data.update(
        {
            "edition": str(edition.pk),
            "kind": CallKind.MUNICIPALITIES,
            "phase": "1",
            "slug": "qmi4-municipalities",
            "title_fr": "Appel aux communes",
            # Paris time, as typed in the French admin.
            "opens_at_0": "23/10/2023",
            "opens_at_1": "00:00",
            "closes_at_0": "12/01/2024",
            "closes_at_1": "23:59",
            "_save": "Enregistrer",
        }
    )
    data.update(overrides)
    return data


def test_call_add_valid_dates_stored_in_paris_time(staff_client):
    edition = EditionFactory()

    response = staff_client.post(f"{URL}add/", _call_data(staff_client, edition))

    assert response.status_code == 302
    call = Call.objects.get()
    paris = ZoneInfo("Europe/Paris")
    assert call.opens_at == dt.datetime(2023, 10, 23, 0, 0, tzinfo=paris)
    assert call.closes_at == dt.datetime(2024, 1, 12, 23, 59, tzinfo=paris)


def test_call_add_closing_before_opening_refused(staff_client):
    edition = EditionFactory()

    response = staff_client.post(
        f"{URL}add/",
        _call_data(
            staff_client,
            edition,
            opens_at_0="12/01/2024",
            opens_at_1="23:59",
            closes_at_0="23/10/2023",
            closes_at_1="00:00",
        ),
    )

    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert errors == {"__all__": [gettext("A call must close after it opens.")]}
    assert not edition.calls.exists()


def test_call_add_same_kind_and_phase_in_edition_refused(staff_client):
    existing = CallFactory(kind=CallKind.MUNICIPALITIES, phase=1)

    response = staff_client.post(f"{URL}add/", _call_data(staff_client, existing.edition))

    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert errors == {
        "__all__": [gettext("This edition already has a call of this kind for this phase.")]
    }
    assert existing.edition.calls.count() == 1


def test_call_changelist_reviewer_can_view(client, calls):
    client.force_login(ReviewerFactory(is_staff=True))

    assert client.get(URL).status_code == 200
    assert client.get(f"{URL}add/").status_code == 403
