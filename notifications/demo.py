"""Demo data that makes the reminders visible: run by ``seed_demo`` (idempotent).

A fictional person pre-registered to the open demo call before it opened and
confirmed: the first sweep of "Reminders of the calls" (beat, every five
minutes, or "Run selected tasks" in Periodic tasks) writes their "the call is
open" mail to the outbox, where staff see it sent.
"""

import datetime as dt

from django.utils import timezone

from calls.demo import OPEN_MUNICIPALITIES
from calls.models import Call, PreRegistration

DEMO_EMAIL = "preinscrite.demo@example.org"


def seed_reminder_demo() -> PreRegistration | None:
    call = Call.objects.filter(slug=OPEN_MUNICIPALITIES).first()
    if call is None:
        return None
    before = call.opens_at - dt.timedelta(days=7)
    preregistration, _ = PreRegistration.objects.get_or_create(
        call=call,
        email=DEMO_EMAIL,
        defaults={
            "language": "fr",
            "consent_text": "J'accepte d'être prévenue de l'ouverture de l'appel (démo fictive).",
            "consented_at": before,
            "confirmed_at": min(before + dt.timedelta(hours=1), timezone.now()),
        },
    )
    return preregistration
