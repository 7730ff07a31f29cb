"""Generated applications in bulk, for the benchmarks: ``seed_demo --scale N``.

Realistic in shape rather than in wording: applications spread over the
fictional calls, in every status with the history rows that lead there, legal
forms and countries as in the programme (about 21 % from abroad), target
districts and themes, reviews with scores, town opinions on the shortlist,
references numbered from the edition's ``ReferenceCounter``. Everything goes
in with ``bulk_create`` in chunks: a fixed number of queries per chunk, never
one per row. The workflow service is not called here (it is one application
at a time by design); the rows it would write are written directly, with the
same rules: the cap of selected solutions per district, references only on
submitted applications, a reason on ineligible and rejected.

Idempotent: ``count`` is the number of generated applications wanted in all;
a second run with the same number creates nothing.
"""

import dataclasses
import datetime as dt
import hashlib
import random
import time
import uuid
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.files.base import ContentFile
from django.db import connection, transaction
from django.db.models import Count, JSONField
from django.utils import timezone
from django.utils.text import slugify
from faker import Faker
from psycopg.types.json import Jsonb

from municipalities.enums import MembershipRole
from municipalities.models import MunicipalityMembership, UrbanChallenge
from municipalities.permissions import MUNICIPALITY_STAFF, REVIEWERS

from .demo import (
    CLOSED_EXPERIMENTERS,
    FICTIONAL_TOWNS,
    FOREIGN,
    IMPACTS,
    OPEN_EXPERIMENTERS,
    OPEN_MUNICIPALITIES,
    PATHS,
    REASONS,
    SOLUTIONS,
    _siret,
    demo_pdf,
)
from .enums import ApplicationStatus as S
from .enums import AttachmentKind, LegalForm, Maturity, Opinion
from .models import (
    Application,
    ApplicationStatusChange,
    Attachment,
    Call,
    MunicipalityOpinion,
    ReferenceCounter,
    ReviewAssignment,
    Score,
    TeamMember,
    private_storage,
)
from .services.completeness import NO_SIRET

USERNAME_PREFIX = "scale-"
REVIEWER_COUNT = 12
CHUNK = 5000

# Share of the generated applications per call, and of the statuses in each.
CALL_SHARES = [
    (CLOSED_EXPERIMENTERS, 0.90),
    (OPEN_EXPERIMENTERS, 0.08),
    (OPEN_MUNICIPALITIES, 0.02),
]
STATUS_SHARES = {
    CLOSED_EXPERIMENTERS: [
        (S.DRAFT, 0.12),
        (S.SUBMITTED, 0.03),
        (S.ELIGIBLE, 0.04),
        (S.INELIGIBLE, 0.10),
        (S.UNDER_REVIEW, 0.18),
        (S.SHORTLISTED, 0.06),
        (S.SELECTED, 0.01),
        (S.WAITING_LIST, 0.03),
        (S.REJECTED, 0.39),
        (S.WITHDRAWN, 0.04),
    ],
    OPEN_EXPERIMENTERS: [
        (S.DRAFT, 0.50),
        (S.SUBMITTED, 0.38),
        (S.ELIGIBLE, 0.05),
        (S.INELIGIBLE, 0.03),
        (S.WITHDRAWN, 0.04),
    ],
    OPEN_MUNICIPALITIES: [
        (S.DRAFT, 0.45),
        (S.SUBMITTED, 0.40),
        (S.ELIGIBLE, 0.08),
        (S.INELIGIBLE, 0.04),
        (S.WITHDRAWN, 0.03),
    ],
}
LEGAL_FORMS = [
    (LegalForm.STARTUP, 0.40),
    (LegalForm.SME, 0.20),
    (LegalForm.ASSOCIATION, 0.12),
    (LegalForm.LARGE_GROUP, 0.06),
    (LegalForm.COOPERATIVE, 0.04),
    (LegalForm.SCHOOL, 0.05),
    (LegalForm.CITIZEN, 0.04),
    (LegalForm.DESIGNER, 0.04),
    (LegalForm.OTHER, 0.05),
]
FOREIGN_SHARE = 0.21
OPINIONS = [(Opinion.FAVOURABLE, 0.6), (Opinion.RESERVED, 0.25), (Opinion.UNFAVOURABLE, 0.15)]
REVIEWED = {S.UNDER_REVIEW, S.SHORTLISTED, S.SELECTED, S.WAITING_LIST, S.REJECTED}
SHORTLIST = {S.SHORTLISTED, S.SELECTED, S.WAITING_LIST}
# Days after the call closes (or after the submission, while it is open) per staff step.
STAFF_DAYS = {
    S.ELIGIBLE: 3,
    S.INELIGIBLE: 3,
    S.UNDER_REVIEW: 5,
    S.SHORTLISTED: 20,
    S.SELECTED: 28,
    S.WAITING_LIST: 28,
    S.REJECTED: 28,
    S.WITHDRAWN: 10,
}


@dataclasses.dataclass
class ScaleResult:
    created: int
    total: int
    seconds: float
    rows: dict


def seed_scale(*, count: int, seed: int = 2024, chunk: int = CHUNK, log=None) -> ScaleResult:
    """Make sure ``count`` generated applications exist; return what was created and when."""
    started = time.perf_counter()
    log = log or (lambda message: None)
    with transaction.atomic():
        existing = Application.objects.filter(applicant__username__startswith=USERNAME_PREFIX)
        have = existing.count()
        wanted = max(count - have, 0)
        rows = dict.fromkeys(
            [
                "users",
                "applications",
                "themes",
                "districts",
                "team_members",
                "history",
                "attachments",
                "assignments",
                "scores",
                "opinions",
            ],
            0,
        )
        if wanted:
            generator = _Generator(seed=seed + have, first_index=have)
            for start in range(0, wanted, chunk):
                size = min(chunk, wanted - start)
                generator.make_chunk(size, rows)
                log(f"  {start + size}/{wanted} applications…")
            generator.save_counters()
    return ScaleResult(
        created=wanted, total=have + wanted, seconds=time.perf_counter() - started, rows=rows
    )


class _Generator:
    """Everything read once (calls, districts, criteria, people), then chunks of rows."""

    def __init__(self, *, seed, first_index):
        self.rng = random.Random(seed)  # noqa: S311 - demo data, not security
        self.index = first_index
        self.now = timezone.now()
        calls = {
            call.slug: call
            for call in Call.objects.filter(slug__in=[slug for slug, _ in CALL_SHARES])
            .select_related("edition")
            .prefetch_related("districts__municipality", "criteria")
        }
        missing = {slug for slug, _ in CALL_SHARES} - set(calls)
        if missing:
            raise ValueError(f"Run seed_demo first: calls {sorted(missing)} are missing.")
        self.calls = [calls[slug] for slug, _ in CALL_SHARES]
        self.call_weights = [share for _, share in CALL_SHARES]
        self.districts = {call.pk: list(call.districts.all()) for call in self.calls}
        self.criteria = {call.pk: list(call.criteria.all()) for call in self.calls}
        self.themes = {}
        for theme in UrbanChallenge.objects.filter(
            edition__in={call.edition_id for call in self.calls}
        ):
            self.themes.setdefault(theme.edition_id, []).append(theme)
        User = get_user_model()
        self.staff_id = (
            User.objects.filter(username="demo-staff").values_list("pk", flat=True).first()
        )
        self.reviewer_ids = self._people(
            [f"{USERNAME_PREFIX}reviewer-{n:02d}" for n in range(1, REVIEWER_COUNT + 1)],
            REVIEWERS,
        )
        self.referents = self._referents()
        taken = (
            Application.objects.filter(call__in=self.calls, status=S.SELECTED)
            .values("call", "selected_district")
            .annotate(n=Count("pk"))
        )
        self.selected = {(row["call"], row["selected_district"]): row["n"] for row in taken}
        self.counters = {}
        for call in self.calls:
            key = (call.edition_id, call.kind)
            if key not in self.counters:
                counter, _ = ReferenceCounter.objects.select_for_update().get_or_create(
                    edition_id=call.edition_id, kind=call.kind
                )
                self.counters[key] = counter
        self._pools()
        self.file_name, self.file_size, self.file_sha = self._shared_presentation()
        self.next_reviewer = 0
        self.writer = _Writer()

    # Set-up.

    def _people(self, usernames, group_name):
        """Users with a role, created once; returns their ids in order."""
        User = get_user_model()
        existing = dict(User.objects.filter(username__in=usernames).values_list("username", "pk"))
        fake = Faker("fr_FR")
        fake.seed_instance(len(usernames))
        new = [
            User(
                username=username,
                email=f"{username}@example.org",
                first_name=fake.first_name(),
                last_name=fake.last_name(),
                password="!" + f"{self.rng.getrandbits(128):032x}",
            )
            for username in usernames
            if username not in existing
        ]
        for user in User.objects.bulk_create(new):
            existing[user.username] = user.pk
        group = Group.objects.get(name=group_name)
        User.groups.through.objects.bulk_create(
            [User.groups.through(user_id=existing[name], group_id=group.pk) for name in usernames],
            ignore_conflicts=True,
        )
        return [existing[name] for name in usernames]

    def _referents(self):
        """One municipality staff member per town of the districts, to give opinions."""
        towns = {
            district.municipality_id: district.municipality
            for districts in self.districts.values()
            for district in districts
        }
        members = dict(
            MunicipalityMembership.objects.filter(municipality__in=towns)
            .order_by("pk")
            .values_list("municipality_id", "user_id")
        )
        missing = [town for town_id, town in towns.items() if town_id not in members]
        if missing:
            ids = self._people(
                [f"{USERNAME_PREFIX}referent-{town.slug}" for town in missing], MUNICIPALITY_STAFF
            )
            MunicipalityMembership.objects.bulk_create(
                [
                    MunicipalityMembership(
                        user_id=user_id, municipality=town, role=MembershipRole.REFERENT
                    )
                    for user_id, town in zip(ids, missing, strict=True)
                ],
                ignore_conflicts=True,
            )
            members.update({town.pk: user_id for user_id, town in zip(ids, missing, strict=True)})
        return members

    def _pools(self):
        """Names drawn once: Faker per row would cost more than the inserts."""
        french = Faker("fr_FR")
        french.seed_instance(1)
        english = Faker("en_GB")
        english.seed_instance(2)
        self.people = {"FR": self._names(french, 400)}
        self.companies = {"FR": [french.company() for _ in range(1500)]}
        for country, locale in FOREIGN:
            fake = Faker(locale)
            fake.seed_instance(len(country))
            self.people[country] = self._names(fake, 60)
            self.companies[country] = [fake.company() for _ in range(150)]
        self.paragraphs = {
            "fr": [french.paragraph(nb_sentences=6) for _ in range(300)],
            "en": [english.paragraph(nb_sentences=6) for _ in range(100)],
        }
        self.phones = [french.phone_number() for _ in range(300)]
        self.sirets = [_siret(self.rng) for _ in range(2000)]

    @staticmethod
    def _names(fake, size):
        names = []
        for _ in range(size):
            first, last = fake.first_name(), fake.last_name()
            names.append((first, last, f"{slugify(first)}.{slugify(last)}"))
        return names

    def _shared_presentation(self):
        """One stored PDF that every generated presentation points at."""
        content = demo_pdf("Presentation generee pour les mesures")
        name = "applications/scale/presentation.pdf"
        if not private_storage.exists(name):
            name = private_storage.save(name, ContentFile(content))
        return name, len(content), hashlib.sha256(content).hexdigest()

    def save_counters(self):
        for counter in self.counters.values():
            ReferenceCounter.objects.filter(pk=counter.pk).update(last_number=counter.last_number)

    # Rows.

    def _pick(self, pairs):
        values, weights = zip(*pairs, strict=True)
        return self.rng.choices(values, weights)[0]

    def _at(self, start, end):
        """A random instant between two instants, never in the future."""
        end = min(end, self.now - dt.timedelta(minutes=5))
        if end <= start:
            return start
        return start + dt.timedelta(seconds=self.rng.uniform(0, (end - start).total_seconds()))

    def _reference(self, call):
        counter = self.counters[call.edition_id, call.kind]
        counter.last_number += 1
        code = "AMI" if call.is_for_municipalities else "EXP"
        return f"QMI{call.edition.number}-{code}-{counter.last_number:04d}"

    def make_chunk(self, size, rows):
        User = get_user_model()
        rng = self.rng
        plans = []
        users = []
        for _ in range(size):
            self.index += 1
            call = rng.choices(self.calls, self.call_weights)[0]
            plan = self._plan(call)
            first, last, slug = rng.choice(self.people[plan["country"]])
            plan["contact"] = (first, last)
            plan["email"] = email = f"{slug}.{self.index}@example.org"
            users.append(
                {
                    "username": f"{USERNAME_PREFIX}{self.index:07d}",
                    "email": email,
                    "first_name": first,
                    "last_name": last,
                    "password": "!" + f"{rng.getrandbits(128):032x}",
                    "date_joined": plan["created_at"],
                }
            )
            plans.append(plan)
        user_ids = self.writer.insert(User, users, return_ids=True)
        applications = [
            self._application(plan, user_id) for plan, user_id in zip(plans, user_ids, strict=True)
        ]
        application_ids = self.writer.insert(Application, applications, return_ids=True)

        themes, districts, members, history, attachments = [], [], [], [], []
        assignments, opinions = [], []
        for plan, pk, applicant_id in zip(plans, application_ids, user_ids, strict=True):
            themes += [{"application_id": pk, "urbanchallenge_id": t.id} for t in plan["themes"]]
            districts += [
                {"application_id": pk, "innovationdistrict_id": d.id} for d in plan["districts"]
            ]
            members += [
                {"application_id": pk, "name": name, "role": role, "email": email}
                for name, role, email in plan["team"]
            ]
            history += [
                {
                    "application_id": pk,
                    "from_status": from_status,
                    "to_status": to_status,
                    "by_id": applicant_id if by == "applicant" else self.staff_id,
                    "at": at,
                    "reason": reason,
                }
                for from_status, to_status, by, at, reason in plan["history"]
            ]
            if plan["submitted_at"]:
                attachments.append(
                    {
                        "application_id": pk,
                        "kind": AttachmentKind.COUNCIL_DECISION
                        if plan["call"].is_for_municipalities
                        else AttachmentKind.PRESENTATION,
                        "file": self.file_name,
                        "original_name": "presentation.pdf",
                        "content_type": "application/pdf",
                        "size": self.file_size,
                        "sha256": self.file_sha,
                        "uploaded_at": plan["submitted_at"],
                    }
                )
            for reviewer_id, assigned_at, conflict, completed_at in plan["reviews"]:
                assignments.append(
                    {
                        "application_id": pk,
                        "reviewer_id": reviewer_id,
                        "assigned_by_id": self.staff_id,
                        "assigned_at": assigned_at,
                        "conflict_declared_at": conflict,
                        "conflict_reason": "A travaillé avec cette structure." if conflict else "",
                        "completed_at": completed_at,
                        "comment": "Avis généré pour les mesures." if completed_at else "",
                        # Not columns: what the scores below need.
                        "_call": plan["call"].pk,
                        "_good": plan["status"] in SHORTLIST,
                    }
                )
            if plan["opinion"]:
                district, opinion = plan["opinion"]
                opinions.append(
                    {
                        "application_id": pk,
                        "district_id": district.pk,
                        "opinion": opinion,
                        "comment": "Avis généré pour les mesures.",
                        "author_id": self.referents[district.municipality_id],
                        "updated_at": plan["history"][-1][3],
                    }
                )
        self.writer.insert(Application.themes.through, themes)
        self.writer.insert(Application.target_districts.through, districts)
        self.writer.insert(TeamMember, members)
        self.writer.insert(ApplicationStatusChange, history)
        self.writer.insert(Attachment, attachments)
        assignment_ids = self.writer.insert(ReviewAssignment, assignments, return_ids=True)
        scores = []
        for assignment, assignment_id in zip(assignments, assignment_ids, strict=True):
            if assignment["completed_at"] is None:
                continue
            for criterion in self.criteria[assignment["_call"]]:
                scores.append(
                    {
                        "assignment_id": assignment_id,
                        "criterion_id": criterion.pk,
                        "value": rng.randint(3, 5) if assignment["_good"] else rng.randint(0, 4),
                    }
                )
        self.writer.insert(Score, scores)
        self.writer.insert(MunicipalityOpinion, opinions)
        for name, made in [
            ("users", users),
            ("applications", applications),
            ("themes", themes),
            ("districts", districts),
            ("team_members", members),
            ("history", history),
            ("attachments", attachments),
            ("assignments", assignments),
            ("scores", scores),
            ("opinions", opinions),
        ]:
            rows[name] += len(made)

    def _plan(self, call):
        """Who applies, to what, and the way to the final status."""
        rng = self.rng
        slug = call.slug
        status = self._pick(STATUS_SHARES[slug])
        municipalities = call.is_for_municipalities
        country = "FR"
        if not municipalities and rng.random() < FOREIGN_SHARE:
            country = rng.choice(FOREIGN)[0]
        districts = []
        if not municipalities:
            pool = self.districts[call.pk]
            districts = rng.sample(pool, k=min(len(pool), 1 if rng.random() < 0.7 else 2))
        if status == S.SELECTED:
            status, selected_district = self._select(call, districts)
        else:
            selected_district = None
        created_at = self._at(call.opens_at, call.closes_at - dt.timedelta(hours=2))
        path = list(PATHS[status])
        withdrawn_draft = status == S.WITHDRAWN and rng.random() < 0.5
        if withdrawn_draft:
            path = [S.WITHDRAWN]
        if status == S.REJECTED and rng.random() < 0.2:
            path = [S.SUBMITTED, S.ELIGIBLE, S.UNDER_REVIEW, S.SHORTLISTED, S.REJECTED]
        history, submitted_at, reference = [], None, None
        previous, applicant_step_at = S.DRAFT, created_at
        closed = call.closes_at <= self.now
        for step in path:
            if step == S.SUBMITTED:
                at = self._at(created_at, call.closes_at - dt.timedelta(minutes=1))
                submitted_at, reference, by = at, self._reference(call), "applicant"
            elif step == S.WITHDRAWN and (withdrawn_draft or not closed):
                at = self._at(applicant_step_at, call.closes_at - dt.timedelta(minutes=1))
                by = "applicant"
            else:
                base = call.closes_at if closed else applicant_step_at
                at = self._at(
                    base + dt.timedelta(days=STAFF_DAYS[step]),
                    base + dt.timedelta(days=STAFF_DAYS[step] + 1),
                )
                at = max(at, applicant_step_at)
                by = "staff"
            applicant_step_at = at
            history.append((previous, step, by, at, REASONS.get(step, "")))
            previous = step
        reviews = []
        if REVIEWED & set(path):
            review_at = next(at for _, step, _, at, _ in history if step == S.UNDER_REVIEW)
            reviews = self._reviews(status, review_at)
        opinion = None
        if SHORTLIST & set(path) and districts and rng.random() < 0.8:
            opinion = (
                rng.choice(districts),
                self._pick(
                    [
                        (Opinion.FAVOURABLE, 0.6),
                        (Opinion.RESERVED, 0.25),
                        (Opinion.UNFAVOURABLE, 0.15),
                    ]
                ),
            )
        legal_form = "" if municipalities else self._pick(LEGAL_FORMS)
        edition_themes = self.themes.get(call.edition_id, [])
        themes = (
            rng.sample(edition_themes, k=min(len(edition_themes), rng.choice([1, 1, 2, 3])))
            if edition_themes and not municipalities
            else []
        )
        team = []
        if not municipalities:
            for _ in range(rng.choice([0, 1, 1, 2])):
                first, last, _slug = rng.choice(self.people[country])
                team.append((f"{first} {last}", rng.choice(["Ingénieure", "Designer", "CTO"]), ""))
        return {
            "call": call,
            "status": status,
            "country": country,
            "legal_form": legal_form,
            "districts": districts,
            "selected_district": selected_district,
            "themes": themes,
            "team": team,
            "created_at": created_at,
            "submitted_at": submitted_at,
            "reference": reference,
            "history": history,
            "reviews": reviews,
            "opinion": opinion,
        }

    def _select(self, call, districts):
        """Selected only while the district has room under the call's cap; else waiting list."""
        for district in districts:
            key = (call.pk, district.pk)
            if self.selected.get(key, 0) < call.max_selected_per_district:
                self.selected[key] = self.selected.get(key, 0) + 1
                return S.SELECTED, district
        return S.WAITING_LIST, None

    def _reviews(self, status, review_at):
        rng = self.rng
        reviews = []
        for _ in range(3 if status in SHORTLIST else 2):
            reviewer_id = self.reviewer_ids[self.next_reviewer % len(self.reviewer_ids)]
            self.next_reviewer += 1
            assigned_at = review_at + dt.timedelta(hours=1)
            if rng.random() < 0.02:
                reviews.append((reviewer_id, assigned_at, assigned_at + dt.timedelta(days=1), None))
                continue
            done = status != S.UNDER_REVIEW or rng.random() < 0.6
            completed_at = self._at(assigned_at, assigned_at + dt.timedelta(days=10))
            reviews.append((reviewer_id, assigned_at, None, completed_at if done else None))
        return reviews

    def _application(self, plan, applicant_id):
        rng = self.rng
        call = plan["call"]
        status = plan["status"]
        first, last = plan["contact"]
        complete = status != S.DRAFT or rng.random() < 0.4
        fields = {
            "uuid": uuid.uuid4(),
            "call_id": call.pk,
            "applicant_id": applicant_id,
            "status": status,
            "reference": plan["reference"],
            "created_at": plan["created_at"],
            "submitted_at": plan["submitted_at"],
            "contact_first_name": first,
            "contact_last_name": last,
            "contact_email": plan["email"],
            "contact_phone": rng.choice(self.phones),
            "declares_accuracy": complete,
            "accepts_privacy": complete,
            "completed_steps": ["organisation", "contact", "solution", "attachments"]
            if complete
            else ["organisation"],
            "selected_district_id": plan["selected_district"].pk
            if plan["selected_district"]
            else None,
        }
        if call.is_for_municipalities:
            town, insee_code, department, ept = rng.choice(FICTIONAL_TOWNS)
            fields.update(
                language="fr",
                town_name=f"{town} (fictive)",
                town_insee_code=insee_code,
                town_department=department,
                town_ept=ept,
                town_mayor=f"{rng.choice(self.people['FR'])[0]} {rng.choice(self.people['FR'])[1]}",
                priority_challenge="Redynamiser le quartier de la gare et ses commerces.",
                district_name=f"Quartier de la gare de {town}",
                district_description=rng.choice(self.paragraphs["fr"]),
                district_latitude=Decimal(f"{rng.uniform(48.75, 48.95):.6f}"),
                district_longitude=Decimal(f"{rng.uniform(2.2, 2.55):.6f}"),
                motivation=rng.choice(self.paragraphs["fr"]),
                commitments="Un référent à mi-temps et l'accès aux espaces publics.",
            )
            return fields
        country = plan["country"]
        language = "fr" if country in ("FR", "BE", "CA", "CH") else "en"
        name_fr, name_en, _theme = rng.choice(SOLUTIONS)
        name = name_fr if language == "fr" else name_en
        organisation = rng.choice(self.companies[country])
        legal_form = plan["legal_form"]
        maturity = rng.choice([Maturity.PROTOTYPE] * 7 + [Maturity.PILOT] * 2 + [Maturity.CONCEPT])
        if status == S.DRAFT and rng.random() < 0.03:
            maturity = Maturity.MARKETED
        fields.update(
            language=language,
            organisation_name=organisation,
            legal_form=legal_form,
            country=country,
            siret=rng.choice(self.sirets) if country == "FR" and legal_form not in NO_SIRET else "",
            website=f"https://{slugify(organisation)[:40] or 'demo'}.example.org",
            contact_role=rng.choice(["Fondatrice", "Directeur", "Chargée de projet", "CEO"]),
            solution_name=f"{name} {self.index}",
            solution_summary=(
                f"{name} : une solution au stade de prototype."
                if language == "fr"
                else f"{name}: a prototype-stage solution."
            ),
            solution_description=rng.choice(self.paragraphs[language]) if complete else "",
            maturity=maturity if complete else "",
            expected_impacts={
                criterion.code: IMPACTS.get(criterion.code, ("", ""))[language != "fr"]
                for criterion in self.criteria[call.pk]
            }
            if complete
            else {},
            site_needs="Un accès électrique et un emplacement de 10 m²." if complete else "",
            consents_publication=complete and rng.random() < 0.7,
        )
        return fields


class _Writer:
    """Insert rows given as dicts of column values: COPY on PostgreSQL, bulk_create elsewhere.

    COPY skips what makes ``bulk_create`` slow at this size (a model instance and a
    prepared parameter per field and row) and is still one statement per table and
    chunk. Ids that later rows refer to are taken from the table's sequence first,
    in one query, so the sequence stays consistent.
    """

    def __init__(self):
        self.postgres = connection.vendor == "postgresql"
        self.now = timezone.now()
        self.tables = {}

    def _table(self, model, with_pk):
        key = (model, with_pk)
        if key not in self.tables:
            fields = [
                field for field in model._meta.concrete_fields if with_pk or not field.primary_key
            ]
            defaults = []
            for field in fields:
                if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
                    defaults.append(self.now)
                elif field.primary_key:
                    defaults.append(None)
                else:
                    defaults.append(field.get_default())
            json = [index for index, field in enumerate(fields) if isinstance(field, JSONField)]
            self.tables[key] = (fields, defaults, json)
        return self.tables[key]

    def insert(self, model, rows, *, return_ids=False):
        if not rows:
            return []
        if not self.postgres:
            objects = model.objects.bulk_create(
                [model(**{k: v for k, v in row.items() if not k.startswith("_")}) for row in rows],
                batch_size=500,
            )
            return [obj.pk for obj in objects]
        table = model._meta.db_table
        fields, defaults, json = self._table(model, return_ids)
        ids = []
        with connection.cursor() as cursor:
            if return_ids:
                cursor.execute(
                    "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
                    [table, model._meta.pk.column, len(rows)],
                )
                ids = [row[0] for row in cursor.fetchall()]
                for row, pk in zip(rows, ids, strict=True):
                    row[model._meta.pk.attname] = pk
            quote = connection.ops.quote_name
            columns = ", ".join(quote(field.column) for field in fields)
            names = [field.attname for field in fields]
            with cursor.copy(f"COPY {quote(table)} ({columns}) FROM STDIN") as copy:
                for row in rows:
                    values = [row.get(n, d) for n, d in zip(names, defaults, strict=True)]
                    for index in json:
                        values[index] = Jsonb(values[index])
                    copy.write_row(values)
        return ids
