"""Calls of an edition, and what people send to them.

A call is to municipalities (AMI) or to experimenters. Its state (upcoming,
open, closed) follows from the clock. Applications go through one workflow,
``calls.services.workflow.application_set_status``; nothing else assigns a
status.
"""

import os
import uuid
from decimal import Decimal

from django.conf import settings
from django.core.files.storage import FileSystemStorage, storages
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Lower
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import LazyObject
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField

from municipalities.enums import Department, Ept
from municipalities.models import InnovationDistrict, Municipality, UrbanChallenge
from municipalities.validators import LATITUDE_RANGE, LONGITUDE_RANGE, validate_insee_code

from .enums import (
    ApplicationStatus,
    AttachmentKind,
    CallKind,
    CallState,
    KeyDateKind,
    LegalForm,
    Maturity,
    Opinion,
)
from .validators import validate_no_nul, validate_siret


class PrivateStorage(FileSystemStorage):
    """Applicants' files: never under MEDIA_ROOT, never at a URL of their own.

    Only permission-checked views serve them. The folder is read from
    PRIVATE_MEDIA_ROOT at each use, so a deployment or a test can move it.
    """

    @property
    def base_location(self):
        return str(settings.PRIVATE_MEDIA_ROOT)

    @property
    def location(self):
        return os.path.abspath(self.base_location)

    @property
    def base_url(self):
        return None


class _ConfiguredPrivateStorage(LazyObject):
    """STORAGES["private"]: this folder, or S3-compatible storage when configured."""

    def _setup(self):
        self._wrapped = storages["private"]


private_storage = _ConfiguredPrivateStorage()


def get_private_storage():
    return private_storage


class Call(models.Model):
    edition = models.ForeignKey(
        "municipalities.Edition",
        on_delete=models.PROTECT,
        related_name="calls",
        verbose_name=_("edition"),
    )
    kind = models.CharField(_("kind"), max_length=20, choices=CallKind.choices)
    phase = models.PositiveSmallIntegerField(
        _("phase"), default=1, help_text=_("Calls run in phases when districts start apart.")
    )
    slug = models.SlugField(_("slug"), max_length=80, unique=True)
    title = models.CharField(_("title"), max_length=200)
    summary = models.TextField(_("summary"), blank=True)
    eligibility = models.TextField(
        _("eligibility rules"),
        blank=True,
        help_text=_("Who may apply and on which conditions, as published."),
    )
    opens_at = models.DateTimeField(_("opens at"))
    closes_at = models.DateTimeField(_("closes at"))
    review_deadline = models.DateTimeField(
        _("review deadline"),
        null=True,
        blank=True,
        help_text=_("Reviewers are reminded of the reviews they have not finished."),
    )
    districts = models.ManyToManyField(
        InnovationDistrict,
        blank=True,
        related_name="calls",
        verbose_name=_("target districts"),
        help_text=_("For a call for experimenters: the districts it recruits for."),
    )
    min_selected_per_district = models.PositiveSmallIntegerField(
        _("solutions to select per district (at least)"), default=6
    )
    max_selected_per_district = models.PositiveSmallIntegerField(
        _("solutions to select per district (at most)"), default=8
    )
    is_fictional = models.BooleanField(
        _("fictional (demo data)"),
        default=False,
        help_text=_("Shown with a notice, so nobody mistakes demo data for a real call."),
    )

    class Meta:
        ordering = ["-opens_at"]
        verbose_name = _("call")
        verbose_name_plural = _("calls")
        constraints = [
            models.CheckConstraint(
                condition=Q(closes_at__gt=F("opens_at")),
                name="call_closes_after_it_opens",
                violation_error_message=_("A call must close after it opens."),
            ),
            models.CheckConstraint(
                condition=Q(phase__gte=1),
                name="call_phase_positive",
                violation_error_message=_("The phase starts at 1."),
            ),
            models.CheckConstraint(
                condition=Q(max_selected_per_district__gte=F("min_selected_per_district")),
                name="call_selection_cap_in_order",
                violation_error_message=_(
                    "The most solutions per district cannot be fewer than the least."
                ),
            ),
            models.UniqueConstraint(
                fields=["edition", "kind", "phase"],
                name="call_unique_kind_and_phase_per_edition",
                violation_error_message=_(
                    "This edition already has a call of this kind for this phase."
                ),
            ),
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("calls:call_detail", kwargs={"slug": self.slug})

    def state_at(self, now) -> CallState:
        if now < self.opens_at:
            return CallState.UPCOMING
        if now < self.closes_at:
            return CallState.OPEN
        return CallState.CLOSED

    @property
    def state(self) -> CallState:
        return self.state_at(timezone.now())

    @property
    def is_for_municipalities(self) -> bool:
        return self.kind == CallKind.MUNICIPALITIES


class KeyDate(models.Model):
    """A dated moment of a call: information meeting, webinar, jury, results."""

    call = models.ForeignKey(
        Call, on_delete=models.CASCADE, related_name="key_dates", verbose_name=_("call")
    )
    kind = models.CharField(_("kind"), max_length=30, choices=KeyDateKind.choices)
    title = models.CharField(_("title"), max_length=200)
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"), null=True, blank=True)
    location = models.CharField(_("place or link"), max_length=300, blank=True)

    class Meta:
        ordering = ["starts_at"]
        verbose_name = _("key date")
        verbose_name_plural = _("key dates")
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__isnull=True) | Q(ends_at__gt=F("starts_at")),
                name="keydate_ends_after_it_starts",
                violation_error_message=_("A key date must end after it starts."),
            ),
        ]

    def __str__(self):
        return self.title


class SelectionCriterion(models.Model):
    """What reviewers score, 0 to 5, and how much it weighs."""

    call = models.ForeignKey(
        Call, on_delete=models.CASCADE, related_name="criteria", verbose_name=_("call")
    )
    code = models.SlugField(_("code"), max_length=60)
    name = models.CharField(_("name"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    weight = models.DecimalField(
        _("weight"),
        max_digits=5,
        decimal_places=2,
        default=Decimal("1"),
        validators=[MinValueValidator(Decimal("0.01"))],
    )
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        ordering = ["order", "pk"]
        verbose_name = _("selection criterion")
        verbose_name_plural = _("selection criteria")
        constraints = [
            models.UniqueConstraint(
                fields=["call", "code"],
                name="criterion_code_unique_per_call",
                violation_error_message=_("This call already has a criterion with this code."),
            ),
            models.CheckConstraint(
                condition=Q(weight__gt=0),
                name="criterion_weight_positive",
                violation_error_message=_("A weight must be greater than zero."),
            ),
        ]

    def __str__(self):
        return self.name


class PreRegistration(models.Model):
    """Someone who asked to be told when a call opens (double opt-in)."""

    call = models.ForeignKey(
        Call, on_delete=models.CASCADE, related_name="preregistrations", verbose_name=_("call")
    )
    email = models.EmailField(_("email"))
    language = models.CharField(_("language"), max_length=5, choices=settings.LANGUAGES)
    consent_text = models.TextField(_("consent given"))
    consented_at = models.DateTimeField(_("consented at"), default=timezone.now)
    confirmed_at = models.DateTimeField(_("confirmed at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("pre-registration")
        verbose_name_plural = _("pre-registrations")
        constraints = [
            models.UniqueConstraint(
                Lower("email"),
                "call",
                name="preregistration_unique_email_per_call",
                violation_error_message=_("This email is already pre-registered for this call."),
            ),
        ]

    def __str__(self):
        return f"{self.email} – {self.call}"


class SignInLink(models.Model):
    """A short-lived, single-use sign-in link sent by email.

    Only a hash of the token is kept: a leaked database gives no way in.
    """

    email = models.EmailField(_("email"))
    token_hash = models.CharField(_("token hash"), max_length=64, unique=True)
    next_url = models.CharField(_("next page"), max_length=300, blank=True)
    requested_ip = models.GenericIPAddressField(_("requested from IP"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    expires_at = models.DateTimeField(_("expires at"))
    used_at = models.DateTimeField(_("used at"), null=True, blank=True)

    class Meta:
        verbose_name = _("sign-in link")
        verbose_name_plural = _("sign-in links")
        indexes = [
            models.Index(Lower("email"), "created_at", name="signinlink_email_created"),
            models.Index(fields=["requested_ip", "created_at"], name="signinlink_ip_created"),
        ]

    def __str__(self):
        return f"{self.email} ({self.created_at:%Y-%m-%d %H:%M})"


class ReferenceCounter(models.Model):
    """Numbers the submitted applications of an edition, per kind of call."""

    edition = models.ForeignKey(
        "municipalities.Edition", on_delete=models.CASCADE, verbose_name=_("edition")
    )
    kind = models.CharField(_("kind"), max_length=20, choices=CallKind.choices)
    last_number = models.PositiveIntegerField(_("last number given"), default=0)

    class Meta:
        verbose_name = _("reference counter")
        verbose_name_plural = _("reference counters")
        constraints = [
            models.UniqueConstraint(fields=["edition", "kind"], name="reference_counter_unique"),
        ]

    def __str__(self):
        return f"{self.edition} {self.kind}: {self.last_number}"


def attachment_path(instance, filename):
    """Never trust the uploaded name: files are stored under a random name."""
    return f"applications/{instance.application.uuid}/{uuid.uuid4().hex}"


class Application(models.Model):
    """An application to a call, from a town (AMI) or from an experimenter.

    One table for both kinds: the shared life (workflow, reviews, decisions,
    exports) matters more than the few fields each kind leaves empty.
    """

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    call = models.ForeignKey(
        Call, on_delete=models.PROTECT, related_name="applications", verbose_name=_("call")
    )
    applicant = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="applications",
        verbose_name=_("applicant"),
    )
    status = models.CharField(
        _("status"),
        max_length=20,
        choices=ApplicationStatus.choices,
        default=ApplicationStatus.DRAFT,
        db_index=True,
    )
    # NULL until submitted: unique references, many drafts without one.
    reference = models.CharField(_("reference"), max_length=30, unique=True, null=True, blank=True)
    language = models.CharField(
        _("language"), max_length=5, choices=settings.LANGUAGES, default="fr"
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    completed_steps = models.JSONField(_("completed steps"), default=list, blank=True)

    # Organisation (experimenters).
    organisation_name = models.CharField(
        _("organisation name"), max_length=200, blank=True, validators=[validate_no_nul]
    )
    legal_form = models.CharField(
        _("legal form"), max_length=20, choices=LegalForm.choices, blank=True
    )
    country = CountryField(_("country"), blank=True)
    siret = models.CharField(
        _("SIRET number"), max_length=14, blank=True, validators=[validate_siret]
    )
    website = models.URLField(_("website"), blank=True)

    # Contact.
    contact_first_name = models.CharField(
        _("first name"), max_length=100, blank=True, validators=[validate_no_nul]
    )
    contact_last_name = models.CharField(
        _("last name"), max_length=100, blank=True, validators=[validate_no_nul]
    )
    contact_email = models.EmailField(_("email"), blank=True)
    contact_phone = models.CharField(_("phone"), max_length=30, blank=True)
    contact_role = models.CharField(
        _("role in the organisation"), max_length=100, blank=True, validators=[validate_no_nul]
    )

    # Solution (experimenters).
    solution_name = models.CharField(
        _("name of the solution"), max_length=200, blank=True, validators=[validate_no_nul]
    )
    solution_summary = models.CharField(
        _("summary"), max_length=500, blank=True, validators=[validate_no_nul]
    )
    solution_description = models.TextField(
        _("description"), max_length=5000, blank=True, validators=[validate_no_nul]
    )
    maturity = models.CharField(_("maturity"), max_length=20, choices=Maturity.choices, blank=True)
    themes = models.ManyToManyField(
        UrbanChallenge, blank=True, related_name="applications", verbose_name=_("themes")
    )
    target_districts = models.ManyToManyField(
        InnovationDistrict,
        blank=True,
        related_name="applications",
        verbose_name=_("target districts"),
    )
    expected_impacts = models.JSONField(
        _("expected impact on each criterion"), default=dict, blank=True
    )
    site_needs = models.TextField(
        _("what the solution needs on site"),
        max_length=3000,
        blank=True,
        validators=[validate_no_nul],
    )

    # Municipality (AMI).
    town_name = models.CharField(
        _("town"), max_length=100, blank=True, validators=[validate_no_nul]
    )
    town_insee_code = models.CharField(
        _("INSEE code"), max_length=5, blank=True, validators=[validate_insee_code]
    )
    town_department = models.CharField(
        _("department"), max_length=2, choices=Department.choices, blank=True
    )
    town_ept = models.CharField(_("territory (EPT)"), max_length=3, choices=Ept.choices, blank=True)
    town_mayor = models.CharField(
        _("mayor"), max_length=120, blank=True, validators=[validate_no_nul]
    )
    priority_challenge = models.TextField(
        _("priority challenge"), max_length=2000, blank=True, validators=[validate_no_nul]
    )
    district_name = models.CharField(
        _("name of the proposed district"), max_length=200, blank=True, validators=[validate_no_nul]
    )
    district_description = models.TextField(
        _("description of the proposed district"),
        max_length=5000,
        blank=True,
        validators=[validate_no_nul],
    )
    district_latitude = models.DecimalField(
        _("latitude"),
        max_digits=8,
        decimal_places=6,
        null=True,
        blank=True,
        validators=[
            MinValueValidator(Decimal(str(LATITUDE_RANGE[0]))),
            MaxValueValidator(Decimal(str(LATITUDE_RANGE[1]))),
        ],
    )
    district_longitude = models.DecimalField(
        _("longitude"),
        max_digits=8,
        decimal_places=6,
        null=True,
        blank=True,
        validators=[
            MinValueValidator(Decimal(str(LONGITUDE_RANGE[0]))),
            MaxValueValidator(Decimal(str(LONGITUDE_RANGE[1]))),
        ],
    )
    motivation = models.TextField(
        _("motivation"), max_length=5000, blank=True, validators=[validate_no_nul]
    )
    commitments = models.TextField(
        _("commitments of the town"), max_length=5000, blank=True, validators=[validate_no_nul]
    )

    # Declarations, required to submit.
    declares_accuracy = models.BooleanField(_("declares the information accurate"), default=False)
    accepts_privacy = models.BooleanField(_("accepts the privacy notice"), default=False)
    consents_publication = models.BooleanField(
        _("agrees to be shown publicly if selected"), default=False
    )
    # When the applicant gave that consent: nothing is published without it.
    consents_publication_at = models.DateTimeField(
        _("publication consent given at"), null=True, blank=True, editable=False
    )
    # Set by calls.services.privacy: personal data wiped, statistics kept.
    anonymised_at = models.DateTimeField(_("anonymised at"), null=True, blank=True, editable=False)

    # Set by the decision.
    selected_district = models.ForeignKey(
        InnovationDistrict,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="selected_applications",
        verbose_name=_("selected for the district"),
    )
    created_municipality = models.ForeignKey(
        Municipality,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("municipality created by the selection"),
    )

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("application")
        verbose_name_plural = _("applications")
        constraints = [
            models.CheckConstraint(
                condition=Q(siret="") | Q(siret__regex=r"^[0-9]{14}$"),
                name="application_siret_format",
                violation_error_message=_("A SIRET number has 14 digits."),
            ),
            models.CheckConstraint(
                condition=Q(status=ApplicationStatus.DRAFT)
                | Q(reference__isnull=False, submitted_at__isnull=False)
                | Q(status=ApplicationStatus.WITHDRAWN, submitted_at__isnull=True),
                name="application_submitted_has_reference",
                violation_error_message=_("A submitted application has a reference."),
            ),
            models.CheckConstraint(
                condition=~Q(status=ApplicationStatus.SELECTED)
                | Q(selected_district__isnull=False)
                | Q(created_municipality__isnull=False),
                name="application_selected_has_district",
                violation_error_message=_("A selected application needs its district."),
            ),
        ]
        indexes = [
            # Covering the statistics page's counts: at 100,000 applications they read
            # this narrow index alone instead of the wide rows (half the time).
            models.Index(
                fields=["call", "status"],
                include=["id", "submitted_at", "legal_form", "country"],
                name="application_call_status",
            ),
            models.Index(fields=["call", "siret"], name="application_call_siret"),
            models.Index(Lower("organisation_name"), "call", name="application_call_org"),
        ]

    def __str__(self):
        return self.reference or _("Draft %(uuid)s") % {"uuid": str(self.uuid)[:8]}

    def get_absolute_url(self):
        return reverse("calls:application_detail", kwargs={"uuid": self.uuid})

    @property
    def title(self) -> str:
        if self.call.is_for_municipalities:
            return self.town_name or self.district_name
        return self.solution_name or self.organisation_name

    @property
    def is_editable(self) -> bool:
        return self.status == ApplicationStatus.DRAFT


class TeamMember(models.Model):
    application = models.ForeignKey(
        Application,
        on_delete=models.CASCADE,
        related_name="team_members",
        verbose_name=_("application"),
    )
    name = models.CharField(_("name"), max_length=150, validators=[validate_no_nul])
    role = models.CharField(_("role"), max_length=150, blank=True, validators=[validate_no_nul])
    email = models.EmailField(_("email"), blank=True)

    class Meta:
        ordering = ["pk"]
        verbose_name = _("team member")
        verbose_name_plural = _("team members")

    def __str__(self):
        return self.name


class Attachment(models.Model):
    """A file of an application, stored privately under a random name."""

    application = models.ForeignKey(
        Application,
        on_delete=models.CASCADE,
        related_name="attachments",
        verbose_name=_("application"),
    )
    kind = models.CharField(_("kind"), max_length=20, choices=AttachmentKind.choices)
    file = models.FileField(_("file"), storage=get_private_storage, upload_to=attachment_path)
    original_name = models.CharField(_("file name"), max_length=200)
    content_type = models.CharField(_("type"), max_length=100)
    size = models.PositiveIntegerField(_("size (bytes)"))
    sha256 = models.CharField(max_length=64)
    uploaded_at = models.DateTimeField(_("uploaded at"), default=timezone.now)

    class Meta:
        ordering = ["kind", "uploaded_at"]
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")

    def __str__(self):
        return self.original_name

    def get_absolute_url(self):
        return reverse(
            "calls:attachment_download",
            kwargs={"uuid": self.application.uuid, "pk": self.pk},
        )


class ApplicationStatusChange(models.Model):
    """The history of an application: every transition, who, when and why."""

    application = models.ForeignKey(
        Application,
        on_delete=models.CASCADE,
        related_name="status_changes",
        verbose_name=_("application"),
    )
    from_status = models.CharField(
        _("from"), max_length=20, choices=ApplicationStatus.choices, blank=True
    )
    to_status = models.CharField(_("to"), max_length=20, choices=ApplicationStatus.choices)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("by"),
    )
    at = models.DateTimeField(_("at"), default=timezone.now)
    reason = models.TextField(_("reason"), blank=True)

    class Meta:
        ordering = ["at", "pk"]
        verbose_name = _("status change")
        verbose_name_plural = _("status changes")

    def __str__(self):
        return f"{self.from_status} → {self.to_status}"


class DeadlineExtension(models.Model):
    """Staff let one applicant submit after the call closed, until a given time."""

    application = models.ForeignKey(
        Application,
        on_delete=models.CASCADE,
        related_name="extensions",
        verbose_name=_("application"),
    )
    until = models.DateTimeField(_("may submit until"))
    reason = models.TextField(_("reason"))
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("granted by"),
    )
    granted_at = models.DateTimeField(_("granted at"), default=timezone.now)

    class Meta:
        ordering = ["-until"]
        verbose_name = _("deadline extension")
        verbose_name_plural = _("deadline extensions")

    def __str__(self):
        return f"{self.application} → {self.until:%Y-%m-%d %H:%M}"


class ReviewAssignment(models.Model):
    """A reviewer asked to score an application; conflicts end the assignment."""

    application = models.ForeignKey(
        Application,
        on_delete=models.CASCADE,
        related_name="assignments",
        verbose_name=_("application"),
    )
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="review_assignments",
        verbose_name=_("reviewer"),
    )
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("assigned by"),
    )
    assigned_at = models.DateTimeField(_("assigned at"), default=timezone.now)
    conflict_declared_at = models.DateTimeField(_("conflict declared at"), null=True, blank=True)
    conflict_reason = models.TextField(_("conflict of interest"), blank=True)
    completed_at = models.DateTimeField(_("completed at"), null=True, blank=True)
    comment = models.TextField(_("overall comment"), blank=True, validators=[validate_no_nul])

    class Meta:
        ordering = ["assigned_at", "pk"]
        verbose_name = _("review assignment")
        verbose_name_plural = _("review assignments")
        constraints = [
            models.UniqueConstraint(
                fields=["application", "reviewer"],
                name="assignment_unique_per_reviewer",
                violation_error_message=_("This reviewer is already assigned."),
            ),
            models.CheckConstraint(
                condition=Q(conflict_declared_at__isnull=True) | Q(completed_at__isnull=True),
                name="assignment_conflict_or_completed",
                violation_error_message=_("A reviewer with a conflict of interest cannot score."),
            ),
        ]

    def __str__(self):
        return f"{self.reviewer} – {self.application}"

    @property
    def has_conflict(self) -> bool:
        return self.conflict_declared_at is not None


class Score(models.Model):
    assignment = models.ForeignKey(
        ReviewAssignment,
        on_delete=models.CASCADE,
        related_name="scores",
        verbose_name=_("review"),
    )
    criterion = models.ForeignKey(
        SelectionCriterion,
        on_delete=models.PROTECT,
        related_name="scores",
        verbose_name=_("criterion"),
    )
    value = models.PositiveSmallIntegerField(
        _("score"), validators=[MinValueValidator(0), MaxValueValidator(5)]
    )
    comment = models.TextField(_("comment"), blank=True, validators=[validate_no_nul])

    class Meta:
        ordering = ["criterion__order"]
        verbose_name = _("score")
        verbose_name_plural = _("scores")
        constraints = [
            models.UniqueConstraint(
                fields=["assignment", "criterion"],
                name="score_unique_per_criterion",
                violation_error_message=_("This criterion is already scored."),
            ),
            models.CheckConstraint(
                condition=Q(value__gte=0, value__lte=5),
                name="score_between_0_and_5",
                violation_error_message=_("A score goes from 0 to 5."),
            ),
        ]

    def __str__(self):
        return f"{self.criterion}: {self.value}"


class MunicipalityOpinion(models.Model):
    """A town's opinion on a shortlisted application for its district (co-selection)."""

    application = models.ForeignKey(
        Application,
        on_delete=models.CASCADE,
        related_name="opinions",
        verbose_name=_("application"),
    )
    district = models.ForeignKey(
        InnovationDistrict,
        on_delete=models.CASCADE,
        related_name="opinions",
        verbose_name=_("district"),
    )
    opinion = models.CharField(_("opinion"), max_length=20, choices=Opinion.choices)
    comment = models.TextField(
        _("comment"), max_length=3000, blank=True, validators=[validate_no_nul]
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("author"),
    )
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        ordering = ["district__municipality__name"]
        verbose_name = _("municipality opinion")
        verbose_name_plural = _("municipality opinions")
        constraints = [
            models.UniqueConstraint(
                fields=["application", "district"],
                name="opinion_unique_per_district",
                violation_error_message=_("This district has already given its opinion."),
            ),
        ]

    def __str__(self):
        return f"{self.district}: {self.get_opinion_display()}"


class ErasureRequest(models.Model):
    """Someone asked for their personal data to be erased; staff carry it out.

    Once executed, the row keeps who asked (by then an anonymised account),
    who erased and when, and how many things were erased: never the data.
    """

    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="erasure_requests",
        verbose_name=_("requested by"),
    )
    requested_at = models.DateTimeField(_("requested at"), default=timezone.now)
    executed_at = models.DateTimeField(_("erased at"), null=True, blank=True)
    executed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("erased by"),
    )
    summary = models.JSONField(_("what was erased"), default=dict, blank=True)

    class Meta:
        ordering = ["-requested_at"]
        verbose_name = _("erasure request")
        verbose_name_plural = _("erasure requests")
        constraints = [
            models.UniqueConstraint(
                fields=["requested_by"],
                condition=Q(executed_at__isnull=True),
                name="erasure_one_open_request_per_user",
                violation_error_message=_("This person already has an erasure request pending."),
            ),
        ]

    def __str__(self):
        return _("Erasure request #%(pk)s") % {"pk": self.pk}


class RetentionRun(models.Model):
    """One run of the retention rules: when, with which periods, what it did."""

    started_at = models.DateTimeField(_("started at"), default=timezone.now)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    triggered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("started by"),
        help_text=_("Empty when the schedule started it."),
    )
    unsuccessful_days = models.PositiveIntegerField(_("unsuccessful applications kept (days)"))
    preregistration_days = models.PositiveIntegerField(
        _("pre-registrations kept after the call closes (days)")
    )
    applications_anonymised = models.PositiveIntegerField(_("applications anonymised"), default=0)
    drafts_deleted = models.PositiveIntegerField(_("unsubmitted drafts deleted"), default=0)
    files_deleted = models.PositiveIntegerField(_("files deleted"), default=0)
    preregistrations_deleted = models.PositiveIntegerField(
        _("pre-registrations deleted"), default=0
    )
    signin_links_deleted = models.PositiveIntegerField(_("sign-in links deleted"), default=0)
    accounts_anonymised = models.PositiveIntegerField(_("applicant accounts anonymised"), default=0)
    error = models.TextField(_("error"), blank=True)

    class Meta:
        ordering = ["-started_at"]
        verbose_name = _("retention run")
        verbose_name_plural = _("retention runs")

    def __str__(self):
        return f"{self.started_at:%Y-%m-%d %H:%M}"
