"""Exports of a call's applications with their scores: streamed CSV and XLSX, formula-safe."""

import csv
import io

import pytest
from django.http import FileResponse, StreamingHttpResponse
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from openpyxl import load_workbook

from calls.services.exports import call_export_header, cell_safe
from tests.calls.selection_world import make_world
from tests.factories import ApplicationFactory, UrbanChallengeFactory, completed_review

pytestmark = pytest.mark.django_db

DANGEROUS = {
    "organisation_name": '=HYPERLINK("http://evil.example","clic")',
    "solution_name": "+cmd|' /C calc'!A0",
    "contact_phone": "-2+3",
    "solution_summary": "@SUM(1+1)*cmd",
    "contact_last_name": "\tDurand",
    "contact_first_name": "\rAlex",
}


@pytest.fixture
def world():
    return make_world()


@pytest.fixture
def staff_client(client, world):
    client.force_login(world.staff)
    return client


def _csv(client, call):
    response = client.get(reverse("calls:call_export_csv", kwargs={"slug": call.slug}))
    assert response.status_code == 200
    assert isinstance(response, StreamingHttpResponse)
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert "attachment;" in response["Content-Disposition"]
    return b"".join(response.streaming_content).decode("utf-8")


def _xlsx(client, call):
    response = client.get(reverse("calls:call_export_xlsx", kwargs={"slug": call.slug}))
    assert response.status_code == 200
    assert isinstance(response, FileResponse)
    content = b"".join(response.streaming_content)
    response.close()
    return load_workbook(io.BytesIO(content), read_only=True).active


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("=1+1", "'=1+1"),
        ("+33 1 23", "'+33 1 23"),
        ("-5", "'-5"),
        ("@here", "'@here"),
        ("\tx", "'\tx"),
        ("\rx", "'\rx"),
        ("Ombre = fraîcheur", "Ombre = fraîcheur"),
        (3, 3),
        (None, None),
    ],
)
def test_cell_safe(value, expected):
    assert cell_safe(value) == expected


def test_csv_has_bom_semicolons_scores_and_no_drafts(staff_client, world):
    completed_review(application=world.application, values=[5, 4, 3, 2, 1])
    completed_review(application=world.application, values=[4, 4, 4, 4, 4])
    draft = ApplicationFactory(call=world.call, organisation_name="Brouillon SAS")

    text = _csv(staff_client, world.call)

    assert text.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(text[1:], newline=""), delimiter=";"))
    header, *lines = rows
    assert len(lines) == 1
    row = dict(zip(header, lines[0], strict=True))
    assert row[_("Reference")] == world.application.reference
    assert row[_("Organisation")] == "Ombre Fraîche"
    assert row[_("Target districts")] == "Aubervilliers"
    assert row[_("Themes")] == "Chaleur"
    assert row[_("Weighted score")] == "3,50"
    assert row[_("Completed reviews")] == "2"
    assert row[_("Mean score: %(criterion)s") % {"criterion": "Utilité"}] == "4,50"
    assert draft.organisation_name not in text


def test_csv_and_xlsx_are_safe_against_formula_injection(staff_client, world):
    for field, value in DANGEROUS.items():
        setattr(world.application, field, value)
    world.application.save()

    text = _csv(staff_client, world.call)
    sheet = _xlsx(staff_client, world.call)

    rows = list(csv.reader(io.StringIO(text[1:], newline=""), delimiter=";"))
    cells = [str(cell.value) for cell in list(sheet.iter_rows())[1] if cell.value is not None]
    for value in DANGEROUS.values():
        assert "'" + value in rows[1]
    assert "'" + DANGEROUS["organisation_name"] in cells
    for row in [*rows[1:], cells]:
        assert not any(cell.startswith(("=", "+", "-", "@", "\t", "\r")) for cell in row)


def test_xlsx_has_header_scores_as_numbers(staff_client, world):
    completed_review(application=world.application, values=[5, 5, 5, 5, 5])

    sheet = _xlsx(staff_client, world.call)

    header, first = list(sheet.iter_rows(values_only=True))[:2]
    row = dict(zip(header, first, strict=True))
    assert row[_("Reference")] == world.application.reference
    assert row[_("Weighted score")] == 5
    assert row[_("Possible duplicate")] == _("no")


def test_xlsx_in_english_names_the_themes_in_english(staff_client, world):
    theme = UrbanChallengeFactory(
        edition=world.call.edition, name_fr="Îlots de fraîcheur", name_en="Cool islands"
    )
    world.application.themes.add(theme)

    with translation.override("en"):
        sheet = _xlsx(staff_client, world.call)
        header, first = list(sheet.iter_rows(values_only=True))[:2]
        row = dict(zip(header, first, strict=True))
        themes = row[_("Themes")]

    assert "Cool islands" in themes
    assert "Îlots" not in themes


@pytest.mark.parametrize("rows", [1, 3])
def test_csv_query_count_constant(staff_client, django_assert_num_queries, world, rows):
    for _index in range(rows - 1):
        completed_review(application=ApplicationFactory(call=world.call, status="under_review"))

    # User (the session is cached), role, call, criteria; then one COPY (not counted: psycopg's own
    # cursor) builds every line in the database.
    with django_assert_num_queries(4):
        text = _csv(staff_client, world.call)

    assert len(text.splitlines()) == rows + 1


def test_csv_by_copy_and_by_python_give_the_same_cells(world):
    """PostgreSQL's COPY and the portable Python path (SQLite) write the same export."""
    from calls.services.exports import call_export_csv_chunks, call_export_csv_stream

    completed_review(application=world.application, values=[5, 4, 3, 2, 1])
    conflicted = completed_review(application=world.application, values=[1, 1, 1, 1, 1])
    conflicted.completed_at = None
    conflicted.conflict_declared_at = conflicted.assigned_at
    conflicted.save()
    ApplicationFactory(
        call=world.call,
        status="submitted",
        organisation_name="OMBRE FRAÎCHE",
        siret="",
        country="BE",
        submitted_at=timezone.now().replace(hour=23, minute=30),
        **{field: value for field, value in DANGEROUS.items() if field != "organisation_name"},
    )
    ApplicationFactory(
        call=world.call, status="selected", selected_district=world.district_a, legal_form=""
    )

    by_copy = b"".join(call_export_csv_stream(call=world.call)).decode("utf-8")
    by_python = "".join(call_export_csv_chunks(call=world.call))

    def cells(text):
        return list(csv.reader(io.StringIO(text[1:], newline=""), delimiter=";"))

    assert cells(by_copy) == cells(by_python)
    assert len(cells(by_copy)) == 4


def _cells(text):
    return list(csv.reader(io.StringIO(text[1:], newline=""), delimiter=";"))


@pytest.mark.parametrize("language", ["fr", "en"])
def test_csv_by_copy_weighted_scores_partial_reviews_and_draft_duplicates(world, language):
    """Unequal weights, a review missing a criterion, a duplicate SIRET only with a
    draft: the figures computed by hand, and (in French) the cells of the Python path."""
    from calls.services.exports import call_export_csv_chunks, call_export_csv_stream

    criteria = list(world.call.criteria.order_by("order", "pk"))
    for criterion, weight in zip(criteria, ["3.00", "1.00", "1.00", "0.50", "2.50"], strict=True):
        criterion.weight = weight
        criterion.save(update_fields=["weight"])
    completed_review(application=world.application, values=[5, 4, 3, 2, 1])
    partial = completed_review(application=world.application, values=[1, 1, 1, 1, 1])
    partial.scores.filter(criterion=criteria[0]).delete()
    world.theme.name_en = ""
    world.theme.order = 5
    world.theme.save()
    # Created in the reverse of their order: the cells list them by name, by theme order.
    late_theme = UrbanChallengeFactory(
        edition=world.call.edition, name_fr="Zinc", name_en="", order=9
    )
    early_theme = UrbanChallengeFactory(
        edition=world.call.edition, name_fr="Air", name_en="", order=0
    )
    world.application.themes.add(late_theme, early_theme)
    world.application.target_districts.add(world.district_b)
    world.district_a.municipality.name = "Zèbre-ville"
    world.district_a.municipality.save()
    twin = ApplicationFactory(call=world.call, status="submitted", siret="44306184100047")
    ApplicationFactory(call=world.call, siret=twin.siret)  # a draft: not exported, counted
    alone = ApplicationFactory(
        call=world.call, status="eligible", siret="", organisation_name="Seule SAS"
    )

    with translation.override(language):
        by_copy = _cells(b"".join(call_export_csv_stream(call=world.call)).decode("utf-8"))
        header = call_export_header(criteria=criteria)
        names = {
            key: _(key)
            for key in ("Reference", "Possible duplicate", "Weighted score", "Completed reviews")
        }
        means = [_("Mean score: %(criterion)s") % {"criterion": c.name} for c in criteria[:2]]
        themes, districts, yes, no = _("Themes"), _("Target districts"), _("yes"), _("no")
    if language == "fr":
        # The Python path (XLSX, SQLite); in English it trips on the themes' names.
        assert by_copy == _cells("".join(call_export_csv_chunks(call=world.call)))
    assert len(by_copy) == 4
    rows = {
        row[header.index(names["Reference"])]: dict(zip(header, row, strict=True))
        for row in by_copy[1:]
    }
    scored = rows[world.application.reference]
    # (5×3 + 4 + 3 + 2×0.5 + 1×2.5) / 8 = 3.1875 and (1 + 1 + 0.5 + 2.5) / 5 = 1: 2.09375
    assert scored[names["Weighted score"]] == "2,09"
    assert scored[names["Completed reviews"]] == "2"
    assert scored[means[0]] == "5,00"  # the partial review has no score for it
    assert scored[means[1]] == "2,50"
    # No English names: the French ones.
    assert scored[themes] == "Air, Chaleur, Zinc"
    assert scored[districts] == "Bondy, Zèbre-ville"
    assert rows[twin.reference][names["Possible duplicate"]] == yes
    assert rows[alone.reference][names["Possible duplicate"]] == no


@pytest.mark.parametrize("rows", [1, 3])
def test_xlsx_query_count_constant(staff_client, django_assert_num_queries, world, rows):
    for _index in range(rows - 1):
        ApplicationFactory(call=world.call, status="submitted")

    with django_assert_num_queries(10):
        sheet = _xlsx(staff_client, world.call)

    assert len(list(sheet.iter_rows())) == rows + 1


@pytest.mark.parametrize("name", ["call_export_csv", "call_export_xlsx"])
@pytest.mark.parametrize("role", ["applicant", "reviewer", "town_a_user"])
def test_exports_are_for_staff_only(client, world, name, role):
    client.force_login(getattr(world, role))

    response = client.get(reverse(f"calls:{name}", kwargs={"slug": world.call.slug}))

    assert response.status_code == 404
