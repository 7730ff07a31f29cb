"""The municipality dashboard at scale: ``python -m bench.dashboard``.

One district of 50 experiments × 20 indicators × 18 monthly measurements
(18,000 measurements, 350 milestones, 250 reports), and a small district of one
experiment to compare query counts with. Pages are rendered in-process with
Django's test client, signed in as the town's user and as Paris&Co staff:
median of ``--runs`` after a warm-up, and the number of queries, which must not
grow with the rows. Goal: under 200 ms.

By default it builds its own database, ``qmi_bench_dash``, dropped and created
again at every run (``--database-url`` or ``BENCH_DASH_DATABASE_URL`` to
change it; ``postgres`` and ``qmi_portal`` are refused). ``--reuse`` keeps the
database as it is and adds the dashboard's data only if missing; ``bench/run.py``
calls ``measure_dashboard()`` on its own, already seeded database.
"""

import argparse
import datetime as dt
import os
import random
import statistics
import sys
import time
import urllib.parse
from decimal import Decimal

from .run import (
    DEFAULT_REDIS,
    ROOT,
    CannotRun,
    Result,
    bench_environment,
    flush_redis,
    format_table,
    manage,
    recreate_database,
)

DEFAULT_DATABASE = "postgres://postgres:postgres@127.0.0.1:5432/qmi_bench_dash"
GOAL_MS = 200
BIG_TOWN = "bench-dashboard-big"
SMALL_TOWN = "bench-dashboard-small"
BIG_EDITION, SMALL_EDITION = 91, 92


# The data.


def _months_before(day: dt.date, months: int) -> dt.date:
    from dateutil.relativedelta import relativedelta

    return day - relativedelta(months=months)


def _town(slug, insee, name, edition, *, experiments, indicators, months, seed):
    """A town, its district, its user, and the district's experiments (bulk-created)."""
    from dateutil.relativedelta import relativedelta
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group
    from django.utils import timezone

    from experiments.enums import ExperimentStatus, ReportStatus
    from experiments.models import (
        Experiment,
        ExperimentSite,
        Indicator,
        Measurement,
        Milestone,
        ProgressReport,
        ReportComment,
    )
    from experiments.services.lifecycle import MILESTONE_TEMPLATE
    from municipalities.models import InnovationDistrict, Municipality, MunicipalityMembership
    from municipalities.roles import MUNICIPALITY_STAFF

    rng = random.Random(seed)  # noqa: S311 - test data
    today = timezone.localdate()
    now = timezone.now()
    municipality = Municipality.objects.create(
        name=name, slug=slug, insee_code=insee, department=insee[:2]
    )
    district = InnovationDistrict.objects.create(
        municipality=municipality,
        edition=edition,
        name=f"Quartier {name}",
        name_fr=f"Quartier {name}",
        name_en=f"{name} district",
        priority_challenge="Rafraîchir l'espace public.",
        latitude=Decimal("48.910000"),
        longitude=Decimal("2.380000"),
    )
    user = get_user_model().objects.create(username=slug, email=f"{slug}@example.org")
    user.groups.add(Group.objects.get(name=MUNICIPALITY_STAFF))
    MunicipalityMembership.objects.create(user=user, municipality=municipality)

    start = _months_before(today.replace(day=1), months - 1)
    created = Experiment.objects.bulk_create(
        Experiment(
            district=district,
            organisation_name=f"Organisation {number:02d}",
            solution_name=f"Solution {name} {number:02d}",
            status=ExperimentStatus.RUNNING if number % 4 else ExperimentStatus.EVALUATING,
            start_date=start + dt.timedelta(days=number % 20),
            end_date=start + relativedelta(months=18) + dt.timedelta(days=number % 20),
        )
        for number in range(experiments)
    )
    milestones, sites, indicator_rows, reports = [], [], [], []
    for index, experiment in enumerate(created):
        for order, (code, label, month, owner) in enumerate(MILESTONE_TEMPLATE):
            due = experiment.start_date + relativedelta(months=month)
            # Every fifth experiment is late on its installation.
            late = index % 5 == 0 and code == "installation"
            milestones.append(
                Milestone(
                    experiment=experiment,
                    code=code,
                    name=str(label),
                    order=order,
                    due_date=due,
                    done_date=None if late or due >= today else due,
                    owner=owner,
                )
            )
        for number in range(2):
            sites.append(
                ExperimentSite(
                    experiment=experiment,
                    name=f"Site {number + 1}",
                    address=f"{index + 1} rue de l'Expérience",
                    latitude=Decimal("48.91") + Decimal(rng.randint(-400, 400)) / 100000,
                    longitude=Decimal("2.38") + Decimal(rng.randint(-400, 400)) / 100000,
                )
            )
        for number in range(indicators):
            indicator_rows.append(
                Indicator(
                    experiment=experiment,
                    name=f"Indicateur {number + 1:02d}",
                    unit="kWh",
                    baseline=Decimal("100"),
                    target=Decimal("150") if number % 3 else Decimal("60"),
                    direction="up" if number % 3 else "down",
                    order=number,
                )
            )
        for number in range(5):
            period_start = experiment.start_date + relativedelta(months=3 * number)
            reports.append(
                ProgressReport(
                    experiment=experiment,
                    period_start=period_start,
                    period_end=period_start + relativedelta(months=3) - dt.timedelta(days=1),
                    status=ReportStatus.SUBMITTED,
                    work_done="Installation et premiers usages.",
                    submitted_at=now,
                )
            )
    Milestone.objects.bulk_create(milestones)
    ExperimentSite.objects.bulk_create(sites)
    Indicator.objects.bulk_create(indicator_rows, batch_size=2000)
    measurements = [
        Measurement(
            indicator=indicator,
            measured_on=indicator.experiment.start_date + relativedelta(months=month),
            value=indicator.baseline
            + (indicator.target - indicator.baseline) * Decimal(month) / Decimal(months)
            + Decimal(rng.randint(-50, 50)) / 10,
            source="Relevé mensuel",
        )
        for indicator in indicator_rows
        for month in range(months)
    ]
    Measurement.objects.bulk_create(measurements, batch_size=5000)
    ProgressReport.objects.bulk_create(reports)
    ReportComment.objects.bulk_create(
        ReportComment(report=report, author=user, body="Merci pour ce rapport.")
        for report in reports[::2]
    )
    return district, user


def seed(*, experiments=50, indicators=20, months=18, verbose=True) -> dict:
    """The dashboard's data, created once (kept when it exists); the users and URLs."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group
    from django.db import connection, transaction
    from django.urls import reverse
    from django.utils import timezone
    from django.utils.translation import override

    from experiments.models import ProgrammeEvent
    from municipalities.models import Edition, InnovationDistrict
    from municipalities.roles import PROGRAMME_STAFF

    User = get_user_model()
    if not InnovationDistrict.objects.filter(municipality__slug=BIG_TOWN).exists():
        started = time.perf_counter()
        with transaction.atomic():
            editions = {}
            for number in (BIG_EDITION, SMALL_EDITION):
                editions[number], _ = Edition.objects.get_or_create(
                    number=number,
                    defaults={"name": f"Bench {number}", "start_year": 2025, "end_year": 2027},
                )
            big, _ = _town(
                BIG_TOWN,
                "93991",
                "Grandeville",
                editions[BIG_EDITION],
                experiments=experiments,
                indicators=indicators,
                months=months,
                seed=1,
            )
            small, _ = _town(
                SMALL_TOWN,
                "93992",
                "Petiteville",
                editions[SMALL_EDITION],
                experiments=1,
                indicators=1,
                months=1,
                seed=2,
            )
            now = timezone.now()
            for days in (7, 21, 40):
                event = ProgrammeEvent.objects.create(
                    edition=editions[BIG_EDITION],
                    kind="site_walk",
                    title=f"Marche sensible J+{days}",
                    title_fr=f"Marche sensible J+{days}",
                    title_en=f"Site walk D+{days}",
                    starts_at=now + dt.timedelta(days=days),
                    ends_at=now + dt.timedelta(days=days, hours=2),
                    place="Mairie",
                )
                event.municipalities.set([big.municipality, small.municipality])
            staff, _ = User.objects.get_or_create(
                username="bench-dashboard-staff", defaults={"email": "staff@example.org"}
            )
            staff.groups.add(Group.objects.get(name=PROGRAMME_STAFF))
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
        if verbose:
            print(
                f"Seeded {experiments} experiments × {indicators} indicators × {months} "
                f"measurements in {time.perf_counter() - started:.1f} s",
                flush=True,
            )
    big = InnovationDistrict.objects.get(municipality__slug=BIG_TOWN)
    small = InnovationDistrict.objects.get(municipality__slug=SMALL_TOWN)
    with override("fr"):
        urls = {
            size: {
                "home": reverse("municipalities:my_municipality"),
                "district": reverse(
                    "municipalities:dashboard_district", kwargs={"pk": district.pk}
                ),
                "edition": reverse(
                    "municipalities:dashboard_edition",
                    kwargs={"number": district.edition.number},
                ),
                "experiment": reverse(
                    "municipalities:dashboard_experiment",
                    kwargs={"uuid": district.experiments.order_by("pk").first().uuid},
                ),
            }
            for size, district in (("big", big), ("small", small))
        }
    return {
        "urls": urls,
        "town": {
            "big": User.objects.get(username=BIG_TOWN),
            "small": User.objects.get(username=SMALL_TOWN),
        },
        "staff": User.objects.get(username="bench-dashboard-staff"),
    }


# The measures.


def measure_page(client, url, runs):
    """(status, median ms, median CPU ms of this process, queries), after a warm-up.

    The CPU time is the portal's own work (the database's is in its process):
    on a loaded machine the wall-clock time grows, the CPU time much less.
    """
    from django.db import connection, reset_queries
    from django.test.utils import CaptureQueriesContext

    response = client.get(url)
    if response.status_code != 200:
        return response.status_code, None, None, None
    reset_queries()
    with CaptureQueriesContext(connection) as queries:
        client.get(url)
    count = len(queries)
    wall, cpu = [], []
    for _ in range(runs):
        started, started_cpu = time.perf_counter(), time.process_time()
        client.get(url)
        cpu.append(time.process_time() - started_cpu)
        wall.append(time.perf_counter() - started)
    return 200, statistics.median(wall) * 1000, statistics.median(cpu) * 1000, count


PAGES = (
    # key, label, who, page
    ("dashboard_district", "Dashboard: district page, town user", "town", "district"),
    (
        "dashboard_experiment",
        "Dashboard: experiment page (20 charts), town user",
        "town",
        "experiment",
    ),
    ("dashboard_home", "Dashboard: home, town user", "town", "home"),
    ("dashboard_edition", "Dashboard: edition page, Paris&Co staff", "staff", "edition"),
    (
        "dashboard_staff_home",
        "Dashboard: home with late milestones, Paris&Co staff",
        "staff",
        "home",
    ),
)


def measure_dashboard(*, runs=15, experiments=50, indicators=20, months=18) -> list[Result]:
    """Seed if needed, then one Result per page: median ms and queries, big and small."""
    from django.test import Client

    data = seed(experiments=experiments, indicators=indicators, months=months)
    scale = f"{experiments}×{indicators}×{months}"
    results = []
    for key, label, who, page in PAGES:
        figures = {}
        for size in ("small", "big"):
            client = Client()
            user = data["staff"] if who == "staff" else data["town"][size]
            client.force_login(user)
            url = data["urls"][size][page]
            if who == "staff" and page == "home" and size == "small":
                continue  # One programme: the staff home has no "small" version.
            figures[size] = measure_page(client, url, runs)
        status, ms, cpu_ms, queries = figures["big"]
        measure = f"{label} ({scale})"
        if status != 200:
            results.append(Result(key=key, measure=measure, note=f"answered {status}"))
            continue
        small = figures.get("small", (None,) * 4)[3]
        constant = small is None or small == queries
        results.append(
            Result(
                key=key,
                measure=measure,
                figure=f"{ms:.0f} ms median ({cpu_ms:.0f} ms CPU), {queries} queries"
                + (f" ({small} with 1 experiment)" if small is not None else ""),
                goal=f"< {GOAL_MS} ms, query count constant",
                met=ms < GOAL_MS and constant,
                values={
                    "median_ms": ms,
                    "cpu_ms": cpu_ms,
                    "queries": queries,
                    "queries_small": small,
                },
            )
        )
    return results


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=15, help="runs per page (median)")
    parser.add_argument("--experiments", type=int, default=50)
    parser.add_argument("--indicators", type=int, default=20)
    parser.add_argument("--months", type=int, default=18)
    parser.add_argument(
        "--reuse", action="store_true", help="keep the database; seed only what is missing"
    )
    parser.add_argument(
        "--database-url", default=os.environ.get("BENCH_DASH_DATABASE_URL", DEFAULT_DATABASE)
    )
    parser.add_argument("--redis-url", default=os.environ.get("BENCH_REDIS_URL", DEFAULT_REDIS))
    args = parser.parse_args(argv)
    env = bench_environment(args.database_url, args.redis_url)
    name = urllib.parse.urlsplit(args.database_url).path[1:]
    try:
        if not args.reuse:
            print(f"Preparing the database {name}…", flush=True)
            recreate_database(args.database_url)
            flush_redis(args.redis_url)
            manage(env, "migrate", "--noinput", "-v", "0")
        os.environ.update(env)
        import django

        django.setup()
        results = measure_dashboard(
            runs=args.runs,
            experiments=args.experiments,
            indicators=args.indicators,
            months=args.months,
        )
    except CannotRun as error:
        print(f"The benchmark could not run: {error}", file=sys.stderr)
        return 2
    print()
    print(format_table(results))
    print(f"\n{os.cpu_count()} cores, load average {os.getloadavg()[0]:.2f}; database {name}.")
    return 0


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    sys.exit(main())
