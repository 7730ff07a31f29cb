"""Load the demo data: the programme as the seeds describe it, plus demo accounts.

Idempotent: running it twice leaves the same rows. ``--scale N`` then makes
sure N generated applications exist (in bulk, for the benchmarks).
"""

import time

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from calls.demo import DEMO_REVIEWER, seed_applications, seed_calls, seed_demo_reviewers
from calls.demo_scale import seed_scale
from experiments.demo import DEMO_EXPERIMENTER, seed_experiments
from experiments.demo_scale import (
    BENCH_EXPERIMENTS,
    BENCH_INDICATORS,
    BENCH_MONTHS,
    seed_experiment_scale,
)
from municipalities.demo import (
    DEMO_MUNICIPALITY,
    DEMO_STAFF,
    seed_demo_accounts,
    seed_programme,
)
from municipalities.models import Edition
from notifications.demo import seed_reminder_demo


class Command(BaseCommand):
    help = "Load the QMI demo data (real programme data from the seeds, fictional accounts)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--force",
            action="store_true",
            help="Run even with DEBUG off (the demo accounts have known passwords).",
        )
        parser.add_argument(
            "--scale",
            type=int,
            default=0,
            metavar="N",
            help="Also make sure N generated applications exist, with reviews and history "
            "(bulk inserts, for the benchmarks).",
        )

    def handle(self, *args, force=False, scale=0, **options):
        if not settings.DEBUG and not force:
            raise CommandError(
                "seed_demo creates accounts with known passwords: run it with DEBUG=true, "
                "or pass --force if this is not a production database."
            )
        if scale < 0:
            raise CommandError("--scale takes a number of applications, 0 or more.")
        started = time.perf_counter()
        with transaction.atomic():
            programme = seed_programme()
            calls = seed_calls(programme["editions"])
            logins = seed_demo_accounts(programme["municipalities"])
            User = get_user_model()
            reviewers = seed_demo_reviewers()
            applications = seed_applications(
                staff=User.objects.get(username=DEMO_STAFF["username"]),
                municipality_user=User.objects.get(username=DEMO_MUNICIPALITY["username"]),
                reviewers=reviewers,
            )
            experiments = seed_experiments(
                staff=User.objects.get(username=DEMO_STAFF["username"]),
                municipality_user=User.objects.get(username=DEMO_MUNICIPALITY["username"]),
            )
            # A confirmed pre-registration: beat's first sweep puts its mail in the outbox.
            seed_reminder_demo()
        self.stdout.write(
            self.style.SUCCESS(
                f"Demo data loaded: {Edition.objects.count()} editions, "
                f"{len(programme['municipalities'])} municipalities, {len(calls)} calls, "
                f"{len(applications)} new demo applications, "
                f"{len(experiments)} new demo experiments."
            )
        )
        for role, username, password in [
            *logins,
            ("Reviewer", DEMO_REVIEWER["username"], DEMO_REVIEWER["password"]),
            ("Experimenter", DEMO_EXPERIMENTER["username"], DEMO_EXPERIMENTER["password"]),
        ]:
            self.stdout.write(f"  {role}: {username} / {password}")
        if scale:
            result = seed_scale(count=scale, log=self.stdout.write)
            self.stdout.write(
                self.style.SUCCESS(
                    f"Scale: {result.created} applications created ({result.total} generated "
                    f"in all) in {result.seconds:.1f} s."
                )
            )
            bench = seed_experiment_scale(log=self.stdout.write)
            self.stdout.write(
                self.style.SUCCESS(
                    f"Scale: {bench.rows['experiments']} experiments, "
                    f"{bench.rows['indicators']} indicators, {bench.rows['measurements']} "
                    f"measurements created in {bench.seconds:.1f} s."
                )
            )
            self.stdout.write(
                f"  Benchmark district: {bench.district.name} ({bench.district.municipality}, "
                f"pk {bench.district.pk}): {BENCH_EXPERIMENTS} experiments × {BENCH_INDICATORS} "
                f"indicators × {BENCH_MONTHS} monthly measurements; its town user: "
                f"{bench.town_user.username} (no password)."
            )
        self.stdout.write(f"Time taken: {time.perf_counter() - started:.1f} s.")
