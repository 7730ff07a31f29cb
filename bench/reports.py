"""PDF reports (WeasyPrint): ``python -m bench.reports``.

Rows:
- the application dossier of a complete application: median of 5 renders
  (HTML and PDF, in process, after one warm-up);
- a call report of ``--applications`` ranked applications (1,200 by default,
  about 100 pages): rendered in a child process, timed, its peak memory (RSS)
  read from the child's resource usage.

Uses its own database, dropped and created again (``--database-url``).
``measure(database_url, redis_url, applications=…)`` returns the rows as dicts
(key, measure, figure, goal, met, note, values) for ``bench.run``.
"""

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

from bench.reminders import DEFAULT_DATABASE, DEFAULT_REDIS, environment

ROOT = Path(__file__).resolve().parent.parent
DOSSIER_GOAL = 1.0
REPORT_GOAL = 20.0
MEMORY_GOAL_MB = 500


def _seed(applications: int) -> dict:
    """One call, three districts, ``applications`` reviewed applications with opinions."""
    from django.contrib.auth import get_user_model
    from django.utils import timezone

    from calls.enums import ApplicationStatus, CallKind
    from calls.models import (
        Application,
        Call,
        MunicipalityOpinion,
        ReviewAssignment,
        Score,
    )
    from calls.services.calls import call_ensure_default_criteria
    from municipalities.models import Edition, InnovationDistrict, Municipality, UrbanChallenge

    now = timezone.now()
    edition = Edition.objects.create(
        number=91, name_fr="Banc d'essai", name_en="Bench", start_year=2025, end_year=2027
    )
    theme = UrbanChallenge.objects.create(edition=edition, name_fr="Îlots de chaleur")
    districts = []
    for number, town in enumerate(["Bondy", "Clichy-sous-Bois", "Saint-Ouen"]):
        municipality = Municipality.objects.create(
            name=town, slug=f"bench-{number}", insee_code=f"930{number:02d}"
        )
        districts.append(
            InnovationDistrict.objects.create(
                municipality=municipality,
                edition=edition,
                name_fr=f"Quartier {town}",
                latitude=48.9,
                longitude=2.4,
            )
        )
    call = Call.objects.create(
        edition=edition,
        kind=CallKind.EXPERIMENTERS,
        slug="bench-report",
        title_fr="Appel du banc d'essai",
        title="Appel du banc d'essai",
        opens_at=now - timezone.timedelta(days=60),
        closes_at=now - timezone.timedelta(days=10),
    )
    call.districts.set(districts)
    criteria = call_ensure_default_criteria(call=call)
    users = get_user_model()
    applicant = users.objects.create(username="bench-applicant")
    reviewer = users.objects.create(username="bench-reviewer")
    rows = Application.objects.bulk_create(
        Application(
            call=call,
            applicant=applicant,
            status=ApplicationStatus.SHORTLISTED if number % 3 else ApplicationStatus.UNDER_REVIEW,
            reference=f"QMI91-EXP-{number:05d}",
            submitted_at=now - timezone.timedelta(days=20),
            organisation_name=f"Organisation {number} SAS",
            solution_name=f"Solution numéro {number} pour rafraîchir les cours d'école",
            solution_summary="Des bancs publics qui mesurent la chaleur et offrent de l'ombre.",
            solution_description="Un prototype testé en atelier, à installer sur une place. " * 20,
            contact_first_name="Alex",
            contact_last_name=f"Durand {number}",
            contact_email=f"contact{number}@example.org",
            legal_form="startup",
            country="FR",
            maturity="prototype",
            expected_impacts={criterion.code: "Un impact attendu." for criterion in criteria},
        )
        for number in range(applications)
    )
    Through = Application.target_districts.through
    Through.objects.bulk_create(
        Through(application_id=row.pk, innovationdistrict_id=districts[index % 3].pk)
        for index, row in enumerate(rows)
    )
    Application.themes.through.objects.bulk_create(
        Application.themes.through(application_id=row.pk, urbanchallenge_id=theme.pk)
        for row in rows
    )
    assignments = ReviewAssignment.objects.bulk_create(
        ReviewAssignment(application=row, reviewer=reviewer, completed_at=now) for row in rows
    )
    Score.objects.bulk_create(
        Score(assignment=assignment, criterion=criterion, value=(index + position) % 6)
        for index, assignment in enumerate(assignments)
        for position, criterion in enumerate(criteria)
    )
    MunicipalityOpinion.objects.bulk_create(
        MunicipalityOpinion(
            application=row,
            district=districts[index % 3],
            opinion=["favourable", "reserved", "unfavourable"][index % 3],
            comment="Un avis argumenté de la commune sur la solution proposée.",
            author=reviewer,
        )
        for index, row in enumerate(rows)
        if index % 2
    )
    return {"call": call.pk, "application": rows[0].pk}


RENDER_CHILD = """
import json, resource, sys, time
import django
django.setup()
from reports.services import report_request, report_render
report = report_request(kind="call_report", parameters={"call": %(call)d}, language="fr",
                        enqueue=False)
started = time.perf_counter()
report = report_render(report_id=report.pk)
seconds = time.perf_counter() - started
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps({"seconds": seconds, "pages": report.pages, "status": report.status,
                  "error": report.error, "peak_mb": peak}))
"""


def measure(database_url: str, redis_url: str, *, applications: int = 1200) -> list[dict]:
    from bench.run import manage, recreate_database

    env = environment(database_url, redis_url)
    recreate_database(database_url)
    manage(env, "migrate", "--noinput")
    os.environ.update(env)
    import django

    django.setup()
    from reports.services import report_render, report_request

    ids = _seed(applications)
    samples = []
    for _ in range(6):
        report = report_request(
            kind="application_dossier",
            parameters={"application": ids["application"], "audience": "jury"},
            language="fr",
            enqueue=False,
        )
        started = time.perf_counter()
        report = report_render(report_id=report.pk)
        samples.append(time.perf_counter() - started)
    dossier = statistics.median(samples[1:])
    child = subprocess.run(  # noqa: S603 — our own code
        [sys.executable, "-c", RENDER_CHILD % ids],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    try:
        result = json.loads(child.stdout.strip().splitlines()[-1])
    except (IndexError, ValueError):
        result = {"seconds": 0, "pages": 0, "status": "crashed", "error": child.stderr[-500:]}
        result["peak_mb"] = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    done = result["status"] == "done"
    return [
        {
            "key": "report_dossier",
            "measure": f"Application dossier PDF ({report.pages} pages, jury version)",
            "figure": f"{dossier:.2f} s",
            "goal": f"<= {DOSSIER_GOAL:.0f} s",
            "met": report.status == "done" and dossier <= DOSSIER_GOAL,
            "note": "median of 5 renders after a warm-up",
            "values": {"seconds": dossier, "samples": samples},
        },
        {
            "key": "report_call_100_pages",
            "measure": f"Call report, {applications:,} applications ({result['pages']} pages)",
            "figure": f"{result['seconds']:.1f} s, {result['peak_mb']:.0f} MB peak"
            if done
            else f"{result['status']}: {result.get('error', '')[:80]}",
            "goal": f"<= {REPORT_GOAL:.0f} s, <= {MEMORY_GOAL_MB} MB (100 pages)",
            "met": done
            and result["seconds"] <= REPORT_GOAL * max(result["pages"], 100) / 100
            and result["peak_mb"] <= MEMORY_GOAL_MB,
            "note": "goal per 100 pages (scaled above 100); RSS of the rendering process "
            "(Django, data and WeasyPrint)",
            "values": result,
        },
    ]


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--applications", type=int, default=1200)
    parser.add_argument(
        "--database-url",
        default=os.environ.get(
            "BENCH_REPORTS_DATABASE_URL", DEFAULT_DATABASE.replace("background", "reports")
        ),
    )
    parser.add_argument(
        "--redis-url", default=os.environ.get("BENCH_BACKGROUND_REDIS_URL", DEFAULT_REDIS)
    )
    parser.add_argument(
        "--json", action="store_true", help="print the rows as one JSON list (for bench.run)"
    )
    args = parser.parse_args(argv)
    rows = measure(args.database_url, args.redis_url, applications=args.applications)
    if args.json:
        print(json.dumps(rows, default=str))
        return 0
    for row in rows:
        verdict = "-" if row["met"] is None else ("ok" if row["met"] else "MISSED")
        print(f"{row['measure']:<60} {row['figure']:<28} {row['goal']:<34} {verdict}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
