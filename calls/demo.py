"""Demo calls: the real calls of the seeds, and fictional ones in every state.

Real dates come from the press releases (experimenter call of edition 1 from 9
March to 9 April 2023, call to municipalities from 23 October 2023 to 12
January 2024, experimenter call phase 1 from 13 May to 16 June 2024). Phase 2
was announced for "January 2025" without exact days: its dates here are
indicative and said so. The fictional calls hang off a fictional edition 3
and are dated from today, so the demo always has an open and an upcoming call.
"""

import datetime as dt
from zoneinfo import ZoneInfo

from django.utils import timezone

from municipalities.enums import EditionStatus
from municipalities.models import Edition, InnovationDistrict

from .enums import CallKind
from .models import Call

PARIS = ZoneInfo("Europe/Paris")


def _paris(year, month, day, hour=0, minute=0):
    return dt.datetime(year, month, day, hour, minute, tzinfo=PARIS)


REAL_CALLS = [
    {
        "slug": "qmi1-experimenters",
        "edition": 1,
        "kind": CallKind.EXPERIMENTERS,
        "phase": 1,
        "title_fr": "Appel à expérimentateurs – Édition 1",
        "title_en": "Call for experimenters – Edition 1",
        "summary_fr": (
            "Startups, associations, grands groupes, coopératives, écoles, citoyens, designers… "
            "testez une solution innovante au stade de prototype dans les quartiers d'innovation "
            "d'Aulnay-sous-Bois, Meudon, Noisy-le-Grand et Sceaux. Réunion d'information le "
            "21 mars 2023 à 11 h 30."
        ),
        "summary_en": (
            "Startups, associations, large groups, cooperatives, schools, citizens, designers… "
            "test an innovative prototype-stage solution in the innovation districts of "
            "Aulnay-sous-Bois, Meudon, Noisy-le-Grand and Sceaux. Information meeting on "
            "21 March 2023 at 11:30."
        ),
        "opens_at": _paris(2023, 3, 9),
        "closes_at": _paris(2023, 4, 9, 23, 59),
        "districts": ["Aulnay-sous-Bois", "Meudon", "Noisy-le-Grand", "Sceaux"],
    },
    {
        "slug": "qmi2-municipalities",
        "edition": 2,
        "kind": CallKind.MUNICIPALITIES,
        "phase": 1,
        "title_fr": "Appel à manifestation d'intérêt aux communes – Édition 2",
        "title_en": "Call for interest to municipalities – Edition 2",
        "summary_fr": (
            "Les communes de la Métropole du Grand Paris candidatent pour accueillir un quartier "
            "d'innovation autour d'un défi prioritaire. Webinaires d'information les 14 et "
            "23 novembre 2023."
        ),
        "summary_en": (
            "Towns of the Métropole du Grand Paris apply to host an innovation district around "
            "one priority challenge. Information webinars on 14 and 23 November 2023."
        ),
        "opens_at": _paris(2023, 10, 23),
        "closes_at": _paris(2024, 1, 12, 23, 59),
        "districts": [],
    },
    {
        "slug": "qmi2-experimenters-phase-1",
        "edition": 2,
        "kind": CallKind.EXPERIMENTERS,
        "phase": 1,
        "title_fr": "Appel à expérimentateurs – Édition 2, phase 1",
        "title_en": "Call for experimenters – Edition 2, phase 1",
        "summary_fr": (
            "Pour les villes d'Athis-Mons, Aubervilliers et Fontenay-sous-Bois : startups, PME, "
            "associations… proposez une solution au stade de prototype."
        ),
        "summary_en": (
            "For the towns of Athis-Mons, Aubervilliers and Fontenay-sous-Bois: startups, SMEs, "
            "associations… propose a prototype-stage solution."
        ),
        "opens_at": _paris(2024, 5, 13),
        "closes_at": _paris(2024, 6, 16, 23, 59),
        "districts": ["Athis-Mons", "Aubervilliers", "Fontenay-sous-Bois"],
    },
    {
        "slug": "qmi2-experimenters-phase-2",
        "edition": 2,
        "kind": CallKind.EXPERIMENTERS,
        "phase": 2,
        "title_fr": "Appel à expérimentateurs – Édition 2, phase 2",
        "title_en": "Call for experimenters – Edition 2, phase 2",
        "summary_fr": (
            "Pour les villes de Sucy-en-Brie, Issy-les-Moulineaux et Argenteuil. Annoncé pour "
            "janvier 2025 : les dates exactes ci-dessous sont indicatives."
        ),
        "summary_en": (
            "For the towns of Sucy-en-Brie, Issy-les-Moulineaux and Argenteuil. Announced for "
            "January 2025: the exact dates below are indicative."
        ),
        "opens_at": _paris(2025, 1, 13),
        "closes_at": _paris(2025, 2, 14, 23, 59),
        "districts": ["Sucy-en-Brie", "Issy-les-Moulineaux", "Argenteuil"],
    },
]


def _fictional_calls(today):
    """An open and an upcoming call, dated from today so the demo stays alive."""

    def at(days, hour, minute=0):
        day = today + dt.timedelta(days=days)
        return _paris(day.year, day.month, day.day, hour, minute)

    return [
        {
            "slug": "demo-qmi3-municipalities",
            "edition": 3,
            "kind": CallKind.MUNICIPALITIES,
            "phase": 1,
            "title_fr": "Appel aux communes – Édition 3 (fictif)",
            "title_en": "Call to municipalities – Edition 3 (fictional)",
            "summary_fr": "Appel fictif des données de démonstration, ouvert aujourd'hui.",
            "summary_en": "A fictional call of the demo data, open today.",
            "opens_at": at(-14, 9),
            "closes_at": at(30, 12),
            "districts": [],
        },
        {
            "slug": "demo-qmi3-experimenters",
            "edition": 3,
            "kind": CallKind.EXPERIMENTERS,
            "phase": 1,
            "title_fr": "Appel à expérimentateurs – Édition 3 (fictif)",
            "title_en": "Call for experimenters – Edition 3 (fictional)",
            "summary_fr": "Appel fictif des données de démonstration, à venir.",
            "summary_en": "A fictional call of the demo data, still to come.",
            "opens_at": at(60, 9),
            "closes_at": at(95, 12),
            "districts": [],
        },
    ]


def seed_calls(editions) -> list[Call]:
    today = timezone.localdate()
    edition_3, _ = Edition.objects.update_or_create(
        number=3,
        defaults={
            "name_fr": "Édition 3 (fictive)",
            "name_en": "Edition 3 (fictional)",
            "summary_fr": "Édition fictive des données de démonstration.",
            "summary_en": "A fictional edition of the demo data.",
            "start_year": today.year,
            "end_year": today.year + 2,
            "status": EditionStatus.MUNICIPALITY_SELECTION,
        },
    )
    editions = {**editions, 3: edition_3}
    calls = []
    for data in [*REAL_CALLS, *_fictional_calls(today)]:
        fields = {k: v for k, v in data.items() if k not in ("slug", "edition", "districts")}
        call, _ = Call.objects.update_or_create(
            slug=data["slug"],
            defaults={
                **fields,
                "edition": editions[data["edition"]],
                "is_fictional": data["edition"] == 3,
            },
        )
        call.districts.set(
            InnovationDistrict.objects.filter(
                edition=editions[data["edition"]], municipality__name__in=data["districts"]
            )
        )
        calls.append(call)
    return calls
