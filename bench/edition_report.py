"""The edition impact report (WeasyPrint): ``python -m bench.edition_report``.

Builds a synthetic big edition (``--districts`` × ``--experiments`` per
district, 8 × 6 by default, each with 10 milestones, 5 indicators of 12
monthly measurements, 4 submitted reports and an evaluation for half of
them), then renders its impact report in a child process: the time of
``report_render`` (queries, HTML and PDF) and the child's peak memory (RSS,
``ru_maxrss``: Django, the data and WeasyPrint) are printed. Goal: a
100-page report in ≤ 20 s and ≤ 500 MB.

Uses its own database, dropped and created again (``--database-url``).
"""

import argparse
import datetime as dt
import json
import os
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

from bench.reminders import environment

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DATABASE = "postgres://postgres:postgres@127.0.0.1:5432/qmi_bench_edition_report"
DEFAULT_REDIS = "redis://127.0.0.1:6379/12"
REPORT_GOAL = 20.0
MEMORY_GOAL_MB = 500
TOWNS = ["Bondy", "Clichy-sous-Bois", "Saint-Ouen", "Meudon", "Nanterre", "Montreuil"]
MILESTONES = 10
INDICATORS = 5
MEASUREMENTS = 12
REPORTS = 4


def _seed(districts: int, per_district: int) -> int:
    from dateutil.relativedelta import relativedelta
    from django.contrib.auth import get_user_model
    from django.utils import timezone

    from experiments.models import (
        Evaluation,
        Experiment,
        Indicator,
        Measurement,
        Milestone,
        ProgressReport,
        ReportComment,
    )
    from municipalities.models import Edition, InnovationDistrict, Municipality

    today = timezone.localdate()
    now = timezone.now()
    edition = Edition.objects.create(
        number=92, name_fr="Édition du banc d'essai", name_en="Bench edition",
        start_year=today.year - 1, end_year=today.year + 1,
    )  # fmt: skip
    manager = get_user_model().objects.create(
        username="bench-manager", first_name="Inès", last_name="Durand"
    )
    experiments = []
    for number in range(districts):
        town = TOWNS[number % len(TOWNS)] + ("" if number < len(TOWNS) else f" {number}")
        municipality = Municipality.objects.create(
            name=town, slug=f"bench-edition-{number}", insee_code=f"931{number:02d}"
        )
        district = InnovationDistrict.objects.create(
            municipality=municipality,
            edition=edition,
            name_fr=f"Quartier {town}",
            priority_challenge="Rafraîchir l'espace public et réduire les déchets.",
            latitude=48.9,
            longitude=2.4,
        )
        start = (today - relativedelta(months=10)).replace(day=1)
        for index in range(per_district):
            experiments.append(
                Experiment(
                    district=district,
                    organisation_name=f"Organisation {number}-{index}",
                    solution_name=f"Solution {number}-{index} pour {town}",
                    summary="Une solution expérimentée dans le quartier, avec les habitants, "
                    "pour mesurer son utilité et ses effets sur la vie quotidienne. " * 3,
                    project_manager=manager,
                    status="evaluating" if index % 2 else "running",
                    start_date=start,
                    end_date=start + relativedelta(months=18),
                )
            )
    experiments = Experiment.objects.bulk_create(experiments)
    Milestone.objects.bulk_create(
        Milestone(
            experiment=experiment,
            code=f"m{position}",
            name=f"Jalon {position + 1} de l'expérimentation",
            order=position,
            due_date=experiment.start_date + relativedelta(months=2 * position),
            done_date=(experiment.start_date + relativedelta(months=2 * position, days=3))
            if position < 3
            else None,
        )
        for experiment in experiments
        for position in range(MILESTONES)
    )
    indicators = Indicator.objects.bulk_create(
        Indicator(
            experiment=experiment,
            name=f"Indicateur {position + 1}",
            unit="kWh",
            baseline=Decimal(100),
            target=Decimal(150),
            order=position,
        )
        for experiment in experiments
        for position in range(INDICATORS)
    )
    by_experiment = {experiment.pk: experiment for experiment in experiments}
    Measurement.objects.bulk_create(
        Measurement(
            indicator=indicator,
            measured_on=by_experiment[indicator.experiment_id].start_date
            + relativedelta(months=month),
            value=Decimal(100 + 4 * month + indicator.order),
            source="Relevé",
        )
        for indicator in indicators
        for month in range(MEASUREMENTS)
    )
    reports = ProgressReport.objects.bulk_create(
        ProgressReport(
            experiment=experiment,
            period_start=experiment.start_date + relativedelta(months=3 * position),
            period_end=experiment.start_date
            + relativedelta(months=3 * position + 3)
            - dt.timedelta(days=1),
            status="submitted",
            submitted_at=now,
            work_done="Installation, ateliers avec les habitants, premières mesures.",
        )
        for experiment in experiments
        for position in range(REPORTS)
    )
    ReportComment.objects.bulk_create(
        ReportComment(report=report, author=manager, body="Merci, c'est clair.")
        for report in reports
    )
    Evaluation.objects.bulk_create(
        Evaluation(
            experiment=experiment,
            utility=4,
            sustainable_development=3,
            sobriety=4,
            resilience=3,
            quality_of_life=5,
            feasibility=4,
            user_feedback=4,
            conclusion="Une solution utile, à améliorer sur la maintenance.",
            outcome=["ready_to_scale", "to_improve", "stopped"][index % 3],
        )
        for index, experiment in enumerate(experiments)
        if index % 2
    )
    return edition.pk


RENDER_CHILD = """
import json, resource, time
import django
django.setup()
from reports.services import report_request, report_render
report = report_request(kind="edition_report", parameters={"edition": %(edition)d},
                        language="fr", enqueue=False)
started = time.perf_counter()
report = report_render(report_id=report.pk)
seconds = time.perf_counter() - started
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps({"seconds": seconds, "pages": report.pages, "status": report.status,
                  "error": report.error, "peak_mb": peak, "size": report.size,
                  "file": report.file.path if report.file else ""}))
"""


def measure(database_url: str, redis_url: str, *, districts: int, per_district: int) -> dict:
    from bench.run import manage, recreate_database

    env = environment(database_url, redis_url)
    recreate_database(database_url)
    manage(env, "migrate", "--noinput")
    os.environ.update(env)
    import django

    django.setup()
    edition = _seed(districts, per_district)
    child = subprocess.run(  # noqa: S603 — our own code
        [sys.executable, "-c", RENDER_CHILD % {"edition": edition}],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    try:
        return json.loads(child.stdout.strip().splitlines()[-1])
    except (IndexError, ValueError):
        return {"status": "crashed", "error": child.stderr[-2000:]}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--districts", type=int, default=6)
    parser.add_argument("--experiments", type=int, default=8, help="per district")
    parser.add_argument(
        "--database-url", default=os.environ.get("BENCH_EDITION_DATABASE_URL", DEFAULT_DATABASE)
    )
    parser.add_argument(
        "--redis-url", default=os.environ.get("BENCH_BACKGROUND_REDIS_URL", DEFAULT_REDIS)
    )
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    result = measure(
        args.database_url, args.redis_url, districts=args.districts, per_district=args.experiments
    )
    if args.json:
        print(json.dumps(result))
        return 0
    if result.get("status") != "done":
        print(f"Render {result.get('status')}: {result.get('error')}")
        return 1
    met = result["seconds"] <= REPORT_GOAL * max(result["pages"], 100) / 100 and (
        result["peak_mb"] <= MEMORY_GOAL_MB
    )
    print(
        f"Edition impact report, {args.districts} districts × {args.experiments} experiments: "
        f"{result['pages']} pages, {result['size'] / 1e6:.1f} MB, {result['seconds']:.1f} s, "
        f"{result['peak_mb']:.0f} MB peak RSS "
        f"(goal ≤ {REPORT_GOAL:.0f} s per 100 pages, ≤ {MEMORY_GOAL_MB} MB): "
        f"{'ok' if met else 'MISSED'}"
    )
    print(f"PDF: {result['file']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
