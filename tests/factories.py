"""One factory per model; defaults are plain and valid, nothing surprising."""

import datetime as dt
from decimal import Decimal

import factory
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.utils import timezone

from calls.enums import CallKind
from calls.models import Call
from municipalities.enums import Department, EditionStatus, Ept, MembershipRole, PartnerKind
from municipalities.models import (
    Edition,
    InnovationDistrict,
    Municipality,
    MunicipalityMembership,
    Partner,
    UrbanChallenge,
)
from municipalities.permissions import MUNICIPALITY_STAFF, PROGRAMME_STAFF, REVIEWERS


def _add_groups(user, names):
    user.groups.add(*Group.objects.filter(name__in=names))


class UserFactory(factory.django.DjangoModelFactory):
    """A person with no role; pass groups=[...] to give some."""

    class Meta:
        model = get_user_model()
        django_get_or_create = ["username"]
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda user: f"{user.username}@example.org")
    first_name = "Camille"
    last_name = "Martin"
    password = factory.PostGenerationMethodCall("set_password", "correct horse battery")

    @factory.post_generation
    def groups(self, create, extracted, **kwargs):
        if create:
            _add_groups(self, extracted or [])
            self.save()


class StaffUserFactory(UserFactory):
    """Paris&Co staff: admin access through the group's permissions."""

    is_staff = True

    @factory.post_generation
    def groups(self, create, extracted, **kwargs):
        if create:
            _add_groups(self, extracted or [PROGRAMME_STAFF])
            self.save()


class ReviewerFactory(UserFactory):
    @factory.post_generation
    def groups(self, create, extracted, **kwargs):
        if create:
            _add_groups(self, extracted or [REVIEWERS])
            self.save()


class EditionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Edition

    number = factory.Sequence(lambda n: n + 10)
    name_fr = factory.LazyAttribute(lambda edition: f"Édition {edition.number}")
    name_en = factory.LazyAttribute(lambda edition: f"Edition {edition.number}")
    start_year = 2024
    end_year = 2026
    status = EditionStatus.EXPERIMENTATION


class UrbanChallengeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = UrbanChallenge

    edition = factory.SubFactory(EditionFactory)
    code = factory.Sequence(lambda n: f"theme-{n}")
    name_fr = factory.Sequence(lambda n: f"Thème {n}")
    name_en = factory.Sequence(lambda n: f"Theme {n}")
    order = factory.Sequence(lambda n: n)


class MunicipalityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Municipality

    name = factory.Sequence(lambda n: f"Ville-{n}")
    slug = factory.Sequence(lambda n: f"ville-{n}")
    insee_code = factory.Sequence(lambda n: f"93{n % 1000:03d}")
    department = Department.SEINE_SAINT_DENIS
    ept = Ept.PLAINE_COMMUNE
    mayor = "Dominique Exemple"


class InnovationDistrictFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = InnovationDistrict
        skip_postgeneration_save = True

    municipality = factory.SubFactory(MunicipalityFactory)
    edition = factory.SubFactory(EditionFactory)
    name_fr = factory.Sequence(lambda n: f"Quartier {n}")
    name_en = factory.Sequence(lambda n: f"District {n}")
    priority_challenge_fr = "Redynamiser le centre-ville."
    priority_challenge_en = "Revitalise the town centre."
    description_fr = "Un quartier dense et jeune."
    description_en = "A dense, young district."
    latitude = Decimal("48.914300")
    longitude = Decimal("2.382200")

    @factory.post_generation
    def themes(self, create, extracted, **kwargs):
        if create and extracted:
            self.themes.set(extracted)


class PartnerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Partner

    name = factory.Sequence(lambda n: f"Partenaire {n}")
    slug = factory.Sequence(lambda n: f"partenaire-{n}")
    kind = PartnerKind.URBAN_PLAYER
    description_fr = "Apporte son expertise."
    description_en = "Lends its expertise."


class MunicipalityMembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = MunicipalityMembership

    user = factory.SubFactory(
        UserFactory,
        groups=[MUNICIPALITY_STAFF],
    )
    municipality = factory.SubFactory(MunicipalityFactory)
    role = MembershipRole.OFFICER


class CallFactory(factory.django.DjangoModelFactory):
    """An open call for experimenters, opened a week ago, closing in three weeks."""

    class Meta:
        model = Call
        skip_postgeneration_save = True

    edition = factory.SubFactory(EditionFactory)
    kind = CallKind.EXPERIMENTERS
    phase = factory.Sequence(lambda n: n + 1)
    slug = factory.Sequence(lambda n: f"call-{n}")
    title_fr = factory.Sequence(lambda n: f"Appel {n}")
    title_en = factory.Sequence(lambda n: f"Call {n}")
    opens_at = factory.LazyFunction(lambda: timezone.now() - dt.timedelta(days=7))
    closes_at = factory.LazyFunction(lambda: timezone.now() + dt.timedelta(days=21))

    @factory.post_generation
    def districts(self, create, extracted, **kwargs):
        if create and extracted:
            self.districts.set(extracted)


# --- Applications to calls ---------------------------------------------------


def pdf_bytes(text: str = "QMI") -> bytes:
    """A tiny but well-formed one-page PDF (cross-reference table included)."""
    stream = f"BT /F1 12 Tf 20 100 Td ({text}) Tj ET".encode()
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = b"%PDF-1.4\n"
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return out


def png_bytes(size=(2, 2), color=(0, 120, 200)) -> bytes:
    """A real PNG image, made with Pillow."""
    import io

    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", size, color).save(buffer, format="PNG")
    return buffer.getvalue()


def _next_reference(call) -> str:
    """A reference from the same counter as the workflow, so the two never collide."""
    from django.db.models import F

    from calls.models import ReferenceCounter

    counter, _ = ReferenceCounter.objects.get_or_create(edition=call.edition, kind=call.kind)
    ReferenceCounter.objects.filter(pk=counter.pk).update(last_number=F("last_number") + 1)
    counter.refresh_from_db()
    code = "AMI" if call.is_for_municipalities else "EXP"
    return f"QMI{call.edition.number}-{code}-{counter.last_number:04d}"


def _content_file(content: bytes, name: str):
    from django.core.files.base import ContentFile

    return ContentFile(content, name=name)


def _sha256(content: bytes) -> str:
    import hashlib

    return hashlib.sha256(content).hexdigest()


def _note_progress(application) -> None:
    from calls.flow import flow_for

    application.completed_steps = flow_for(application).completed_identifiers(application)
    application.save(update_fields=["completed_steps"])


def _impacts(call) -> dict:
    from calls.services.calls import call_ensure_default_criteria

    return {
        criterion.code: f"Expected impact on {criterion.code}."
        for criterion in call_ensure_default_criteria(call=call)
    }


class AttachmentFactory(factory.django.DjangoModelFactory):
    """A real file in the private storage: a tiny PDF, or a PNG for kind=image.

    Pass content=b"..." for other bytes.
    """

    class Meta:
        model = "calls.Attachment"

    class Params:
        content = factory.LazyAttribute(lambda o: png_bytes() if o.kind == "image" else pdf_bytes())

    application = factory.SubFactory("tests.factories.ApplicationFactory", attachments=False)
    kind = "presentation"
    original_name = factory.LazyAttribute(
        lambda o: "photo.png" if o.kind == "image" else f"{o.kind}.pdf"
    )
    content_type = factory.LazyAttribute(
        lambda o: "image/png" if o.kind == "image" else "application/pdf"
    )
    file = factory.LazyAttribute(lambda o: _content_file(o.content, o.original_name))
    size = factory.LazyAttribute(lambda o: len(o.content))
    sha256 = factory.LazyAttribute(lambda o: _sha256(o.content))


class TeamMemberFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "calls.TeamMember"

    application = factory.SubFactory("tests.factories.ApplicationFactory")
    name = factory.Sequence(lambda n: f"Membre {n}")
    role = "Ingénieure"
    email = factory.Sequence(lambda n: f"membre{n}@example.org")


class _ApplicationBase(factory.django.DjangoModelFactory):
    """What both kinds share: applicant, contact, declarations, status and reference.

    ``status`` other than draft is written directly (test data: no history row,
    no mail); to go through the workflow use ``submitted_application()``.
    """

    class Meta:
        model = "calls.Application"
        skip_postgeneration_save = True

    applicant = factory.SubFactory(UserFactory)
    status = "draft"
    language = "fr"
    contact_first_name = "Alex"
    contact_last_name = "Durand"
    contact_email = factory.LazyAttribute(lambda o: o.applicant.email)
    contact_phone = "+33 1 23 45 67 89"
    contact_role = "Fondatrice"
    declares_accuracy = True
    accepts_privacy = True
    consents_publication = True
    reference = factory.LazyAttribute(
        lambda o: None if o.status == "draft" else _next_reference(o.call)
    )
    submitted_at = factory.LazyAttribute(lambda o: None if o.status == "draft" else timezone.now())


class ApplicationFactory(_ApplicationBase):
    """A COMPLETE experimenter application to an open call for experimenters.

    Complete means ``application_missing()`` is empty: one theme of the call's
    edition, one target district of the call (both created when the call has
    none), an impact per criterion (the call gets the five default criteria)
    and a presentation PDF. ``incomplete=True`` gives a draft with only the
    organisation's name.
    """

    call = factory.SubFactory(CallFactory)
    organisation_name = factory.Sequence(lambda n: f"Organisation {n}")
    legal_form = "startup"
    country = "FR"
    siret = "73282932000074"
    website = "https://example.org"
    solution_name = factory.Sequence(lambda n: f"Solution {n}")
    solution_summary = "Des bancs publics qui mesurent la chaleur et offrent de l'ombre."
    solution_description = "Un prototype testé en atelier, à installer sur une place."
    maturity = "prototype"
    site_needs = "Une prise électrique et deux mètres carrés."
    expected_impacts = factory.LazyAttribute(lambda o: _impacts(o.call))

    class Params:
        incomplete = factory.Trait(
            legal_form="",
            country="",
            siret="",
            website="",
            contact_first_name="",
            contact_last_name="",
            contact_email="",
            contact_phone="",
            contact_role="",
            solution_name="",
            solution_summary="",
            solution_description="",
            maturity="",
            site_needs="",
            expected_impacts=factory.LazyFunction(dict),
            declares_accuracy=False,
            accepts_privacy=False,
            consents_publication=False,
            themes=[],
            target_districts=[],
            attachments=False,
        )

    @factory.post_generation
    def criteria(self, create, extracted, **kwargs):
        """The call gets the programme's five criteria, as every call for experimenters."""
        if create:
            from calls.services.calls import call_ensure_default_criteria

            call_ensure_default_criteria(call=self.call)

    @factory.post_generation
    def themes(self, create, extracted, **kwargs):
        if not create:
            return
        if extracted is None:
            theme = self.call.edition.challenges.first() or UrbanChallengeFactory(
                edition=self.call.edition
            )
            extracted = [theme]
        self.themes.set(extracted)

    @factory.post_generation
    def target_districts(self, create, extracted, **kwargs):
        if not create:
            return
        if extracted is None:
            district = self.call.districts.first()
            if district is None:
                district = InnovationDistrictFactory(edition=self.call.edition)
                self.call.districts.add(district)
            extracted = [district]
        self.target_districts.set(extracted)

    @factory.post_generation
    def attachments(self, create, extracted, **kwargs):
        """attachments=False for none; by default the presentation PDF."""
        if create and extracted is None:
            AttachmentFactory(application=self, kind="presentation")

    @factory.post_generation
    def progress(self, create, extracted, **kwargs):
        """``completed_steps`` as the forms would have left it."""
        if create:
            _note_progress(self)


class MunicipalityApplicationFactory(_ApplicationBase):
    """A COMPLETE application of a town to an open call for interest (AMI).

    ``incomplete=True`` gives a draft with only the town's name.
    """

    call = factory.SubFactory(CallFactory, kind=CallKind.MUNICIPALITIES)
    town_name = factory.Sequence(lambda n: f"Ville-Candidate-{n}")
    town_insee_code = factory.Sequence(lambda n: f"93{n % 1000:03d}")
    town_department = Department.SEINE_SAINT_DENIS
    town_ept = Ept.PLAINE_COMMUNE
    town_mayor = "Dominique Exemple"
    contact_role = "Directrice de l'urbanisme"
    priority_challenge = "Rafraîchir les cours d'école pendant les canicules."
    district_name = factory.Sequence(lambda n: f"Quartier proposé {n}")
    district_description = "Un quartier dense autour de la gare, avec trois écoles."
    district_latitude = Decimal("48.914300")
    district_longitude = Decimal("2.382200")
    motivation = "La ville veut tester des solutions avec ses habitants."
    commitments = "Un référent, des lieux d'expérimentation, un budget de communication."

    class Params:
        incomplete = factory.Trait(
            town_insee_code="",
            town_department="",
            town_ept="",
            town_mayor="",
            contact_first_name="",
            contact_last_name="",
            contact_email="",
            contact_phone="",
            contact_role="",
            priority_challenge="",
            district_name="",
            district_description="",
            district_latitude=None,
            district_longitude=None,
            motivation="",
            commitments="",
            declares_accuracy=False,
            accepts_privacy=False,
            consents_publication=False,
            attachments=False,
        )

    @factory.post_generation
    def themes(self, create, extracted, **kwargs):
        if create and extracted:
            self.themes.set(extracted)

    @factory.post_generation
    def attachments(self, create, extracted, **kwargs):
        """attachments=False for none; by default the council decision PDF."""
        if create and extracted is None:
            AttachmentFactory(application=self, kind="council_decision")

    @factory.post_generation
    def progress(self, create, extracted, **kwargs):
        """``completed_steps`` as the forms would have left it."""
        if create:
            _note_progress(self)


def submitted_application(**kwargs):
    """A complete application submitted through the workflow (reference, history, mail).

    The call must be open. An AMI call (``call=...``) gives a municipality
    application; other keyword arguments go to the factory.
    """
    from calls.enums import ApplicationStatus
    from calls.services.workflow import application_set_status

    call = kwargs.get("call")
    if call is not None and call.is_for_municipalities:
        application = MunicipalityApplicationFactory(**kwargs)
    else:
        application = ApplicationFactory(**kwargs)
    return application_set_status(
        application=application, status=ApplicationStatus.SUBMITTED, by=application.applicant
    )


class DeadlineExtensionFactory(factory.django.DjangoModelFactory):
    """Staff let this applicant submit until two days from now."""

    class Meta:
        model = "calls.DeadlineExtension"

    application = factory.SubFactory(ApplicationFactory)
    until = factory.LazyFunction(lambda: timezone.now() + dt.timedelta(days=2))
    reason = "Panne du serveur de l'entreprise le dernier jour."
    granted_by = factory.SubFactory(StaffUserFactory)


# --- Pre-registration, sign-in, call pages ------------------------------------


class UpcomingCallFactory(CallFactory):
    """A call that opens in ten days and closes in forty."""

    opens_at = factory.LazyFunction(lambda: timezone.now() + dt.timedelta(days=10))
    closes_at = factory.LazyFunction(lambda: timezone.now() + dt.timedelta(days=40))


class KeyDateFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "calls.KeyDate"

    call = factory.SubFactory(CallFactory)
    kind = "information_meeting"
    title_fr = factory.Sequence(lambda n: f"Réunion d'information {n}")
    title_en = factory.Sequence(lambda n: f"Information meeting {n}")
    starts_at = factory.LazyFunction(lambda: timezone.now() + dt.timedelta(days=3))


class SelectionCriterionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "calls.SelectionCriterion"

    call = factory.SubFactory(CallFactory)
    code = factory.Sequence(lambda n: f"criterion-{n}")
    name_fr = factory.Sequence(lambda n: f"Critère {n}")
    name_en = factory.Sequence(lambda n: f"Criterion {n}")
    weight = Decimal("1")
    order = factory.Sequence(lambda n: n)


class PreRegistrationFactory(factory.django.DjangoModelFactory):
    """A pending pre-registration to an upcoming call; pass confirmed_at to confirm it."""

    class Meta:
        model = "calls.PreRegistration"

    call = factory.SubFactory(UpcomingCallFactory)
    email = factory.Sequence(lambda n: f"visitor{n}@example.org")
    language = "fr"
    consent_text = "J'accepte d'être prévenu(e) de l'ouverture de l'appel."


class SignInLinkFactory(factory.django.DjangoModelFactory):
    """A fresh sign-in link; its clear token is `token` (stored hashed)."""

    class Meta:
        model = "calls.SignInLink"
        exclude = ["token"]

    token = factory.Sequence(lambda n: f"test-token-{n}")
    email = factory.Sequence(lambda n: f"applicant{n}@example.org")
    token_hash = factory.LazyAttribute(lambda link: _sha256(link.token.encode()))
    expires_at = factory.LazyFunction(lambda: timezone.now() + dt.timedelta(minutes=15))


# --- Review, co-selection ------------------------------------------------------


class ReviewAssignmentFactory(factory.django.DjangoModelFactory):
    """A reviewer assigned to an application, not scored yet."""

    class Meta:
        model = "calls.ReviewAssignment"

    application = factory.SubFactory(ApplicationFactory, status="under_review")
    reviewer = factory.SubFactory(ReviewerFactory)
    assigned_by = factory.SubFactory(StaffUserFactory)


class ScoreFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "calls.Score"

    assignment = factory.SubFactory(ReviewAssignmentFactory)
    criterion = factory.LazyAttribute(lambda o: o.assignment.application.call.criteria.first())
    value = 3
    comment = ""


def completed_review(*, application, reviewer=None, values=None, **kwargs):
    """A completed review: every criterion of the call scored (``values`` in criterion order)."""
    assignment = ReviewAssignmentFactory(
        application=application, reviewer=reviewer or ReviewerFactory(), **kwargs
    )
    criteria = list(application.call.criteria.order_by("order", "pk"))
    values = values if values is not None else [3] * len(criteria)
    for criterion, value in zip(criteria, values, strict=True):
        ScoreFactory(assignment=assignment, criterion=criterion, value=value)
    assignment.completed_at = timezone.now()
    assignment.save(update_fields=["completed_at"])
    return assignment


class MunicipalityOpinionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "calls.MunicipalityOpinion"

    application = factory.SubFactory(ApplicationFactory, status="shortlisted")
    district = factory.LazyAttribute(lambda o: o.application.target_districts.first())
    opinion = "favourable"
    comment = "Bienvenue dans le quartier."
    author = factory.SubFactory(UserFactory)


# --- Experiments ----------------------------------------------------------------


def _months_ago_first_day(months: int) -> dt.date:
    from dateutil.relativedelta import relativedelta

    return timezone.localdate().replace(day=1) - relativedelta(months=months)


def _months_after(day: dt.date, months: int) -> dt.date:
    from dateutil.relativedelta import relativedelta

    return day + relativedelta(months=months)


class ExperimentFactory(factory.django.DjangoModelFactory):
    """A RUNNING experiment that started on the 1st of the month three months ago.

    It lasts 18 months, reports every 3 months, and has an experimenter (a user
    whose username is their email, as the sign-in link creates them). The
    status is written directly (test data: no history row); to go through the
    workflow use ``experiment_set_status``. No milestones, sites or indicators:
    add them with their factories.
    """

    class Meta:
        model = "experiments.Experiment"
        skip_postgeneration_save = True

    district = factory.SubFactory(InnovationDistrictFactory)
    organisation_name = factory.Sequence(lambda n: f"Expérimentatrice {n}")
    solution_name = factory.Sequence(lambda n: f"Solution expérimentée {n}")
    summary_fr = "Des capteurs de fraîcheur dans les cours d'école."
    summary_en = "Coolness sensors in school playgrounds."
    experimenter = factory.SubFactory(
        UserFactory,
        username=factory.Sequence(lambda n: f"experimenter{n}@example.org"),
        email=factory.LazyAttribute(lambda user: user.username),
    )
    contact_email = factory.LazyAttribute(lambda o: o.experimenter.email if o.experimenter else "")
    language = "fr"
    status = "running"
    start_date = factory.LazyFunction(lambda: _months_ago_first_day(3))
    end_date = factory.LazyAttribute(lambda o: _months_after(o.start_date, 18))
    report_interval_months = 3

    @factory.post_generation
    def themes(self, create, extracted, **kwargs):
        if create and extracted:
            self.themes.set(extracted)


class ExperimentSiteFactory(factory.django.DjangoModelFactory):
    """A site next to the district's centre."""

    class Meta:
        model = "experiments.ExperimentSite"

    experiment = factory.SubFactory(ExperimentFactory)
    name = factory.Sequence(lambda n: f"Site {n}")
    address = "1 place de la Mairie"
    latitude = factory.LazyAttribute(lambda o: o.experiment.district.latitude)
    longitude = factory.LazyAttribute(lambda o: o.experiment.district.longitude)


class MilestoneFactory(factory.django.DjangoModelFactory):
    """A milestone due one month after the experiment's start, not done."""

    class Meta:
        model = "experiments.Milestone"

    experiment = factory.SubFactory(ExperimentFactory)
    code = factory.Sequence(lambda n: f"milestone-{n}")
    name = factory.Sequence(lambda n: f"Jalon {n}")
    order = factory.Sequence(lambda n: n)
    due_date = factory.LazyAttribute(lambda o: _months_after(o.experiment.start_date, 1))
    done_date = None
    owner = "experimenter"
    evidence = ""


class IndicatorFactory(factory.django.DjangoModelFactory):
    """From 100 to 150 kWh, higher is better."""

    class Meta:
        model = "experiments.Indicator"

    experiment = factory.SubFactory(ExperimentFactory)
    name = factory.Sequence(lambda n: f"Indicateur {n}")
    unit = "kWh"
    baseline = Decimal("100")
    target = Decimal("150")
    direction = "up"
    order = factory.Sequence(lambda n: n)


class MeasurementFactory(factory.django.DjangoModelFactory):
    """A value of 110 measured one month after the experiment's start."""

    class Meta:
        model = "experiments.Measurement"

    indicator = factory.SubFactory(IndicatorFactory)
    measured_on = factory.LazyAttribute(
        lambda o: _months_after(o.indicator.experiment.start_date, 1)
    )
    value = Decimal("110")
    source = "Relevé du compteur"


class ProgressReportFactory(factory.django.DjangoModelFactory):
    """A DRAFT report on the experiment's first three months, by its experimenter.

    ``status="submitted"`` gives a submitted one (submitted_at set).
    """

    class Meta:
        model = "experiments.ProgressReport"

    experiment = factory.SubFactory(ExperimentFactory)
    period_start = factory.LazyAttribute(lambda o: o.experiment.start_date)
    period_end = factory.LazyAttribute(
        lambda o: _months_after(o.experiment.start_date, 3) - dt.timedelta(days=1)
    )
    status = "draft"
    work_done = "Installation des capteurs dans deux cours d'école."
    difficulties = "Un capteur volé."
    next_steps = "Ateliers avec les élèves."
    author = factory.LazyAttribute(lambda o: o.experiment.experimenter)
    submitted_at = factory.LazyAttribute(lambda o: None if o.status == "draft" else timezone.now())


class ReportPhotoFactory(factory.django.DjangoModelFactory):
    """A real PNG in the private storage."""

    class Meta:
        model = "experiments.ReportPhoto"

    class Params:
        content = factory.LazyFunction(png_bytes)

    report = factory.SubFactory(ProgressReportFactory)
    file = factory.LazyAttribute(lambda o: _content_file(o.content, "photo.png"))
    caption = "Le capteur installé"
    content_type = "image/png"
    size = factory.LazyAttribute(lambda o: len(o.content))


class ReportCommentFactory(factory.django.DjangoModelFactory):
    """A Paris&Co staff comment on a submitted report."""

    class Meta:
        model = "experiments.ReportComment"

    report = factory.SubFactory(ProgressReportFactory, status="submitted")
    author = factory.SubFactory(StaffUserFactory)
    body = "Merci pour ce rapport détaillé."


class ExperimentStatusChangeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "experiments.ExperimentStatusChange"

    experiment = factory.SubFactory(ExperimentFactory)
    from_status = "preparing"
    to_status = "running"
    reason = ""


class EvaluationFactory(factory.django.DjangoModelFactory):
    """A complete grid (all 4 out of 5), concluding that the solution is ready to scale."""

    class Meta:
        model = "experiments.Evaluation"

    experiment = factory.SubFactory(ExperimentFactory, status="evaluating")
    utility = 4
    sustainable_development = 4
    sobriety = 4
    resilience = 4
    quality_of_life = 4
    feasibility = 4
    user_feedback = 4
    conclusion = "Une solution utile, appréciée des habitants."
    outcome = "ready_to_scale"
    buyer = ""
    evaluated_on = factory.LazyFunction(timezone.localdate)


class OutcomeUpdateFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "experiments.OutcomeUpdate"

    experiment = factory.SubFactory(ExperimentFactory, status="ended")
    outcome = "contracted"
    buyer = "Ville de Meudon"
    note = "Marché signé pour trois ans."


# --- Programme events -------------------------------------------------------------


class ProgrammeEventFactory(factory.django.DjangoModelFactory):
    """A public webinar in two weeks, 18:00–19:30 Paris time, 30 seats, online."""

    class Meta:
        model = "experiments.ProgrammeEvent"
        skip_postgeneration_save = True

    kind = "webinar"
    title_fr = factory.Sequence(lambda n: f"Webinaire {n}")
    title_en = factory.Sequence(lambda n: f"Webinar {n}")
    description_fr = "Présentation du programme et questions-réponses."
    description_en = "The programme presented, questions and answers."
    starts_at = factory.LazyFunction(
        lambda: (
            timezone.localtime().replace(hour=18, minute=0, second=0, microsecond=0)
            + dt.timedelta(days=14)
        )
    )
    ends_at = factory.LazyAttribute(lambda o: o.starts_at + dt.timedelta(minutes=90))
    place = ""
    online_url = "https://visio.example.org/qmi"
    audience = "public"
    capacity = 30

    @factory.post_generation
    def municipalities(self, create, extracted, **kwargs):
        if create and extracted:
            self.municipalities.set(extracted)


class EventRegistrationFactory(factory.django.DjangoModelFactory):
    """A registration holding a seat (written directly: no lock, no mail)."""

    class Meta:
        model = "experiments.EventRegistration"

    event = factory.SubFactory(ProgrammeEventFactory)
    name = factory.Sequence(lambda n: f"Participant {n}")
    email = factory.Sequence(lambda n: f"participant{n}@example.org")
    language = "fr"
    status = "registered"
