"""Load the demo data: the programme as the seeds describe it, plus demo accounts.

Idempotent: running it twice leaves the same rows.
"""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from calls.demo import seed_calls
from municipalities.demo import seed_demo_accounts, seed_programme
from municipalities.models import Edition


class Command(BaseCommand):
    help = "Load the QMI demo data (real programme data from the seeds, fictional accounts)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--force",
            action="store_true",
            help="Run even with DEBUG off (the demo accounts have known passwords).",
        )

    def handle(self, *args, force=False, **options):
        if not settings.DEBUG and not force:
            raise CommandError(
                "seed_demo creates accounts with known passwords: run it with DEBUG=true, "
                "or pass --force if this is not a production database."
            )
        with transaction.atomic():
            programme = seed_programme()
            calls = seed_calls(programme["editions"])
            logins = seed_demo_accounts(programme["municipalities"])
        self.stdout.write(
            self.style.SUCCESS(
                f"Demo data loaded: {Edition.objects.count()} editions, "
                f"{len(programme['municipalities'])} municipalities, {len(calls)} calls."
            )
        )
        for role, username, password in logins:
            self.stdout.write(f"  {role}: {username} / {password}")
