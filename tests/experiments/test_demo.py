"""Demo experiments: both editions as the programme ran them, a real history, and the
bulk data of the benchmarks."""

import io
import itertools
from collections import Counter
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext, override_settings
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import empty

from calls.demo_scale import seed_scale
from calls.enums import ApplicationStatus
from calls.models import Application, private_storage
from experiments.demo import DEMO_EXPERIMENTER, DEMOS, FICTIONAL_FR, seed_experiments
from experiments.demo_scale import (
    BENCH_EXPERIMENTS,
    BENCH_INDICATORS,
    BENCH_MONTHS,
    BENCH_TOWN_USER,
    seed_experiment_scale,
)
from experiments.enums import ExperimentStatus as S
from experiments.enums import Outcome, ReportStatus
from experiments.models import (
    Experiment,
    Indicator,
    Measurement,
    Milestone,
    OutcomeUpdate,
    ProgressReport,
    ReportComment,
    ReportPhoto,
)
from experiments.selectors import late_milestones
from experiments.services.lifecycle import TRANSITIONS
from municipalities.demo import DEMO_MUNICIPALITY, DEMO_STAFF

pytestmark = pytest.mark.django_db

FAST_HASHER = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EDITION_1_TOWNS = {"Aulnay-sous-Bois", "Meudon", "Noisy-le-Grand", "Sceaux"}
EDITION_2_TOWNS = {
    "Athis-Mons",
    "Aubervilliers",
    "Fontenay-sous-Bois",
    "Sucy-en-Brie",
    "Issy-les-Moulineaux",
    "Argenteuil",
}
REAL_SOLUTIONS = {
    "Purple Alternative Surface": "Aulnay-sous-Bois",
    "Pélican Cycles": "Meudon",
    "Vytal": "Noisy-le-Grand",
    "Végétalisation 2e vie": "Sceaux",
}


# Where the module's seed stored its files (each test gets its own PRIVATE_MEDIA_ROOT).
SEEDED_FILES = {}


@pytest.fixture(scope="module")
def seeded(django_db_setup, django_db_blocker, tmp_path_factory):
    """Seed once for the module, in a transaction rolled back at its end."""
    SEEDED_FILES["root"] = tmp_path_factory.mktemp("private")
    with (
        override_settings(PASSWORD_HASHERS=FAST_HASHER, PRIVATE_MEDIA_ROOT=SEEDED_FILES["root"]),
        django_db_blocker.unblock(),
        transaction.atomic(),
    ):
        private_storage._wrapped = empty
        out = io.StringIO()
        call_command("seed_demo", force=True, stdout=out)
        yield out.getvalue()
        transaction.set_rollback(True)
    private_storage._wrapped = empty


def _demo_experiments():
    return Experiment.objects.filter(solution_name__in=[demo.solution for demo in DEMOS])


def test_seed_demo_prints_the_experimenter_login(seeded):
    assert (
        f"Experimenter: {DEMO_EXPERIMENTER['username']} / {DEMO_EXPERIMENTER['password']}" in seeded
    )


def test_seed_demo_experimenter_signs_in_and_sees_their_experiment(seeded, client, settings):
    settings.PRIVATE_MEDIA_ROOT = SEEDED_FILES["root"]
    assert client.login(
        username=DEMO_EXPERIMENTER["username"], password=DEMO_EXPERIMENTER["password"]
    )

    response = client.get(reverse("experiments:my_experiments"))

    assert response.status_code == 200
    [row] = response.context["rows"]
    assert row.experiment.status == S.RUNNING
    assert row.late_count >= 1
    draft = row.experiment.progress_reports.get(status=ReportStatus.DRAFT)
    assert draft.photos.count() == 2
    photo = draft.photos.first()
    served = client.get(reverse("experiments:photo_file", args=[draft.uuid, photo.pk]))
    assert served.status_code == 200
    assert served["Content-Type"] == "image/png"


def test_seed_demo_edition_1_evaluated_or_ended_with_outcomes(seeded):
    edition_1 = _demo_experiments().filter(district__edition__number=1)

    assert {e.district.municipality.name for e in edition_1} == EDITION_1_TOWNS
    assert set(edition_1.values_list("status", flat=True)) == {S.EVALUATING, S.ENDED}
    for experiment in edition_1.filter(status=S.ENDED):
        assert experiment.evaluation.outcome in Outcome.values
        assert experiment.outcome_updates.exists()
        if experiment.evaluation.outcome == Outcome.CONTRACTED:
            assert experiment.evaluation.buyer
    for experiment in edition_1.filter(status=S.EVALUATING):
        assert experiment.evaluation.outcome == ""
    outcomes = set(OutcomeUpdate.objects.values_list("outcome", flat=True))
    assert {Outcome.CONTRACTED, Outcome.STOPPED} <= outcomes


def test_seed_demo_edition_1_real_solutions_in_their_towns(seeded):
    for solution, town in REAL_SOLUTIONS.items():
        experiment = Experiment.objects.get(solution_name=solution)
        assert experiment.district.municipality.name == town
        assert experiment.district.edition.number == 1
    others = _demo_experiments().exclude(solution_name__in=REAL_SOLUTIONS)
    assert all(FICTIONAL_FR in name for name in others.values_list("solution_name", flat=True))


def test_seed_demo_edition_2_running_two_or_three_per_district(seeded):
    edition_2 = _demo_experiments().filter(district__edition__number=2)
    per_town = Counter(edition_2.values_list("district__municipality__name", flat=True))

    assert set(per_town) == EDITION_2_TOWNS
    assert all(1 <= count <= 3 for count in per_town.values())
    assert edition_2.filter(status=S.RUNNING).count() >= 10
    assert edition_2.filter(status=S.SUSPENDED).exists()


def test_seed_demo_history_leads_to_each_status(seeded):
    for experiment in _demo_experiments().prefetch_related("status_changes"):
        changes = list(experiment.status_changes.order_by("at", "pk"))
        assert changes[0].to_status == S.PLANNED
        assert changes[-1].to_status == experiment.status
        for before, after in itertools.pairwise(changes):
            assert after.from_status == before.to_status
            assert after.to_status in TRANSITIONS[before.to_status]
            assert before.at <= after.at
        assert changes[-1].at <= timezone.now()


def test_seed_demo_sites_near_their_district(seeded):
    for experiment in _demo_experiments().prefetch_related("sites").select_related("district"):
        sites = list(experiment.sites.all())
        assert sites
        for site in sites:
            assert abs(site.latitude - experiment.district.latitude) < Decimal("0.01")
            assert abs(site.longitude - experiment.district.longitude) < Decimal("0.01")


def test_seed_demo_some_milestones_late_none_done_in_the_future(seeded):
    today = timezone.localdate()

    late = late_milestones(_demo_experiments(), today)

    assert late.count() >= 3
    assert {m.experiment.district.edition.number for m in late} == {2}
    assert not Milestone.objects.filter(done_date__gt=today).exists()


def test_seed_demo_measurements_monthly_inside_each_experiment(seeded):
    today = timezone.localdate()
    experiments = _demo_experiments()
    measurements = Measurement.objects.filter(indicator__experiment__in=experiments)

    assert measurements.count() > 200
    for experiment in experiments.prefetch_related("indicators__measurements"):
        assert experiment.indicators.exists()
        for indicator in experiment.indicators.all():
            days = [m.measured_on for m in indicator.measurements.all()]
            assert days
            assert all(
                experiment.start_date <= day <= min(experiment.end_date, today) for day in days
            )
    for indicator in Indicator.objects.filter(experiment__in=experiments):
        assert (indicator.target > indicator.baseline) == (indicator.direction == "up")


def test_seed_demo_submitted_reports_with_comments(seeded):
    reports = ProgressReport.objects.filter(experiment__in=_demo_experiments())

    assert reports.filter(status=ReportStatus.SUBMITTED).count() >= 20
    assert not reports.filter(status=ReportStatus.SUBMITTED, submitted_at=None).exists()
    town_comments = ReportComment.objects.filter(author__username=DEMO_MUNICIPALITY["username"])
    assert town_comments.exists()
    assert {c.report.experiment.district.municipality.name for c in town_comments} == {
        "Aubervilliers"
    }
    assert ReportComment.objects.filter(author__username=DEMO_STAFF["username"]).exists()
    for report in reports.filter(status=ReportStatus.SUBMITTED).select_related("experiment"):
        assert report.experiment.start_date <= report.period_start <= report.period_end
        assert report.period_end <= report.experiment.end_date


def test_seed_demo_experiments_twice_creates_nothing(seeded):
    from django.contrib.auth import get_user_model

    User = get_user_model()
    before = {
        model: model.objects.count()
        for model in (Experiment, Milestone, Indicator, Measurement, ProgressReport, ReportPhoto)
    }

    again = seed_experiments(
        staff=User.objects.get(username=DEMO_STAFF["username"]),
        municipality_user=User.objects.get(username=DEMO_MUNICIPALITY["username"]),
    )

    assert again == []
    assert before == {model: model.objects.count() for model in before}


# --- At scale -----------------------------------------------------------------------


def test_seed_experiment_scale_benchmark_district(seeded):
    with CaptureQueriesContext(connection) as queries:
        result = seed_experiment_scale()

    district = result.district
    experiments = district.experiments.all()
    assert experiments.count() == BENCH_EXPERIMENTS
    indicators = Indicator.objects.filter(experiment__district=district)
    assert indicators.count() == BENCH_EXPERIMENTS * BENCH_INDICATORS
    per_indicator = set(
        Counter(
            Measurement.objects.filter(indicator__in=indicators).values_list("indicator", flat=True)
        ).values()
    )
    assert per_indicator == {BENCH_MONTHS}
    # Bulk: the number of queries does not follow the 18,000 measurements.
    assert len(queries) < 80
    today = timezone.localdate()
    assert not Measurement.objects.filter(indicator__in=indicators, measured_on__gt=today).exists()
    assert set(experiments.values_list("status", flat=True)) == {S.RUNNING}
    assert late_milestones(experiments, today).exists()
    assert result.town_user.username == BENCH_TOWN_USER
    assert result.town_user.municipality_memberships.filter(
        municipality=district.municipality
    ).exists()

    again = seed_experiment_scale()
    assert again.rows["experiments"] == again.rows["measurements"] == 0
    assert again.district == district


def test_seed_experiment_scale_gives_selected_applications_their_experiment(seeded):
    seed_scale(count=400)
    selected = Application.objects.filter(
        applicant__username__startswith="scale-", status=ApplicationStatus.SELECTED
    )
    assert selected.exists()

    seed_experiment_scale()

    for application in selected.select_related("experiment"):
        experiment = application.experiment
        assert experiment.district_id == application.selected_district_id
        assert experiment.status == S.PLANNED
        assert experiment.milestones.count() == 7
        assert experiment.status_changes.get().to_status == S.PLANNED


def test_seed_demo_scale_names_the_benchmark_district(seeded):
    out = io.StringIO()

    call_command("seed_demo", force=True, scale=50, stdout=out)

    text = out.getvalue()
    assert "Benchmark district: Quartier de charge de Banc-d'Essai (fictif)" in text
    assert f"{BENCH_EXPERIMENTS} experiments × {BENCH_INDICATORS} indicators" in text
