"""The demo data: the programme as the public documents describe it, loaded twice alike."""

import datetime as dt
import io
from zoneinfo import ZoneInfo

import pytest
from django.apps import apps
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import transaction
from django.test.utils import override_settings

from calls.enums import CallKind, CallState
from calls.models import Call
from municipalities.enums import PartnerKind
from municipalities.models import (
    Edition,
    InnovationDistrict,
    Municipality,
    Partner,
    UrbanChallenge,
)
from municipalities.permissions import MUNICIPALITY_STAFF, PROGRAMME_STAFF, is_programme_staff

pytestmark = pytest.mark.django_db

PARIS = ZoneInfo("Europe/Paris")
FAST_HASHER = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def _row_counts() -> dict[str, int]:
    """Rows of every model of the portal's apps, and of the users."""
    labels = ["municipalities", "calls", "notifications", "experiments"]
    models = [
        model
        for label in labels
        if apps.is_installed(label)
        for model in apps.get_app_config(label).get_models(include_auto_created=True)
    ]
    return {
        model._meta.label: model.objects.count()
        for model in [*models, get_user_model(), get_user_model().groups.through]
    }


@pytest.fixture(autouse=True)
def _fast_password_hasher(settings):
    settings.PASSWORD_HASHERS = FAST_HASHER


@pytest.fixture(scope="module")
def seeded(django_db_setup, django_db_blocker, tmp_path_factory):
    """Seed once for the whole module, in a transaction rolled back at its end.

    Each test runs in a savepoint inside it. Demo attachments go to a temporary
    directory, not to var/private.
    """
    private_root = tmp_path_factory.mktemp("private")
    with (
        override_settings(PASSWORD_HASHERS=FAST_HASHER, PRIVATE_MEDIA_ROOT=private_root),
        django_db_blocker.unblock(),
        transaction.atomic(),
    ):
        out = io.StringIO()
        call_command("seed_demo", force=True, stdout=out)
        yield out.getvalue()
        transaction.set_rollback(True)


def test_seed_demo_municipalities_of_the_seeds(seeded):
    assert sorted(Municipality.objects.values_list("name", flat=True)) == [
        "Argenteuil",
        "Athis-Mons",
        "Aubervilliers",
        "Aulnay-sous-Bois",
        "Fontenay-sous-Bois",
        "Issy-les-Moulineaux",
        "Meudon",
        "Noisy-le-Grand",
        "Sceaux",
        "Sucy-en-Brie",
    ]


def test_seed_demo_municipalities_valid(seeded):
    for municipality in Municipality.objects.all():
        municipality.full_clean()
    aubervilliers = Municipality.objects.get(slug="aubervilliers")
    assert (aubervilliers.insee_code, aubervilliers.department) == ("93001", "93")


def test_seed_demo_editions_one_two_and_fictional_three(seeded):
    editions = {edition.number: edition for edition in Edition.objects.all()}

    assert sorted(editions) == [1, 2, 3]
    assert editions[1].name_fr == "Édition 1"
    assert editions[2].name_en == "Edition 2"
    assert "fictive" in editions[3].name_fr
    assert "fictional" in editions[3].name_en


def test_seed_demo_themes_seven_then_eight(seeded):
    counts = {
        number: UrbanChallenge.objects.filter(edition__number=number).count()
        for number in (1, 2, 3)
    }

    assert counts == {1: 7, 2: 8, 3: 0}
    assert UrbanChallenge.objects.get(edition__number=2, code="sport").name_en == (
        "Sport in the city"
    )


def test_seed_demo_districts_one_per_town_with_themes_of_their_edition(seeded):
    districts = InnovationDistrict.objects.select_related("edition").prefetch_related("themes")

    assert districts.filter(edition__number=1).count() == 4
    assert districts.filter(edition__number=2).count() == 6
    for district in districts:
        district.full_clean()
        assert district.themes.all()
        assert {theme.edition_id for theme in district.themes.all()} == {district.edition_id}


def test_seed_demo_partners(seeded):
    names = set(Partner.objects.values_list("name", flat=True))

    assert {
        "Métropole du Grand Paris",
        "Paris&Co",
        "Choose Paris Region",
        "Banque des Territoires",
        "Institut Paris Région",
    } <= names
    assert Partner.objects.get(name="Paris&Co").kind == PartnerKind.OPERATOR
    historic = Partner.objects.filter(kind=PartnerKind.HISTORIC).values_list("name", flat=True)
    assert set(historic) == {
        "Choose Paris Region",
        "Banque des Territoires",
        "Institut Paris Région",
    }
    urban_players = Partner.objects.filter(kind=PartnerKind.URBAN_PLAYER)
    assert urban_players.count() == 10
    assert {"Enedis", "Groupe RATP", "Citeo"} <= set(urban_players.values_list("name", flat=True))


@pytest.mark.parametrize(
    ("slug", "opens", "closes"),
    [
        ("qmi1-experimenters", (2023, 3, 9, 0, 0), (2023, 4, 9, 23, 59)),
        ("qmi2-municipalities", (2023, 10, 23, 0, 0), (2024, 1, 12, 23, 59)),
        ("qmi2-experimenters-phase-1", (2024, 5, 13, 0, 0), (2024, 6, 16, 23, 59)),
        ("qmi2-experimenters-phase-2", (2025, 1, 13, 0, 0), (2025, 2, 14, 23, 59)),
    ],
)
def test_seed_demo_real_calls_dated_in_paris_time(seeded, slug, opens, closes):
    call = Call.objects.get(slug=slug)

    assert call.opens_at.astimezone(PARIS).timetuple()[:5] == opens
    assert call.closes_at.astimezone(PARIS).timetuple()[:5] == closes
    assert not call.is_fictional
    assert call.state == CallState.CLOSED


def test_seed_demo_municipality_call_instants(seeded):
    call = Call.objects.get(slug="qmi2-municipalities")

    # Summer time until 29 October 2023, winter time in January.
    assert call.opens_at == dt.datetime(2023, 10, 22, 22, 0, tzinfo=dt.UTC)
    assert call.closes_at == dt.datetime(2024, 1, 12, 22, 59, tzinfo=dt.UTC)
    assert call.kind == CallKind.MUNICIPALITIES
    assert call.edition.number == 2


def test_seed_demo_experimenter_calls_target_their_towns(seeded):
    towns = {
        call.slug: sorted(call.districts.values_list("municipality__name", flat=True))
        for call in Call.objects.filter(kind=CallKind.EXPERIMENTERS, is_fictional=False)
    }

    assert towns == {
        "qmi1-experimenters": ["Aulnay-sous-Bois", "Meudon", "Noisy-le-Grand", "Sceaux"],
        "qmi2-experimenters-phase-1": ["Athis-Mons", "Aubervilliers", "Fontenay-sous-Bois"],
        "qmi2-experimenters-phase-2": ["Argenteuil", "Issy-les-Moulineaux", "Sucy-en-Brie"],
    }


def test_seed_demo_fictional_calls_one_open_one_upcoming(seeded):
    fictional = Call.objects.filter(is_fictional=True).select_related("edition")

    assert {CallState.OPEN, CallState.UPCOMING} <= {call.state for call in fictional}
    # Every call of the fictional edition is flagged, and only the seeds' calls are real.
    assert not Call.objects.filter(is_fictional=False, edition__number=3).exists()
    assert set(Call.objects.filter(is_fictional=False).values_list("slug", flat=True)) == {
        "qmi1-experimenters",
        "qmi2-municipalities",
        "qmi2-experimenters-phase-1",
        "qmi2-experimenters-phase-2",
    }


def test_seed_demo_twice_same_rows_and_accounts_still_log_in(client, seeded):
    before = _row_counts()

    call_command("seed_demo", force=True, stdout=io.StringIO())

    assert _row_counts() == before
    assert before["municipalities.Municipality"] == 10
    assert client.login(username="demo-staff", password="qmi-demo-staff")
    assert client.login(username="demo-aubervilliers", password="qmi-demo-town")


def test_seed_demo_staff_account_logs_in(client, seeded):
    assert client.login(username="demo-staff", password="qmi-demo-staff")

    user = get_user_model().objects.get(username="demo-staff")
    assert user.is_staff
    assert not user.is_superuser
    assert user.groups.filter(name=PROGRAMME_STAFF).exists()
    assert is_programme_staff(user)
    assert client.get("/fr/admin/municipalities/municipality/").status_code == 200


def test_seed_demo_municipality_account_member_of_aubervilliers(client, seeded):
    assert client.login(username="demo-aubervilliers", password="qmi-demo-town")

    user = get_user_model().objects.get(username="demo-aubervilliers")
    assert not user.is_staff
    assert user.groups.filter(name=MUNICIPALITY_STAFF).exists()
    assert [m.municipality.name for m in user.municipality_memberships.all()] == ["Aubervilliers"]
    html = client.get("/fr/my-municipality/").content.decode()
    assert "Centre-ville d&#x27;Aubervilliers" in html
    assert "Meudon" not in html


def test_seed_demo_reports_what_it_loaded(seeded):
    assert "3 editions, 10 municipalities" in seeded
    assert "demo-staff / qmi-demo-staff" in seeded


def test_seed_demo_without_force_refused_when_debug_off(settings):
    settings.DEBUG = False
    before = _row_counts()

    with pytest.raises(CommandError, match="DEBUG"):
        call_command("seed_demo", stdout=io.StringIO())

    assert _row_counts() == before


def test_seed_demo_pages_answer(client, seeded):
    for url in [
        "/fr/",
        "/en/",
        "/fr/editions/2/",
        "/en/municipalities/aubervilliers/",
        "/fr/calls/qmi2-municipalities/",
        "/en/partners/",
    ]:
        assert client.get(url).status_code == 200, url
