"""Demo calls and applications: the real calls of the seeds, and fictional ones.

Real dates come from the press releases (experimenter call of edition 1 from 9
March to 9 April 2023 with an information meeting on 21 March at 11:30, call
to municipalities from 23 October 2023 to 12 January 2024 with two webinars,
experimenter call phase 1 from 13 May to 16 June 2024). Phase 2 was announced
for "January 2025" without exact days: its dates here are indicative and said
so. The fictional calls are dated from today, so the demo always has a call in
every state: edition 3 (fictional) has an open call to municipalities and an
upcoming call for experimenters; edition 2 gets two fictional phases for
experimenters, one closed (with applications reviewed and decided) and one
open. Every fictional call says so in its title.

The applications are fictional too (Faker, seeded; example.org addresses),
one or more in every status, and reach it through the workflow
(``application_set_status``) at instants inside the call's life, so their
history is the one the portal would have written.
"""

import datetime as dt
import hashlib
import random
import uuid
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group
from django.core.files.base import ContentFile
from django.utils import timezone
from django.utils.text import slugify
from faker import Faker

from municipalities.enums import Department, EditionStatus, Ept
from municipalities.models import Edition, InnovationDistrict, UrbanChallenge
from municipalities.permissions import REVIEWERS

from .enums import ApplicationStatus as S
from .enums import AttachmentKind, CallKind, KeyDateKind, LegalForm, Maturity, Opinion
from .models import (
    Application,
    Attachment,
    Call,
    KeyDate,
    MunicipalityOpinion,
    ReviewAssignment,
    Score,
    TeamMember,
    private_storage,
)
from .services.calls import call_ensure_default_criteria
from .services.workflow import application_set_status

PARIS = ZoneInfo("Europe/Paris")
# Demo rows get stable identifiers: running the seed twice finds them again.
DEMO_NAMESPACE = uuid.UUID("6f1c3f0e-3d0b-4a57-9d0e-0c6b2f3a9e41")

DEMO_REVIEWER = {"username": "demo-reviewer", "password": "qmi-demo-review"}


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


# Key dates the seeds give with their day and time.
REAL_KEY_DATES = {
    "qmi1-experimenters": [
        {
            "kind": KeyDateKind.INFORMATION_MEETING,
            "title_fr": "Réunion d'information",
            "title_en": "Information meeting",
            "starts_at": _paris(2023, 3, 21, 11, 30),
            "ends_at": None,
            "location": "",
        },
    ],
    "qmi2-municipalities": [
        {
            "kind": KeyDateKind.WEBINAR,
            "title_fr": "Webinaire de présentation du programme",
            "title_en": "Programme presentation webinar",
            "starts_at": _paris(2023, 11, 14, 9, 0),
            "ends_at": _paris(2023, 11, 14, 10, 0),
            "location": "",
        },
        {
            "kind": KeyDateKind.WEBINAR,
            "title_fr": "Webinaire de présentation du programme",
            "title_en": "Programme presentation webinar",
            "starts_at": _paris(2023, 11, 23, 12, 30),
            "ends_at": _paris(2023, 11, 23, 13, 30),
            "location": "",
        },
    ],
}

FICTIONAL_NOTE_FR = "Appel fictif des données de démonstration"
FICTIONAL_NOTE_EN = "A fictional call of the demo data"
EDITION_2_TOWNS = [
    "Athis-Mons",
    "Aubervilliers",
    "Fontenay-sous-Bois",
    "Argenteuil",
    "Issy-les-Moulineaux",
    "Sucy-en-Brie",
]
CLOSED_EXPERIMENTERS = "demo-qmi2-experimenters-phase-3"
OPEN_EXPERIMENTERS = "demo-qmi2-experimenters-phase-4"
OPEN_MUNICIPALITIES = "demo-qmi3-municipalities"
UPCOMING_EXPERIMENTERS = "demo-qmi3-experimenters"


def _at(today, days, hour, minute=0):
    day = today + dt.timedelta(days=days)
    return _paris(day.year, day.month, day.day, hour, minute)


def _fictional_calls(today):
    """A call in every state, dated from today so the demo stays alive."""
    return [
        {
            "slug": OPEN_MUNICIPALITIES,
            "edition": 3,
            "kind": CallKind.MUNICIPALITIES,
            "phase": 1,
            "title_fr": "Appel aux communes – Édition 3 (fictif)",
            "title_en": "Call to municipalities – Edition 3 (fictional)",
            "summary_fr": f"{FICTIONAL_NOTE_FR}, ouvert aujourd'hui.",
            "summary_en": f"{FICTIONAL_NOTE_EN}, open today.",
            "opens_at": _at(today, -14, 9),
            "closes_at": _at(today, 30, 12),
            "districts": [],
            "key_dates": [
                {
                    "kind": KeyDateKind.WEBINAR,
                    "title_fr": "Webinaire de présentation (fictif)",
                    "title_en": "Presentation webinar (fictional)",
                    "starts_at": _at(today, 7, 9),
                    "ends_at": _at(today, 7, 10),
                    "location": "En ligne",
                },
            ],
        },
        {
            "slug": UPCOMING_EXPERIMENTERS,
            "edition": 3,
            "kind": CallKind.EXPERIMENTERS,
            "phase": 1,
            "title_fr": "Appel à expérimentateurs – Édition 3 (fictif)",
            "title_en": "Call for experimenters – Edition 3 (fictional)",
            "summary_fr": f"{FICTIONAL_NOTE_FR}, à venir.",
            "summary_en": f"{FICTIONAL_NOTE_EN}, still to come.",
            "opens_at": _at(today, 60, 9),
            "closes_at": _at(today, 95, 12),
            "districts": [],
            "key_dates": [
                {
                    "kind": KeyDateKind.INFORMATION_MEETING,
                    "title_fr": "Réunion d'information (fictive)",
                    "title_en": "Information meeting (fictional)",
                    "starts_at": _at(today, 70, 11, 30),
                    "ends_at": _at(today, 70, 12, 30),
                    "location": "Paris&Co",
                },
            ],
        },
        {
            "slug": CLOSED_EXPERIMENTERS,
            "edition": 2,
            "kind": CallKind.EXPERIMENTERS,
            "phase": 3,
            "title_fr": "Appel à expérimentateurs – Édition 2, phase 3 (fictif)",
            "title_en": "Call for experimenters – Edition 2, phase 3 (fictional)",
            "summary_fr": (
                f"{FICTIONAL_NOTE_FR}, clos : candidatures examinées, évaluées et décidées."
            ),
            "summary_en": (
                f"{FICTIONAL_NOTE_EN}, closed: applications screened, reviewed and decided."
            ),
            "opens_at": _at(today, -75, 9),
            "closes_at": _at(today, -35, 12),
            "review_deadline": _at(today, -17, 18),
            "districts": EDITION_2_TOWNS,
            "key_dates": [
                {
                    "kind": KeyDateKind.INFORMATION_MEETING,
                    "title_fr": "Réunion d'information (fictive)",
                    "title_en": "Information meeting (fictional)",
                    "starts_at": _at(today, -60, 11, 30),
                    "ends_at": _at(today, -60, 12, 30),
                    "location": "En ligne",
                },
                {
                    "kind": KeyDateKind.JURY,
                    "title_fr": "Comité de sélection (fictif)",
                    "title_en": "Selection committee (fictional)",
                    "starts_at": _at(today, -10, 14),
                    "ends_at": _at(today, -10, 17),
                    "location": "Paris&Co",
                },
            ],
        },
        {
            "slug": OPEN_EXPERIMENTERS,
            "edition": 2,
            "kind": CallKind.EXPERIMENTERS,
            "phase": 4,
            "title_fr": "Appel à expérimentateurs – Édition 2, phase 4 (fictif)",
            "title_en": "Call for experimenters – Edition 2, phase 4 (fictional)",
            "summary_fr": f"{FICTIONAL_NOTE_FR}, ouvert aujourd'hui.",
            "summary_en": f"{FICTIONAL_NOTE_EN}, open today.",
            "opens_at": _at(today, -10, 9),
            "closes_at": _at(today, 35, 12),
            "districts": ["Aubervilliers", "Argenteuil", "Sucy-en-Brie"],
            "key_dates": [
                {
                    "kind": KeyDateKind.WEBINAR,
                    "title_fr": "Webinaire de présentation (fictif)",
                    "title_en": "Presentation webinar (fictional)",
                    "starts_at": _at(today, 5, 12, 30),
                    "ends_at": _at(today, 5, 13, 30),
                    "location": "En ligne",
                },
            ],
        },
    ]


def seed_calls(editions) -> list[Call]:
    """The calls, each with the programme's five criteria and its key dates; idempotent."""
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
    fictional = _fictional_calls(today)
    for data in [*REAL_CALLS, *fictional]:
        fields = {
            k: v for k, v in data.items() if k not in ("slug", "edition", "districts", "key_dates")
        }
        call, _ = Call.objects.update_or_create(
            slug=data["slug"],
            defaults={
                **fields,
                "edition": editions[data["edition"]],
                "is_fictional": data in fictional,
            },
        )
        call.districts.set(
            InnovationDistrict.objects.filter(
                edition=editions[data["edition"]], municipality__name__in=data["districts"]
            )
        )
        call_ensure_default_criteria(call=call)
        _set_key_dates(call, data.get("key_dates") or REAL_KEY_DATES.get(call.slug, []))
        calls.append(call)
    return calls


def _set_key_dates(call, wanted):
    """Update the call's key dates in place, so that a second run changes no row."""
    existing = list(call.key_dates.order_by("pk"))
    for index, data in enumerate(wanted):
        key_date = existing[index] if index < len(existing) else KeyDate(call=call)
        for field, value in data.items():
            setattr(key_date, field, value)
        key_date.title = data["title_fr"]
        key_date.save()
    KeyDate.objects.filter(pk__in=[key_date.pk for key_date in existing[len(wanted) :]]).delete()


# Applications.


def demo_pdf(title: str, *, padding: int = 0) -> bytes:
    """A small, valid one-page PDF with a title: what an applicant's presentation looks like.

    ``padding`` adds comment lines after the header, for a file of a given size.
    """
    text = slugify(title).replace("-", " ")[:80] or "presentation"
    content = f"BT /F1 20 Tf 72 770 Td ({text}) Tj ET".encode("ascii")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] "
        b"/Resources << /Font << /F1 4 0 R >> >> /Contents 5 0 R >>",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        b"<< /Length %d >>\nstream\n%s\nendstream" % (len(content), content),
    ]
    pdf = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    filler = b"%" + b"q" * 78 + b"\n"
    pdf += filler * (max(padding, 0) // len(filler))
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(pdf))
        pdf += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(pdf)
    pdf += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    for offset in offsets:
        pdf += b"%010d 00000 n \n" % offset
    pdf += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return bytes(pdf)


def demo_attachment(*, application, kind, title) -> Attachment:
    """Store a generated PDF in the private storage under a stable, random-looking name."""
    content = demo_pdf(title)
    name = f"applications/{application.uuid}/{uuid.uuid5(DEMO_NAMESPACE, f'{application.uuid}:{kind}').hex}"
    if not private_storage.exists(name):
        name = private_storage.save(name, ContentFile(content))
    return Attachment.objects.create(
        application=application,
        kind=kind,
        file=name,
        original_name=f"{slugify(title)[:60] or 'document'}.pdf",
        content_type="application/pdf",
        size=len(content),
        sha256=hashlib.sha256(content).hexdigest(),
        uploaded_at=application.created_at,
    )


# Foreign organisations, about 21 % of the applicants as in the programme's first call.
FOREIGN = [
    ("BE", "fr_BE"),
    ("DE", "de_DE"),
    ("ES", "es_ES"),
    ("IT", "it_IT"),
    ("NL", "nl_NL"),
    ("CH", "de_CH"),
    ("GB", "en_GB"),
    ("CA", "fr_CA"),
    ("US", "en_US"),
    ("PT", "pt_PT"),
]
SOLUTIONS = [
    ("Banc connecté solaire", "Connected solar bench", "public-spaces"),
    ("Îlot de fraîcheur modulaire", "Modular cool island", "climate-adaptation"),
    ("Consigne de réemploi de quartier", "Neighbourhood reuse locker", "circular-economy"),
    ("Abri vélo sécurisé partagé", "Shared secure bike shelter", "mobility"),
    ("Capteurs de qualité de l'air citoyens", "Citizen air-quality sensors", "climate-adaptation"),
    ("Livraison du dernier kilomètre à vélo-cargo", "Last-mile cargo-bike delivery", "mobility"),
    ("Jardinières fertiles sur parking", "Fertile planters on car parks", "climate-adaptation"),
    ("Boutique éphémère des commerçants", "Pop-up shop for local traders", "local-activity"),
    ("Palissade de chantier interactive", "Interactive worksite hoarding", "urban-renewal"),
    ("Rénovation énergétique participative", "Participatory energy retrofit", "housing"),
    ("Parcours sportif connecté", "Connected fitness trail", "sport"),
    ("Compost collectif suivi par capteurs", "Sensor-monitored shared compost", "circular-economy"),
    ("Signalétique inclusive pour piétons", "Inclusive pedestrian wayfinding", "public-spaces"),
    ("Toiture d'ombrage végétalisée", "Planted shade canopy", "climate-adaptation"),
    ("Tiers-lieu mobile", "Mobile third place", "local-activity"),
    ("Récupérateur d'eau de pluie urbain", "Urban rainwater harvester", "climate-adaptation"),
]
IMPACTS = {
    "utility": (
        "Répond à un besoin exprimé par les habitants lors des marches sensibles.",
        "Answers a need residents expressed during the neighbourhood walks.",
    ),
    "sustainable-development": (
        "Matériaux biosourcés, fabrication en Île-de-France, fin de vie prévue.",
        "Bio-based materials, made in Île-de-France, end of life planned.",
    ),
    "sobriety": (
        "Faible consommation d'énergie, aucun écran, maintenance légère.",
        "Low energy use, no screen, light maintenance.",
    ),
    "resilience": (
        "Fonctionne hors réseau pendant une canicule ou une coupure.",
        "Keeps working off-grid during a heatwave or a power cut.",
    ),
    "quality-of-life": (
        "Plus d'ombre, de calme et de lien entre voisins.",
        "More shade, quiet and ties between neighbours.",
    ),
}
# (town, INSEE code, department, EPT): towns that do not exist, so nobody mistakes them.
FICTIONAL_TOWNS = [
    ("Ville-Exemple-sur-Marne", "94999", Department.VAL_DE_MARNE, Ept.PARIS_EST_MARNE_ET_BOIS),
    ("Bourg-Démo", "93999", Department.SEINE_SAINT_DENIS, Ept.EST_ENSEMBLE),
    ("Villefictive-les-Bois", "92999", Department.HAUTS_DE_SEINE, Ept.VALLEE_SUD_GRAND_PARIS),
]

# Which demo applications to make: (call, final status, options).
# ``towns``: target districts (by town); ``foreign``: organisation abroad.
DEMO_APPLICATIONS = [
    # The closed call: screened, reviewed, co-selected and decided.
    (CLOSED_EXPERIMENTERS, S.DRAFT, {"towns": ["Athis-Mons"]}),
    (CLOSED_EXPERIMENTERS, S.SUBMITTED, {"towns": ["Argenteuil"]}),
    (CLOSED_EXPERIMENTERS, S.ELIGIBLE, {"towns": ["Sucy-en-Brie"], "foreign": True}),
    (CLOSED_EXPERIMENTERS, S.INELIGIBLE, {"towns": ["Fontenay-sous-Bois"]}),
    (CLOSED_EXPERIMENTERS, S.UNDER_REVIEW, {"towns": ["Aubervilliers"], "conflict": True}),
    (
        CLOSED_EXPERIMENTERS,
        S.SHORTLISTED,
        {"towns": ["Aubervilliers", "Athis-Mons"], "reviews": 3, "opinion": Opinion.FAVOURABLE},
    ),
    (CLOSED_EXPERIMENTERS, S.SHORTLISTED, {"towns": ["Aubervilliers"], "reviews": 3}),
    (
        CLOSED_EXPERIMENTERS,
        S.SELECTED,
        {"towns": ["Aubervilliers"], "reviews": 3, "opinion": Opinion.FAVOURABLE},
    ),
    (
        CLOSED_EXPERIMENTERS,
        S.WAITING_LIST,
        {"towns": ["Sucy-en-Brie"], "reviews": 3, "foreign": True},
    ),
    (CLOSED_EXPERIMENTERS, S.REJECTED, {"towns": ["Argenteuil"], "reviews": 2}),
    (CLOSED_EXPERIMENTERS, S.WITHDRAWN, {"towns": ["Issy-les-Moulineaux"], "foreign": True}),
    # The open call: drafts and the first submissions.
    (OPEN_EXPERIMENTERS, S.DRAFT, {"towns": ["Aubervilliers"], "partial": True}),
    (OPEN_EXPERIMENTERS, S.DRAFT, {"towns": ["Argenteuil"], "foreign": True}),
    (OPEN_EXPERIMENTERS, S.SUBMITTED, {"towns": ["Sucy-en-Brie", "Aubervilliers"]}),
    (OPEN_EXPERIMENTERS, S.WITHDRAWN, {"towns": ["Sucy-en-Brie"], "partial": True}),
    # The open call to municipalities.
    (OPEN_MUNICIPALITIES, S.DRAFT, {"town": 0}),
    (OPEN_MUNICIPALITIES, S.SUBMITTED, {"town": 1}),
]

# The way to each status through the workflow, after the draft.
PATHS = {
    S.DRAFT: [],
    S.SUBMITTED: [S.SUBMITTED],
    S.ELIGIBLE: [S.SUBMITTED, S.ELIGIBLE],
    S.INELIGIBLE: [S.SUBMITTED, S.INELIGIBLE],
    S.UNDER_REVIEW: [S.SUBMITTED, S.ELIGIBLE, S.UNDER_REVIEW],
    S.SHORTLISTED: [S.SUBMITTED, S.ELIGIBLE, S.UNDER_REVIEW, S.SHORTLISTED],
    S.SELECTED: [S.SUBMITTED, S.ELIGIBLE, S.UNDER_REVIEW, S.SHORTLISTED, S.SELECTED],
    S.WAITING_LIST: [S.SUBMITTED, S.ELIGIBLE, S.UNDER_REVIEW, S.SHORTLISTED, S.WAITING_LIST],
    S.REJECTED: [S.SUBMITTED, S.ELIGIBLE, S.UNDER_REVIEW, S.REJECTED],
    S.WITHDRAWN: [S.SUBMITTED, S.WITHDRAWN],
}
REASONS = {
    S.INELIGIBLE: "Solution déjà commercialisée : le programme teste des prototypes (fictif).",
    S.REJECTED: "Score en dessous du seuil du comité de sélection (fictif).",
}
# Days after the call opens (for the applicant) or closes (for staff), per status reached.
STEP_DAYS = {
    S.SUBMITTED: None,
    S.ELIGIBLE: 3,
    S.INELIGIBLE: 3,
    S.UNDER_REVIEW: 5,
    S.SHORTLISTED: 20,
    S.SELECTED: 28,
    S.WAITING_LIST: 28,
    S.REJECTED: 28,
    S.WITHDRAWN: None,
}


def seed_demo_reviewers() -> list:
    """Three fictional reviewers; the first one can sign in with a known password."""
    fake = Faker("fr_FR")
    fake.seed_instance(4242)
    User = get_user_model()
    group = Group.objects.get(name=REVIEWERS)
    reviewers = []
    for index in range(3):
        username = DEMO_REVIEWER["username"] if index == 0 else f"demo-reviewer-{index + 1}"
        reviewer, created = User.objects.get_or_create(
            username=username,
            defaults={
                "first_name": fake.first_name(),
                "last_name": fake.last_name(),
                "email": f"{username}@example.org",
                "is_active": True,
            },
        )
        if created:
            if index == 0:
                reviewer.set_password(DEMO_REVIEWER["password"])
            else:
                reviewer.set_unusable_password()
            reviewer.save(update_fields=["password"])
        reviewer.groups.add(group)
        reviewers.append(reviewer)
    return reviewers


def seed_applications(*, staff, municipality_user, reviewers) -> list[Application]:
    """One or more demo applications in every status; idempotent.

    An application that exists (found by its stable uuid) is left as it is:
    its history is already written.
    """
    calls = {
        call.slug: call
        for call in Call.objects.filter(
            slug__in={slug for slug, _status, _options in DEMO_APPLICATIONS}
        ).select_related("edition")
    }
    existing = set(
        Application.objects.filter(
            uuid__in=[_demo_uuid(index) for index in range(len(DEMO_APPLICATIONS))]
        ).values_list("uuid", flat=True)
    )
    applications = []
    for index, (slug, status, options) in enumerate(DEMO_APPLICATIONS):
        uid = _demo_uuid(index)
        if uid in existing:
            continue
        # Each application draws from its own seed: the same data on every machine.
        rng = random.Random(index)  # noqa: S311 - demo data, not security
        fake = Faker("fr_FR")
        fake.seed_instance(2025 + index)
        country, locale = rng.choice(FOREIGN) if options.get("foreign") else ("FR", "fr_FR")
        person = Faker(locale)
        person.seed_instance(index)
        call = calls[slug]
        if call.is_for_municipalities:
            application = _municipality_application(call, uid, options, fake, rng)
        else:
            application = _experimenter_application(call, uid, options, country, person, fake, rng)
        _walk(application, status, options, staff, municipality_user, reviewers, rng)
        applications.append(application)
    return applications


def _demo_uuid(index):
    return uuid.uuid5(DEMO_NAMESPACE, f"application-{index}")


def _applicant(person, rng):
    User = get_user_model()
    first, last = person.first_name(), person.last_name()
    email = f"{slugify(first)}.{slugify(last)}.{rng.randint(10, 99)}@example.org"
    # Applicants sign in with a link sent by email: no password.
    user, _ = User.objects.get_or_create(
        username=email,
        defaults={
            "email": email,
            "first_name": first,
            "last_name": last,
            "password": make_password(None),
        },
    )
    return user


def _created_at(call, rng):
    start = call.opens_at + dt.timedelta(hours=rng.randint(2, 48))
    return min(start, timezone.now() - dt.timedelta(hours=2))


def _experimenter_application(call, uid, options, country, person, fake, rng):
    partial = options.get("partial", False)
    applicant = _applicant(person, rng)
    name_fr, name_en, theme_code = rng.choice(SOLUTIONS)
    french = country == "FR"
    legal_form = rng.choice(
        [LegalForm.STARTUP] * 4
        + [LegalForm.SME] * 2
        + [LegalForm.ASSOCIATION, LegalForm.COOPERATIVE, LegalForm.SCHOOL, LegalForm.DESIGNER]
    )
    organisation = person.company()
    codes = [criterion.code for criterion in call.criteria.all()]
    language = "fr" if country in ("FR", "BE", "CA", "CH") else "en"
    application = Application.objects.create(
        uuid=uid,
        call=call,
        applicant=applicant,
        language=language,
        created_at=_created_at(call, rng),
        organisation_name=organisation,
        legal_form=legal_form,
        country=country,
        siret=_siret(rng) if french and legal_form != LegalForm.DESIGNER else "",
        website=f"https://{slugify(organisation)[:40] or 'demo'}.example.org",
        contact_first_name=applicant.first_name,
        contact_last_name=applicant.last_name,
        contact_email=applicant.email,
        contact_phone=fake.phone_number() if french else person.phone_number(),
        contact_role=rng.choice(["Fondatrice", "Directeur", "Chargée de projet", "CEO"]),
        solution_name=name_fr if language == "fr" else name_en,
        solution_summary=(
            f"{name_fr} : une solution au stade de prototype, testée avec les habitants."
            if language == "fr"
            else f"{name_en}: a prototype-stage solution, tested with residents."
        ),
        solution_description="" if partial else fake.paragraph(nb_sentences=6),
        maturity="" if partial else rng.choice([Maturity.PROTOTYPE] * 3 + [Maturity.PILOT]),
        expected_impacts={}
        if partial
        else {code: IMPACTS.get(code, ("", ""))[language != "fr"] for code in codes},
        site_needs="" if partial else "Un accès électrique et un emplacement de 10 m².",
        declares_accuracy=not partial,
        accepts_privacy=not partial,
        consents_publication=not partial and rng.random() < 0.7,
        completed_steps=[] if partial else ["organisation", "contact", "solution", "attachments"],
    )
    themes = UrbanChallenge.objects.filter(edition=call.edition_id, code=theme_code)
    application.themes.set(themes)
    application.target_districts.set(
        call.districts.filter(municipality__name__in=options.get("towns", []))
    )
    members = [person.name() for _ in range(rng.randint(1, 3))]
    TeamMember.objects.bulk_create(
        TeamMember(
            application=application,
            name=member,
            role=rng.choice(["Ingénieure", "Designer", "Chef de projet", "Data scientist"]),
            email=f"{slugify(member)}@example.org",
        )
        for member in members
    )
    if not partial:
        demo_attachment(
            application=application, kind=AttachmentKind.PRESENTATION, title=application.title
        )
    return application


def _municipality_application(call, uid, options, fake, rng):
    town, insee_code, department, ept = FICTIONAL_TOWNS[options["town"]]
    mayor = fake.name()
    applicant = _applicant(fake, rng)
    application = Application.objects.create(
        uuid=uid,
        call=call,
        applicant=applicant,
        language="fr",
        created_at=_created_at(call, rng),
        town_name=f"{town} (fictive)",
        town_insee_code=insee_code,
        town_department=department,
        town_ept=ept,
        town_mayor=mayor,
        contact_first_name=applicant.first_name,
        contact_last_name=applicant.last_name,
        contact_email=applicant.email,
        contact_phone=fake.phone_number(),
        contact_role="Direction de l'innovation",
        priority_challenge="Redynamiser le quartier de la gare et ses commerces.",
        district_name=f"Quartier de la gare de {town}",
        district_description=fake.paragraph(nb_sentences=4),
        district_latitude=Decimal("48.85") + Decimal(rng.randint(0, 900)) / 10000,
        district_longitude=Decimal("2.30") + Decimal(rng.randint(0, 2000)) / 10000,
        motivation=fake.paragraph(nb_sentences=5),
        commitments="Un référent à mi-temps, l'accès aux espaces publics, un budget d'animation.",
        declares_accuracy=True,
        accepts_privacy=True,
        completed_steps=["town", "contact", "district", "commitments", "attachments"],
    )
    demo_attachment(
        application=application,
        kind=AttachmentKind.COUNCIL_DECISION,
        title=f"Délibération du conseil municipal de {town}",
    )
    return application


def _siret(rng):
    """A SIRET number that passes the Luhn check."""
    digits = [rng.randint(0, 9) for _ in range(13)]
    digits[0] = rng.randint(1, 9)
    for check in range(10):
        candidate = [*digits, check]
        total = 0
        for index, digit in enumerate(reversed(candidate)):
            if index % 2 == 1:
                digit *= 2
                if digit > 9:
                    digit -= 9
            total += digit
        if total % 10 == 0:
            return "".join(map(str, candidate))
    raise AssertionError("unreachable")


def _walk(application, status, options, staff, municipality_user, reviewers, rng):
    """Take the application to ``status`` through the workflow, at plausible instants."""
    call = application.call
    closed = call.closes_at <= timezone.now()
    submitted_at = application.created_at + dt.timedelta(hours=rng.randint(4, 96))
    submitted_at = min(submitted_at, call.closes_at - dt.timedelta(hours=1))
    latest = timezone.now() - dt.timedelta(hours=1)
    path = options.get("path") or PATHS[status]
    if status == S.WITHDRAWN and options.get("partial"):
        path = [S.WITHDRAWN]
    for step in path:
        if step == S.SUBMITTED or (step == S.WITHDRAWN and path[0] != S.WITHDRAWN):
            # The applicant acts before the deadline.
            by = application.applicant
            now = (
                submitted_at
                if step == S.SUBMITTED
                else min(
                    submitted_at + dt.timedelta(days=1), call.closes_at - dt.timedelta(hours=1)
                )
            )
        elif step == S.WITHDRAWN:
            by, now = application.applicant, application.created_at + dt.timedelta(days=1)
        else:
            by = staff
            base = call.closes_at if closed else submitted_at
            now = base + dt.timedelta(days=STEP_DAYS[step], hours=rng.randint(1, 6))
        now = min(now, latest)
        if step == S.UNDER_REVIEW:
            under_review_at = now
        application = application_set_status(
            application=application,
            status=step,
            by=by,
            reason=REASONS.get(step, ""),
            now=now,
        )
    if S.UNDER_REVIEW in path:
        _reviews(application, options, staff, reviewers, rng, under_review_at, status)
    if options.get("opinion"):
        district = application.target_districts.get(municipality__name="Aubervilliers")
        MunicipalityOpinion.objects.create(
            application=application,
            district=district,
            opinion=options["opinion"],
            comment="Avis fictif de la commune de démonstration.",
            author=municipality_user,
        )
    return application


def _reviews(application, options, staff, reviewers, rng, assigned_at, status):
    criteria = list(application.call.criteria.all())
    count = options.get("reviews", 2)
    good = status in (S.SHORTLISTED, S.SELECTED, S.WAITING_LIST)
    for index, reviewer in enumerate(reviewers[:count]):
        assignment = ReviewAssignment(
            application=application,
            reviewer=reviewer,
            assigned_by=staff,
            assigned_at=assigned_at,
        )
        if options.get("conflict") and index == 0:
            assignment.conflict_declared_at = assigned_at + dt.timedelta(days=1)
            assignment.conflict_reason = "A travaillé avec cette structure (fictif)."
            assignment.save()
            continue
        finished = status != S.UNDER_REVIEW or index == 0
        if finished:
            assignment.completed_at = assigned_at + dt.timedelta(days=2 + index)
            assignment.comment = "Solution pertinente pour le quartier (avis fictif)."
        assignment.save()
        if finished:
            Score.objects.bulk_create(
                Score(
                    assignment=assignment,
                    criterion=criterion,
                    value=rng.randint(3, 5) if good else rng.randint(1, 4),
                    comment="",
                )
                for criterion in criteria
            )
