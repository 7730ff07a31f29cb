"""Experiments in bulk, for the benchmarks: part of ``seed_demo --scale N``.

Two parts, both idempotent:

- the benchmark district: a fictional town, "Banc-d'Essai (fictive)", whose
  district in edition 2 holds 50 running experiments × 20 indicators × 18
  monthly measurements, with their milestones (some late), sites, status
  history and submitted progress reports; a municipality user of the town
  (``scale-bench-town``, no password: benchmarks sign it in directly);
- an experiment, planned, with the standard milestones and five indicators,
  for every generated application that was selected (``calls.demo_scale``
  bypasses the workflow that would create it).

Rows go in with ``bulk_create``: a fixed number of queries per table, never
one per row. The services are not called (one experiment at a time by
design); the rows they would write are written directly, with the same rules
(dates inside the experiment, targets in the better direction, measurements
not in the future).
"""

import datetime as dt
import random
import time
from dataclasses import dataclass, field
from decimal import Decimal

from dateutil.relativedelta import relativedelta
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group
from django.db import transaction
from django.utils import timezone

from calls.enums import ApplicationStatus, CallKind
from calls.models import Application
from municipalities.enums import Department, Ept, MembershipRole
from municipalities.models import Edition, InnovationDistrict, Municipality, MunicipalityMembership
from municipalities.permissions import MUNICIPALITY_STAFF

from .enums import Direction, ReportStatus
from .enums import ExperimentStatus as S
from .models import (
    DEFAULT_DURATION_MONTHS,
    Experiment,
    ExperimentSite,
    ExperimentStatusChange,
    Indicator,
    Measurement,
    Milestone,
    ProgressReport,
)
from .selectors import report_due_dates
from .services.lifecycle import MILESTONE_TEMPLATE, milestone_names

USERNAME_PREFIX = "scale-"
BENCH_TOWN = {
    "name": "Banc-d'Essai (fictive)",
    "slug": "banc-d-essai-fictive",
    "insee_code": "95999",
    "department": Department.VAL_D_OISE,
    "ept": Ept.BOUCLE_NORD_DE_SEINE,
}
BENCH_DISTRICT_NAME = "Quartier de charge de Banc-d'Essai (fictif)"
BENCH_TOWN_USER = f"{USERNAME_PREFIX}bench-town"
BENCH_EXPERIMENTS = 50
BENCH_INDICATORS = 20
BENCH_MONTHS = 18
SELECTED_INDICATORS = 5
BATCH = 2000

INDICATOR_KINDS = [
    ("Usagers", "personnes/mois", 0, 400, Direction.UP),
    ("Déchets détournés", "kg/mois", 0, 900, Direction.UP),
    ("Température de surface", "°C", 48, 38, Direction.DOWN),
    ("Consommation d'énergie", "kWh/mois", 5200, 4100, Direction.DOWN),
    ("Satisfaction", "%", 40, 75, Direction.UP),
]


@dataclass
class ExperimentScaleResult:
    district: InnovationDistrict
    town_user: object
    rows: dict = field(default_factory=dict)
    seconds: float = 0.0


def seed_experiment_scale(
    *, seed: int = 2026, today: dt.date | None = None, log=None
) -> ExperimentScaleResult:
    """Make sure the benchmark district and the selected applications' experiments exist."""
    started = time.perf_counter()
    today = today or timezone.localdate()
    log = log or (lambda message: None)
    rng = random.Random(seed)  # noqa: S311 - demo data, not security
    rows = dict.fromkeys(
        [
            "experiments",
            "history",
            "sites",
            "milestones",
            "indicators",
            "measurements",
            "reports",
        ],
        0,
    )
    with transaction.atomic():
        district, town_user = _bench_district()
        wanted = BENCH_EXPERIMENTS - district.experiments.count()
        if wanted > 0:
            _bench_experiments(district, wanted, rng, today, rows)
            log(f"  {wanted} experiments in {district.name}…")
        selected = _selected_without_experiment()
        if selected:
            _selected_experiments(selected, rng, today, rows)
            log(f"  {len(selected)} experiments of selected generated applications…")
    return ExperimentScaleResult(
        district=district,
        town_user=town_user,
        rows=rows,
        seconds=time.perf_counter() - started,
    )


def _bench_district():
    town, _ = Municipality.objects.get_or_create(
        insee_code=BENCH_TOWN["insee_code"],
        defaults={key: value for key, value in BENCH_TOWN.items() if key != "insee_code"},
    )
    edition = Edition.objects.filter(number=2).first() or Edition.objects.order_by("-number")[0]
    district, _ = InnovationDistrict.objects.get_or_create(
        municipality=town,
        edition=edition,
        defaults={
            "name_fr": BENCH_DISTRICT_NAME,
            "name_en": "Banc-d'Essai load-test district (fictional)",
            "priority_challenge_fr": "Mesurer le tableau de bord sous charge (fictif).",
            "priority_challenge_en": "Measure the dashboard under load (fictional).",
            "description_fr": "Quartier fictif des données de charge.",
            "description_en": "A fictional district of the load data.",
            "latitude": Decimal("48.947000"),
            "longitude": Decimal("2.247000"),
        },
    )
    User = get_user_model()
    user, _ = User.objects.get_or_create(
        username=BENCH_TOWN_USER,
        defaults={
            "email": f"{BENCH_TOWN_USER}@example.org",
            "first_name": "Banc",
            "last_name": "d'Essai",
            "password": make_password(None),
        },
    )
    user.groups.add(Group.objects.get(name=MUNICIPALITY_STAFF))
    MunicipalityMembership.objects.get_or_create(
        user=user, municipality=town, defaults={"role": MembershipRole.REFERENT}
    )
    return district, user


def _users(names):
    User = get_user_model()
    existing = set(User.objects.filter(username__in=names).values_list("username", flat=True))
    password = make_password(None)
    User.objects.bulk_create(
        [
            User(username=name, email=name, password=password)
            for name in names
            if name not in existing
        ],
        batch_size=BATCH,
    )
    return dict(User.objects.filter(username__in=names).values_list("username", "pk"))


def _bench_experiments(district, wanted, rng, today, rows):
    first = district.experiments.count()
    month = today.replace(day=1)
    names = [
        f"{USERNAME_PREFIX}bench-experimenter-{index}@example.org"
        for index in range(first, first + wanted)
    ]
    users = _users(names)
    experiments = []
    for offset, name in enumerate(names):
        index = first + offset
        # Started 18 to 20 months ago, extended to 24 months: running, 18 months measured.
        start = month - relativedelta(months=BENCH_MONTHS + index % 3)
        experiments.append(
            Experiment(
                district=district,
                organisation_name=f"Organisation de charge {index + 1} (fictive)",
                country="FR" if index % 5 else "BE",
                solution_name=f"Solution de charge {index + 1} (fictive)",
                summary_fr="Expérimentation fictive des données de charge.",
                summary_en="A fictional experiment of the load data.",
                experimenter_id=users[name],
                contact_email=name,
                status=S.RUNNING,
                start_date=start,
                end_date=start + relativedelta(months=24),
                consents_publication=index % 4 != 0,
                consent_recorded_at=timezone.now() if index % 4 != 0 else None,
            )
        )
    experiments = Experiment.objects.bulk_create(experiments, batch_size=BATCH)
    rows["experiments"] += len(experiments)

    history, sites, milestones, indicators, reports = [], [], [], [], []
    for experiment in experiments:
        start = experiment.start_date
        for origin, target, day in [
            ("", S.PLANNED, start - relativedelta(months=2)),
            (S.PLANNED, S.PREPARING, start - relativedelta(months=1)),
            (S.PREPARING, S.RUNNING, start),
        ]:
            history.append(
                ExperimentStatusChange(
                    experiment=experiment,
                    from_status=origin,
                    to_status=target,
                    at=timezone.make_aware(dt.datetime.combine(day, dt.time(9))),
                )
            )
        sites.append(
            ExperimentSite(
                experiment=experiment,
                name=f"Site {experiment.solution_name}",
                latitude=district.latitude + Decimal(rng.randint(-50, 50)) / 10000,
                longitude=district.longitude + Decimal(rng.randint(-70, 70)) / 10000,
            )
        )
        late = rng.random() < 0.3
        plan = _plan(experiment)
        past = [milestone for milestone in plan if milestone.due_date <= today]
        for milestone in past:
            if not (late and milestone is past[-1]):
                milestone.done_date = min(
                    milestone.due_date + dt.timedelta(days=rng.randint(0, 10)), today
                )
        milestones.extend(plan)
        indicators.extend(_indicators(experiment, BENCH_INDICATORS, rng))
        previous = start
        for due in report_due_dates(experiment):
            if due > today:
                break
            submitted_at = timezone.make_aware(dt.datetime.combine(due, dt.time(17)))
            reports.append(
                ProgressReport(
                    experiment=experiment,
                    period_start=previous,
                    period_end=due - dt.timedelta(days=1),
                    status=ReportStatus.SUBMITTED,
                    work_done="Avancement fictif des données de charge.",
                    author_id=experiment.experimenter_id,
                    submitted_at=submitted_at,
                )
            )
            previous = due
    _insert(ExperimentStatusChange, history, rows, "history")
    _insert(ExperimentSite, sites, rows, "sites")
    _insert(Milestone, milestones, rows, "milestones")
    _insert(ProgressReport, reports, rows, "reports")
    indicators = _insert(Indicator, indicators, rows, "indicators")

    measurements = []
    for indicator in indicators:
        start = indicator.experiment.start_date
        span = indicator.target - indicator.baseline
        pace = rng.uniform(0.5, 1.1)
        for month_number in range(1, BENCH_MONTHS + 1):
            day = start + relativedelta(months=month_number) - dt.timedelta(days=1)
            share = Decimal(str(round(pace * month_number / BENCH_MONTHS, 3)))
            measurements.append(
                Measurement(
                    indicator=indicator,
                    measured_on=day,
                    value=max(indicator.baseline + span * share, Decimal(0)).quantize(
                        Decimal("0.1")
                    ),
                    source="Capteur (fictif)",
                    recorded_by_id=indicator.experiment.experimenter_id,
                )
            )
    _insert(Measurement, measurements, rows, "measurements")


def _plan(experiment) -> list[Milestone]:
    return [
        Milestone(
            experiment=experiment,
            code=code,
            **milestone_names(name),
            order=order,
            due_date=experiment.start_date + relativedelta(months=months),
            owner=owner,
        )
        for order, (code, name, months, owner) in enumerate(MILESTONE_TEMPLATE)
    ]


def _indicators(experiment, count, rng) -> list[Indicator]:
    indicators = []
    for order in range(count):
        name, unit, baseline, target, direction = INDICATOR_KINDS[order % len(INDICATOR_KINDS)]
        indicators.append(
            Indicator(
                experiment=experiment,
                name=f"{name} {order // len(INDICATOR_KINDS) + 1}",
                unit=unit,
                baseline=Decimal(baseline),
                target=Decimal(target),
                direction=direction,
                order=order,
            )
        )
    return indicators


def _selected_without_experiment() -> list[Application]:
    return list(
        Application.objects.filter(
            applicant__username__startswith=USERNAME_PREFIX,
            call__kind=CallKind.EXPERIMENTERS,
            status=ApplicationStatus.SELECTED,
            selected_district__isnull=False,
            experiment__isnull=True,
        ).only(
            "pk",
            "applicant_id",
            "selected_district_id",
            "organisation_name",
            "solution_name",
            "country",
            "contact_email",
            "language",
        )
    )


def _selected_experiments(applications, rng, today, rows):
    start = (today.replace(day=1) + relativedelta(months=1)) if today.day > 1 else today
    experiments = Experiment.objects.bulk_create(
        [
            Experiment(
                application_id=application.pk,
                district_id=application.selected_district_id,
                organisation_name=application.organisation_name or "—",
                country=application.country or "FR",
                solution_name=application.solution_name or application.organisation_name or "—",
                experimenter_id=application.applicant_id,
                contact_email=application.contact_email,
                language=application.language,
                status=S.PLANNED,
                start_date=start,
                end_date=start + relativedelta(months=DEFAULT_DURATION_MONTHS),
            )
            for application in applications
        ],
        batch_size=BATCH,
    )
    rows["experiments"] += len(experiments)
    _insert(
        ExperimentStatusChange,
        [
            ExperimentStatusChange(experiment=experiment, from_status="", to_status=S.PLANNED)
            for experiment in experiments
        ],
        rows,
        "history",
    )
    _insert(
        Milestone,
        [milestone for experiment in experiments for milestone in _plan(experiment)],
        rows,
        "milestones",
    )
    _insert(
        Indicator,
        [
            indicator
            for experiment in experiments
            for indicator in _indicators(experiment, SELECTED_INDICATORS, rng)
        ],
        rows,
        "indicators",
    )


def _insert(model, objects, rows, key):
    created = model.objects.bulk_create(objects, batch_size=BATCH)
    rows[key] += len(created)
    return created
