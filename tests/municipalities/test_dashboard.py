"""The municipality dashboard: own districts only, phase and lateness, charts, reports.

Another town's district, experiment, report, photo or export is a 404, checked
URL by URL for every role. Query counts are asserted with 1 and 3 rows.
"""

import datetime as dt
from decimal import Decimal
from html import escape

import pytest
from dateutil.relativedelta import relativedelta
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext

from experiments.models import ReportComment
from municipalities.charts import timeline_window
from municipalities.dashboard_selectors import experiment_row
from tests.factories import (
    ApplicationFactory,
    EditionFactory,
    ExperimentFactory,
    ExperimentSiteFactory,
    IndicatorFactory,
    InnovationDistrictFactory,
    MeasurementFactory,
    MilestoneFactory,
    MunicipalityMembershipFactory,
    ProgressReportFactory,
    ReportCommentFactory,
    ReportPhotoFactory,
    ReviewerFactory,
    StaffUserFactory,
    UserFactory,
    png_bytes,
)

pytestmark = pytest.mark.django_db

ROWS = [1, 3]
TODAY = timezone.localdate


def _html(response) -> str:
    assert response.status_code == 200, response.status_code
    return response.content.decode()


def _experiment(district, **kwargs):
    """A running experiment with one milestone of each kind, a site, an indicator, a report."""
    experiment = ExperimentFactory(district=district, **kwargs)
    start = experiment.start_date
    MilestoneFactory(experiment=experiment, name="Lancement", due_date=start, done_date=start)
    MilestoneFactory(
        experiment=experiment, name="Installation", due_date=TODAY() - dt.timedelta(days=10)
    )
    MilestoneFactory(
        experiment=experiment, name="Bilan", due_date=TODAY() + relativedelta(months=6)
    )
    ExperimentSiteFactory(experiment=experiment, name="Cour de l'école Jaurès")
    indicator = IndicatorFactory(experiment=experiment, name="Chaleur évitée", unit="kWh")
    for months, value in ((0, "100"), (1, "120"), (2, "125.5")):
        MeasurementFactory(
            indicator=indicator,
            measured_on=start + relativedelta(months=months),
            value=Decimal(value),
        )
    report = ProgressReportFactory(experiment=experiment, status="submitted")
    ReportPhotoFactory(report=report)
    ReportCommentFactory(report=report)
    return experiment


@pytest.fixture
def world():
    """Two towns of one edition, each with an experiment; a user for every role."""
    edition = EditionFactory(number=2, name_fr="Édition 2", name_en="Edition 2")
    district_a = InnovationDistrictFactory(
        edition=edition, municipality__name="Aubervilliers", name_fr="Quartier Villette"
    )
    district_b = InnovationDistrictFactory(
        edition=edition, municipality__name="Bondy", name_fr="Quartier Gare de Bondy"
    )
    experiment_a = _experiment(district_a, solution_name="Bancs rafraîchissants")
    experiment_b = _experiment(district_b, solution_name="Toits végétaux de Bondy")
    report_a = experiment_a.progress_reports.get()
    applicant = UserFactory()
    ApplicationFactory(applicant=applicant, incomplete=True)
    return {
        "edition": edition,
        "district_a": district_a,
        "district_b": district_b,
        "experiment_a": experiment_a,
        "experiment_b": experiment_b,
        "report_a": report_a,
        "photo_a": report_a.photos.get(),
        "draft_a": ProgressReportFactory(experiment=experiment_a, status="draft"),
        "users": {
            "applicant": applicant,
            "experimenter": experiment_a.experimenter,
            "reviewer": ReviewerFactory(),
            "town_a": MunicipalityMembershipFactory(municipality=district_a.municipality).user,
            "town_b": MunicipalityMembershipFactory(municipality=district_b.municipality).user,
            "staff": StaffUserFactory(),
        },
    }


def _urls(world) -> dict[str, str]:
    report = world["report_a"]
    return {
        "home": reverse("municipalities:my_municipality"),
        "district": reverse(
            "municipalities:dashboard_district", kwargs={"pk": world["district_a"].pk}
        ),
        "export": reverse(
            "municipalities:dashboard_district_export", kwargs={"pk": world["district_a"].pk}
        ),
        "edition": reverse(
            "municipalities:dashboard_edition", kwargs={"number": world["edition"].number}
        ),
        "experiment": reverse(
            "municipalities:dashboard_experiment", kwargs={"uuid": world["experiment_a"].uuid}
        ),
        "report": reverse("municipalities:dashboard_report", kwargs={"uuid": report.uuid}),
        "photo": reverse(
            "municipalities:dashboard_report_photo",
            kwargs={"uuid": report.uuid, "pk": world["photo_a"].pk},
        ),
        "draft": reverse("municipalities:dashboard_report", kwargs={"uuid": world["draft_a"].uuid}),
    }


# Every role × every URL of the dashboard (town A's objects). A draft report is
# never shown on the dashboard, not even to its own town.
NOT_A_TOWN = {"home": 200} | dict.fromkeys(
    ["district", "export", "edition", "experiment", "report", "photo", "draft"], 404
)
MATRIX = {
    "applicant": NOT_A_TOWN,
    "experimenter": NOT_A_TOWN,
    "reviewer": NOT_A_TOWN,
    "town_b": NOT_A_TOWN,
    "town_a": dict.fromkeys(["home", "district", "export", "experiment", "report", "photo"], 200)
    | {"edition": 404, "draft": 404},
    "staff": dict.fromkeys(
        ["home", "district", "export", "edition", "experiment", "report", "photo"], 200
    )
    | {"draft": 404},
}
CASES = [(role, name, status) for role, urls in MATRIX.items() for name, status in urls.items()]


@pytest.mark.parametrize(("role", "name", "status"), CASES)
def test_permission_matrix_role_and_url_give_status(client, world, role, name, status):
    client.force_login(world["users"][role])

    response = client.get(_urls(world)[name])

    assert response.status_code == status


@pytest.mark.parametrize(
    "name", ["home", "district", "export", "edition", "experiment", "report", "photo"]
)
def test_permission_matrix_anonymous_sent_to_login(client, world, name):
    url = _urls(world)[name]

    response = client.get(url)

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login") + "?next=")


def test_town_b_sees_its_own_district_and_nothing_of_town_a(client, world):
    client.force_login(world["users"]["town_b"])

    home = _html(client.get(reverse("municipalities:my_municipality")))
    page = _html(
        client.get(
            reverse("municipalities:dashboard_district", kwargs={"pk": world["district_b"].pk})
        )
    )

    assert "Quartier Gare de Bondy" in home
    assert "Aubervilliers" not in home
    assert "Toits végétaux de Bondy" in page
    assert "Bancs rafraîchissants" not in page
    assert str(world["experiment_a"].uuid) not in page


# Comments.


def test_comment_posted_by_the_town_is_saved_and_shown(client, world):
    report = world["report_a"]
    client.force_login(world["users"]["town_a"])
    url = _urls(world)["report"]

    response = client.post(url, {"body": "Les habitants sont ravis."})

    assert response.status_code == 302
    assert response["Location"] == url + "#comments"
    comment = ReportComment.objects.get(report=report, author=world["users"]["town_a"])
    assert comment.body == "Les habitants sont ravis."
    html = _html(client.get(url))
    assert "Les habitants sont ravis." in html
    assert gettext("Your comment is published.") in html


@pytest.mark.parametrize("role", ["town_b", "experimenter", "reviewer", "applicant"])
def test_comment_from_another_town_or_role_is_404_and_not_saved(client, world, role):
    client.force_login(world["users"][role])

    response = client.post(_urls(world)["report"], {"body": "Je n'ai rien à faire ici."})

    assert response.status_code == 404
    assert not ReportComment.objects.filter(body="Je n'ai rien à faire ici.").exists()


def test_comment_on_a_draft_report_is_404(client, world):
    client.force_login(world["users"]["town_a"])

    response = client.post(_urls(world)["draft"], {"body": "Trop tôt."})

    assert response.status_code == 404
    assert not ReportComment.objects.filter(body="Trop tôt.").exists()


@pytest.mark.parametrize("body", ["", "   "])
def test_comment_empty_shows_the_error_and_saves_nothing(client, world, body):
    client.force_login(world["users"]["town_a"])
    before = ReportComment.objects.count()

    response = client.post(_urls(world)["report"], {"body": body})

    html = _html(response)
    assert ReportComment.objects.count() == before
    assert 'id="error-summary"' in html
    assert response.context["form"].errors["body"]


def test_comment_by_staff_saved(client, world):
    client.force_login(world["users"]["staff"])

    response = client.post(_urls(world)["report"], {"body": "Vu par Paris&Co."})

    assert response.status_code == 302
    assert ReportComment.objects.filter(body="Vu par Paris&Co.").exists()


# Report page, photo, export.


def test_report_page_shows_texts_photo_and_comments(client, world):
    client.force_login(world["users"]["town_a"])

    html = _html(client.get(_urls(world)["report"]))

    assert "Installation des capteurs dans deux cours d&#x27;école." in html
    assert "Merci pour ce rapport détaillé." in html
    assert f'src="{_urls(world)["photo"]}"' in html
    assert 'alt="Le capteur installé"' in html


def test_photo_served_to_the_town_privately(client, world):
    client.force_login(world["users"]["town_a"])

    response = client.get(_urls(world)["photo"])

    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    assert response["Cache-Control"] == "private, no-store"
    assert b"".join(response.streaming_content) == png_bytes()


def test_photo_of_another_report_under_this_report_is_404(client, world):
    other = world["experiment_b"].progress_reports.get().photos.get()
    client.force_login(world["users"]["staff"])

    url = reverse(
        "municipalities:dashboard_report_photo",
        kwargs={"uuid": world["report_a"].uuid, "pk": other.pk},
    )

    assert client.get(url).status_code == 404


def test_export_lists_the_districts_measurements_with_decimal_comma(client, world):
    client.force_login(world["users"]["town_a"])

    response = client.get(_urls(world)["export"])

    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    lines = b"".join(response.streaming_content).decode("utf-8-sig").splitlines()
    assert lines[0].startswith(gettext("Experiment") + ";")
    assert len(lines) == 4
    assert lines[-1].split(";")[-2] == "125,5"
    assert all("Bancs rafraîchissants" in line for line in lines[1:])


# District page: experiments, phase, lateness, charts, map, reports, events.


def test_district_page_shows_status_phase_and_late_flag(client, world):
    client.force_login(world["users"]["town_a"])

    response = client.get(_urls(world)["district"])

    html = _html(response)
    (row,) = response.context["rows"]
    assert row.is_late
    assert [m.name for m in row.late] == ["Installation"]
    assert row.last_done.name == "Lancement"
    assert row.next_due.name == "Installation"
    assert 'class="is-late"' in html
    assert "late-badge" in html
    assert world["experiment_a"].get_status_display() in html


def test_late_flag_computed_from_the_dates(world):
    today = TODAY()
    experiment = ExperimentFactory()
    MilestoneFactory(experiment=experiment, due_date=today)
    MilestoneFactory(experiment=experiment, due_date=today - dt.timedelta(days=30), done_date=today)
    row = experiment_row(experiment, today)
    assert not row.is_late

    later = experiment_row(experiment, today + dt.timedelta(days=1))

    assert [m.due_date for m in later.late] == [today]


def test_late_flag_not_raised_for_an_abandoned_experiment(world):
    experiment = ExperimentFactory(status="abandoned")
    MilestoneFactory(experiment=experiment, due_date=TODAY() - dt.timedelta(days=5))

    assert not experiment_row(experiment, TODAY()).is_late


def test_district_page_draws_svg_charts_with_table_alternatives(client, world):
    client.force_login(world["users"]["town_a"])

    html = _html(client.get(_urls(world)["district"]))

    assert html.count('role="img"') == 2
    assert '<title id="timeline-title">' in html
    assert '<desc id="timeline-desc">' in html
    assert 'aria-labelledby="timeline-title timeline-desc"' in html
    assert 'class="today-line"' in html
    assert '<title id="progress-title">' in html
    assert html.count('<details class="chart-table">') == 3  # timeline, progress, sites
    assert "<script>" not in html  # No inline script (CSP): data through json_script.
    assert 'id="sites-map-data"' in html
    assert "Cour de l&#x27;école Jaurès" in html


def test_district_page_progress_of_the_indicators(client, world):
    client.force_login(world["users"]["town_a"])

    response = client.get(_urls(world)["district"])

    (row,) = response.context["rows"]
    # 100 → 150 kWh, latest 125.5: 51 % of the way.
    assert row.progress.indicators == 1
    assert row.progress.measured == 1
    assert row.progress.median == pytest.approx(0.51)
    assert row.progress_percent in _html(response)


def test_district_page_map_data_lists_own_sites_only(client, world):
    client.force_login(world["users"]["town_a"])

    response = client.get(_urls(world)["district"])

    sites = response.context["map_data"]["sites"]
    assert [site["name"] for site in sites] == ["Cour de l'école Jaurès"]
    assert sites[0]["experiment"] == "Bancs rafraîchissants"


def test_district_page_lists_submitted_reports_with_links(client, world):
    client.force_login(world["users"]["town_a"])

    html = _html(client.get(_urls(world)["district"]))

    assert _urls(world)["report"] in html
    assert _urls(world)["draft"] not in html


def test_district_page_links_to_coselection(client, world):
    client.force_login(world["users"]["town_a"])

    html = _html(client.get(_urls(world)["district"]))

    assert f'href="{reverse("calls:coselection_list")}"' in html


def test_district_page_lists_upcoming_events_for_the_town(client, world):
    from experiments.models import ProgrammeEvent

    now = timezone.now()

    def event(title, days, **kwargs):
        towns = kwargs.pop("towns", [])
        created = ProgrammeEvent.objects.create(
            kind="site_walk",
            title_fr=title,
            title_en=title,
            starts_at=now + dt.timedelta(days=days),
            ends_at=now + dt.timedelta(days=days, hours=2),
            place="Mairie",
            **kwargs,
        )
        created.municipalities.set(towns)
        return created

    event("Marche sensible à Aubervilliers", 5, towns=[world["district_a"].municipality])
    event("Marche sensible à Bondy", 5, towns=[world["district_b"].municipality])
    event("Module Pass Expé pour les villes", 9, audience="municipalities")
    event("Marche passée", -5, towns=[world["district_a"].municipality])
    client.force_login(world["users"]["town_a"])

    html = _html(client.get(_urls(world)["district"]))

    assert "Marche sensible à Aubervilliers" in html
    assert "Module Pass Expé pour les villes" in html
    assert "Marche sensible à Bondy" not in html
    assert "Marche passée" not in html


def test_timeline_covers_at_least_eighteen_months_from_the_first_start(world):
    experiment = ExperimentFactory(start_date=dt.date(2025, 2, 10), end_date=dt.date(2026, 1, 1))
    row = experiment_row(experiment, TODAY())

    window = timeline_window([row], TODAY())

    assert window.start == dt.date(2025, 2, 1)
    assert window.end == dt.date(2026, 8, 1)


# Experiment page: milestones and a chart per indicator.


def test_experiment_page_draws_a_chart_and_a_table_per_indicator(client, world):
    experiment = world["experiment_a"]
    IndicatorFactory(experiment=experiment, name="Usagers", unit="personnes")
    client.force_login(world["users"]["town_a"])

    html = _html(client.get(_urls(world)["experiment"]))

    assert html.count('class="chart indicator-chart"') == 2
    assert "<polyline" in html
    assert "Chaleur évitée" in html
    assert "125,5" in html  # French decimal comma, in the table and the chart.
    assert gettext("No measurement yet.") in html
    assert html.count('<details class="chart-table">') == 3  # 2 indicators, the sites


# Paris&Co staff: every district of an edition, late milestones first.


def test_staff_home_lists_late_milestones_across_the_programme_first(client, world):
    other_edition = EditionFactory()
    late_elsewhere = _experiment(
        InnovationDistrictFactory(edition=other_edition), solution_name="Ailleurs"
    )
    client.force_login(world["users"]["staff"])

    response = client.get(reverse("municipalities:my_municipality"))

    html = _html(response)
    experiments = {m.experiment for m in response.context["late_milestones"]}
    assert experiments == {world["experiment_a"], world["experiment_b"], late_elsewhere}
    assert response.context["late_total"] == 3
    assert html.index('id="late-title"') < html.index('id="districts-title"')
    assert reverse("municipalities:dashboard_edition", kwargs={"number": 2}) in html


def test_staff_edition_page_shows_every_district_of_the_edition(client, world):
    client.force_login(world["users"]["staff"])

    response = client.get(_urls(world)["edition"])

    html = _html(response)
    assert "Bancs rafraîchissants" in html
    assert "Toits végétaux de Bondy" in html
    assert html.index('id="late-title"') < html.index('id="experiments-title"')
    assert len(response.context["late_milestones"]) == 2


def test_town_home_lists_counts_of_its_districts(client, world):
    client.force_login(world["users"]["town_a"])

    response = client.get(reverse("municipalities:my_municipality"))

    (district,) = response.context["districts"]
    assert district.experiment_count == 1
    assert district.late_count == 1
    assert reverse(
        "municipalities:dashboard_district", kwargs={"pk": world["district_a"].pk}
    ) in _html(response)


# French and English.


def test_district_page_in_french_and_english(client, world):
    client.force_login(world["users"]["town_a"])  # 18 months from 3 months ago: a February.
    path = _urls(world)["district"].removeprefix("/fr/")
    today = gettext("Today")

    french = _html(client.get("/fr/" + path))
    english = _html(client.get("/en/" + path))

    assert '<html lang="fr">' in french
    assert '<html lang="en">' in english
    assert ">fév.<" in french  # Month labels of the timeline, from Django's catalogues.
    assert ">Feb.<" in english
    assert "Timeline" in english
    assert f">{escape(today)}</text>" in french


def test_report_comment_error_in_english(client, world, english):
    client.force_login(world["users"]["town_a"])
    url = reverse("municipalities:dashboard_report", kwargs={"uuid": world["report_a"].uuid})

    html = _html(client.post(url, {"body": ""}))

    assert url.startswith("/en/")
    assert "This field is required." in html


# Query counts: constant whatever the number of experiments, indicators, reports.


def _town_with(rows):
    district = InnovationDistrictFactory()
    for _ in range(rows):
        experiment = _experiment(district)
        for _ in range(2):
            IndicatorFactory(experiment=experiment)
        ProgressReportFactory(experiment=experiment, status="submitted")
        ExperimentSiteFactory(experiment=experiment)
    user = MunicipalityMembershipFactory(municipality=district.municipality).user
    return district, user


# User (the session is cached), the header's roles (on the first page only: then cached); staff
# checks of the view and of each scoped queryset; district; experiments +
# milestones + sites; indicators; reports; events.
DISTRICT_QUERIES = 12
EXPERIMENT_QUERIES = 10
REPORT_QUERIES = 10
EDITION_QUERIES = 15
HOME_STAFF_QUERIES = 8


@pytest.mark.parametrize("rows", ROWS)
def test_district_page_query_count_constant(client, django_assert_num_queries, rows):
    district, user = _town_with(rows)
    client.force_login(user)
    url = reverse("municipalities:dashboard_district", kwargs={"pk": district.pk})

    with django_assert_num_queries(DISTRICT_QUERIES):
        response = client.get(url)

    assert len(response.context["rows"]) == rows


@pytest.mark.parametrize("rows", ROWS)
def test_experiment_page_query_count_constant(client, django_assert_num_queries, rows):
    district, user = _town_with(1)
    experiment = district.experiments.get()
    for _ in range(rows):
        indicator = IndicatorFactory(experiment=experiment)
        MeasurementFactory.create_batch(3, indicator=indicator)
        ExperimentSiteFactory(experiment=experiment)
        ProgressReportFactory(experiment=experiment, status="submitted")
    client.force_login(user)
    url = reverse("municipalities:dashboard_experiment", kwargs={"uuid": experiment.uuid})

    with django_assert_num_queries(EXPERIMENT_QUERIES):
        html = _html(client.get(url))

    assert html.count('class="chart indicator-chart"') == rows + 3


@pytest.mark.parametrize("rows", ROWS)
def test_report_page_query_count_constant(client, django_assert_num_queries, rows):
    district, user = _town_with(1)
    report = district.experiments.get().progress_reports.filter(status="submitted").first()
    for _ in range(rows):
        ReportPhotoFactory(report=report)
        ReportCommentFactory(report=report)
        MeasurementFactory(indicator=report.experiment.indicators.first(), report=report)
    client.force_login(user)
    url = reverse("municipalities:dashboard_report", kwargs={"uuid": report.uuid})

    with django_assert_num_queries(REPORT_QUERIES):
        html = _html(client.get(url))

    assert html.count("<figure ") == report.photos.count()


@pytest.mark.parametrize("rows", ROWS)
def test_staff_edition_and_home_query_count_constant(client, django_assert_num_queries, rows):
    edition = EditionFactory()
    for _ in range(rows):
        district, _user = _town_with(1)
        district.edition = edition
        district.save()
    client.force_login(StaffUserFactory())
    edition_url = reverse("municipalities:dashboard_edition", kwargs={"number": edition.number})

    with django_assert_num_queries(EDITION_QUERIES):
        response = client.get(edition_url)
    with django_assert_num_queries(HOME_STAFF_QUERIES - 2):  # the user and roles cached by now
        client.get(reverse("municipalities:my_municipality"))

    assert len(response.context["rows"]) == rows


# The benchmark (bench/dashboard.py) in a tiny run: it seeds, signs in, measures.


def test_bench_dashboard_tiny_run_measures_every_page_with_constant_queries():
    from bench.dashboard import PAGES, measure_dashboard

    results = measure_dashboard(runs=1, experiments=3, indicators=2, months=3)

    assert [result.key for result in results] == [key for key, *_ in PAGES]
    for result in results:
        assert result.values["median_ms"] > 0, result.measure
        small = result.values["queries_small"]
        assert small is None or small == result.values["queries"], result.measure
