"""A town's officer signs in, reads the dashboard of their district, comments on a report;
another town's officer reaches none of it.
"""

import re
from decimal import Decimal

import pytest
from dateutil.relativedelta import relativedelta
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext
from playwright.sync_api import expect

from experiments.models import ReportComment
from experiments.services.lifecycle import milestones_generate
from tests.factories import (
    EditionFactory,
    ExperimentFactory,
    ExperimentSiteFactory,
    IndicatorFactory,
    InnovationDistrictFactory,
    MeasurementFactory,
    MunicipalityMembershipFactory,
    ProgressReportFactory,
    ReportPhotoFactory,
    UserFactory,
    png_bytes,
)

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

PASSWORD = "correct horse battery"
SOLUTIONS = [
    ("Bancs rafraîchissants", Decimal("48.9150"), Decimal("2.3810")),
    ("Capteurs de bruit", Decimal("48.9122"), Decimal("2.3859")),
    ("Toits végétalisés", Decimal("48.9171"), Decimal("2.3772")),
]


def _district(town, name, slug, insee):
    return InnovationDistrictFactory(
        edition=EditionFactory(number=2, name_fr="Édition 2", name_en="Edition 2")
        if town == "Aubervilliers"
        else EditionFactory(),
        municipality__name=town,
        municipality__slug=slug,
        municipality__insee_code=insee,
        name_fr=name,
        name_en=name,
    )


def _world():
    """Aubervilliers' district with three experiments; Bondy's with one."""
    today = timezone.localdate()
    district = _district("Aubervilliers", "Quartier Villette", "aubervilliers", "93001")
    experiments = []
    for index, (name, latitude, longitude) in enumerate(SOLUTIONS):
        experiment = ExperimentFactory(
            district=district,
            solution_name=name,
            start_date=today.replace(day=1) - relativedelta(months=5 + index),
        )
        experiment.end_date = experiment.start_date + relativedelta(months=18)
        experiment.save()
        milestones_generate(experiment=experiment)
        # Done as planned, except the installation of the first experiment: late.
        for milestone in experiment.milestones.filter(due_date__lt=today):
            if not (index == 0 and milestone.code == "installation"):
                milestone.done_date = milestone.due_date
                milestone.save()
        ExperimentSiteFactory(
            experiment=experiment, name=f"Site {index + 1}", latitude=latitude, longitude=longitude
        )
        indicator = IndicatorFactory(
            experiment=experiment,
            name="Température ressentie",
            unit="°C",
            baseline=Decimal("34"),
            target=Decimal("29"),
            direction="down",
        )
        for month in range(5):
            MeasurementFactory(
                indicator=indicator,
                measured_on=experiment.start_date + relativedelta(months=month, days=14),
                value=Decimal("34") - Decimal(month) * Decimal("0.8"),
                source="Capteur de la place",
            )
        experiments.append(experiment)
    report = ProgressReportFactory(
        experiment=experiments[0],
        status="submitted",
        work_done="Trois bancs installés sur la place, premiers retours des habitants.",
    )
    photo = ReportPhotoFactory(report=report, caption="Les bancs sous les platanes")
    other = _district("Bondy", "Quartier Gare de Bondy", "bondy", "93010")
    ExperimentFactory(district=other, solution_name="Toits de Bondy")
    town_a = MunicipalityMembershipFactory(
        municipality=district.municipality,
        user=UserFactory(username="agent.aubervilliers", first_name="Camille", last_name="Roux"),
    ).user
    town_b = MunicipalityMembershipFactory(
        municipality=other.municipality, user=UserFactory(username="agent.bondy")
    ).user
    return {
        "district": district,
        "experiment": experiments[0],
        "report": report,
        "photo": photo,
        "town_a": town_a,
        "town_b": town_b,
    }


def _sign_in(page, username):
    page.goto("/fr/account/login/?next=/fr/my-municipality/")
    page.locator("input[name=username]").fill(username)
    page.locator("input[name=password]").fill(PASSWORD)
    page.get_by_role("button", name=gettext("Sign in")).click()
    expect(page).to_have_url(re.compile(r"/fr/my-municipality/$"))


def _check(page, screenshot, axe_violations, name):
    screenshot(name)
    assert axe_violations() == [], name


def test_town_officer_reads_the_dashboard_and_comments_another_town_cannot(
    page, screenshot, axe_violations
):
    world = _world()
    district_url = reverse("municipalities:dashboard_district", kwargs={"pk": world["district"].pk})
    experiment_url = reverse(
        "municipalities:dashboard_experiment", kwargs={"uuid": world["experiment"].uuid}
    )
    report_url = reverse("municipalities:dashboard_report", kwargs={"uuid": world["report"].uuid})
    photo_url = reverse(
        "municipalities:dashboard_report_photo",
        kwargs={"uuid": world["report"].uuid, "pk": world["photo"].pk},
    )
    export_url = reverse(
        "municipalities:dashboard_district_export", kwargs={"pk": world["district"].pk}
    )

    # Aubervilliers' officer signs in and lands on their space.
    _sign_in(page, "agent.aubervilliers")
    expect(page.get_by_role("heading", level=1)).to_have_text(gettext("My space"))
    expect(page.get_by_text("Bondy")).to_have_count(0)
    _check(page, screenshot, axe_violations, "dashboard-1-home")

    # The district: experiments, the late one flagged, the timeline with today, the map.
    page.get_by_role("link", name=re.compile("Aubervilliers – Quartier Villette")).click()
    expect(page).to_have_url(re.compile(re.escape(district_url) + "$"))
    expect(page.get_by_role("heading", level=1)).to_contain_text("Quartier Villette")
    rows = page.locator(".experiments-table tbody tr")
    expect(rows).to_have_count(3)
    expect(page.locator(".experiments-table tr.is-late")).to_have_count(1)
    expect(page.locator(".experiments-table tr.is-late")).to_contain_text("Bancs rafraîchissants")
    timeline = page.locator("svg.timeline-chart")
    expect(timeline).to_be_visible()
    expect(timeline.locator("line.today-line")).to_have_count(1)
    expect(timeline.locator("rect")).to_have_count(3)
    expect(page.locator("svg.progress-chart")).to_be_visible()
    expect(page.locator("#sites-map.map-ready")).to_be_visible()
    expect(page.locator("#sites-map path.leaflet-interactive")).to_have_count(4)  # 3 sites, area
    expect(page.get_by_text("Toits de Bondy")).to_have_count(0)
    # The table alternative opens without any script.
    page.get_by_text(gettext("The timeline as a table")).click()
    expect(page.locator("details.chart-table").first.locator("table")).to_be_visible()
    _check(page, screenshot, axe_violations, "dashboard-2-district")

    # An experiment: a line chart per indicator, its values as a table.
    page.locator(".experiments-table").get_by_role("link", name="Bancs rafraîchissants").click()
    expect(page).to_have_url(re.compile(re.escape(experiment_url) + "$"))
    chart = page.locator("svg.indicator-chart")
    expect(chart).to_have_count(1)
    expect(chart.locator("polyline")).to_have_count(1)
    expect(chart.locator("circle")).to_have_count(5)
    page.locator(".indicator-card summary").click()
    expect(page.locator(".indicator-card table tbody tr")).to_have_count(5)
    expect(page.locator(".milestones-table tr.is-late")).to_contain_text(
        gettext("Installation on site")
    )
    _check(page, screenshot, axe_violations, "dashboard-3-experiment")

    # The report: read it, see its photo, comment on it.
    page.locator(".reports-table a").first.click()
    expect(page).to_have_url(re.compile(re.escape(report_url) + "$"))
    expect(page.get_by_text("Trois bancs installés sur la place")).to_be_visible()
    photo = page.get_by_role("img", name="Les bancs sous les platanes")
    expect(photo).to_be_visible()
    # Loaded and decoded (waits for the image, not only its box).
    page.wait_for_function(
        "(img) => img.complete && img.naturalWidth > 0", arg=photo.element_handle(), timeout=5000
    )
    assert page.request.get(photo_url).body() == png_bytes()
    page.get_by_role("button", name=gettext("Publish my comment")).click()
    expect(page.locator("#error-summary")).to_be_visible()  # An empty comment: nothing sent.
    page.get_by_label(gettext("Your comment")).fill("Merci, la place est plus fraîche.")
    page.get_by_role("button", name=gettext("Publish my comment")).click()
    expect(page).to_have_url(re.compile(re.escape(report_url) + "#comments$"))
    expect(page.locator("ol.comments")).to_contain_text("Merci, la place est plus fraîche.")
    expect(page.locator("ol.comments")).to_contain_text("Camille Roux")
    assert ReportComment.objects.filter(author=world["town_a"]).count() == 1
    _check(page, screenshot, axe_violations, "dashboard-4-report-commented")

    # Bondy's officer: none of Aubervilliers' pages, files or exports.
    page.context.clear_cookies()
    _sign_in(page, "agent.bondy")
    expect(page.get_by_text("Quartier Villette")).to_have_count(0)
    for url in (district_url, experiment_url, report_url, photo_url, export_url):
        response = page.request.get(url)
        assert response.status == 404, url
    response = page.goto(report_url)
    assert response.status == 404
    expect(page.get_by_role("heading", level=1)).to_have_text(gettext("Page not found"))
    expect(page.get_by_text("Trois bancs installés")).to_have_count(0)
    _check(page, screenshot, axe_violations, "dashboard-5-other-town-404")
    # Posting a comment there, with a valid CSRF token, is refused the same way.
    token = next(c["value"] for c in page.context.cookies() if c["name"] == "csrftoken")
    response = page.request.post(
        report_url,
        form={"body": "Intrus"},
        headers={"X-CSRFToken": token, "Referer": page.url},
    )
    assert response.status == 404
    assert not ReportComment.objects.filter(body="Intrus").exists()


def test_staff_see_late_milestones_first_then_an_edition_in_english(
    page, screenshot, axe_violations
):
    _world()
    UserFactory(username="staff.parisandco", groups=["Paris&Co staff"], is_staff=True)

    _sign_in(page, "staff.parisandco")
    late = page.locator(".late-milestones tbody tr")
    expect(late).to_have_count(1)
    expect(late).to_contain_text("Bancs rafraîchissants")
    _check(page, screenshot, axe_violations, "dashboard-6-staff-home")

    page.locator(".edition-selector").get_by_role("link", name=re.compile("Édition 2")).click()
    expect(page.locator(".experiments-table tbody tr")).to_have_count(3)
    expect(page.locator("svg.timeline-chart")).to_be_visible()
    _check(page, screenshot, axe_violations, "dashboard-7-staff-edition")

    page.locator(".language-switcher a[hreflang=en]").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.get_by_role("heading", name="Timeline")).to_be_visible()
    expect(page.locator("svg.timeline-chart")).to_contain_text("Today")
    _check(page, screenshot, axe_violations, "dashboard-8-staff-edition-en")
