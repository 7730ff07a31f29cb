"""Experiments: the 18 months a selected solution spends in an innovation district.

States that follow from dates ("late", "due", progress toward a target) are
computed, never stored. Status changes go through ``experiment_set_status``
(services.py), which records each one; edits of milestones, indicators,
measurements and the evaluation are kept by django-simple-history.
"""

import uuid
from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField
from simple_history.models import HistoricalRecords

from calls.models import get_private_storage
from municipalities.validators import LATITUDE_RANGE, LONGITUDE_RANGE

from .enums import (
    Direction,
    EventAudience,
    EventKind,
    ExperimentStatus,
    MilestoneOwner,
    Outcome,
    RegistrationStatus,
    ReportStatus,
)

DEFAULT_DURATION_MONTHS = 18


def _latitude_field(**kwargs):
    return models.DecimalField(
        _("latitude"),
        max_digits=8,
        decimal_places=6,
        validators=[
            MinValueValidator(Decimal(str(LATITUDE_RANGE[0]))),
            MaxValueValidator(Decimal(str(LATITUDE_RANGE[1]))),
        ],
        **kwargs,
    )


def _longitude_field(**kwargs):
    return models.DecimalField(
        _("longitude"),
        max_digits=8,
        decimal_places=6,
        validators=[
            MinValueValidator(Decimal(str(LONGITUDE_RANGE[0]))),
            MaxValueValidator(Decimal(str(LONGITUDE_RANGE[1]))),
        ],
        **kwargs,
    )


class Experiment(models.Model):
    """A selected solution tried out in one innovation district."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    application = models.OneToOneField(
        "calls.Application",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="experiment",
        verbose_name=_("application"),
    )
    district = models.ForeignKey(
        "municipalities.InnovationDistrict",
        on_delete=models.PROTECT,
        related_name="experiments",
        verbose_name=_("innovation district"),
    )
    organisation_name = models.CharField(_("experimenter organisation"), max_length=200)
    country = CountryField(_("country"), default="FR")
    solution_name = models.CharField(_("name of the solution"), max_length=200)
    summary = models.TextField(_("summary"), blank=True)
    themes = models.ManyToManyField(
        "municipalities.UrbanChallenge",
        blank=True,
        related_name="experiments",
        verbose_name=_("themes"),
    )
    experimenter = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="experiments",
        verbose_name=_("experimenter (signs in to report)"),
    )
    contact_email = models.EmailField(_("contact email"), blank=True)
    language = models.CharField(
        _("language of the experimenter"),
        max_length=5,
        choices=settings.LANGUAGES,
        default="fr",
    )
    project_manager = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="managed_experiments",
        verbose_name=_("Paris&Co project manager"),
    )
    status = models.CharField(
        _("status"),
        max_length=20,
        choices=ExperimentStatus.choices,
        default=ExperimentStatus.PLANNED,
        db_index=True,
    )
    start_date = models.DateField(_("start date"))
    end_date = models.DateField(_("end date"))
    report_interval_months = models.PositiveSmallIntegerField(
        _("a progress report every (months)"),
        default=3,
        validators=[MinValueValidator(1), MaxValueValidator(12)],
    )
    consents_publication = models.BooleanField(
        _("the organisation agrees to be shown publicly"), default=False
    )
    consent_recorded_at = models.DateTimeField(_("consent recorded at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        ordering = ["district__edition__number", "district__municipality__name", "solution_name"]
        verbose_name = _("experiment")
        verbose_name_plural = _("experiments")
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__gt=F("start_date")),
                name="experiment_ends_after_start",
                violation_error_message=_("The end date must come after the start date."),
            ),
            models.CheckConstraint(
                condition=Q(consents_publication=False) | Q(consent_recorded_at__isnull=False),
                name="experiment_publication_consent_recorded",
                violation_error_message=_("Publication needs a recorded consent."),
            ),
        ]
        indexes = [models.Index(fields=["district", "status"], name="experiment_district_status")]

    def __str__(self):
        return f"{self.solution_name} ({self.organisation_name})"

    def get_absolute_url(self):
        return reverse("experiments:experiment_detail", kwargs={"uuid": self.uuid})

    @property
    def is_international(self) -> bool:
        return bool(self.country) and self.country.code != "FR"


class ExperimentStatusChange(models.Model):
    """History of an experiment's status: who, when, why."""

    experiment = models.ForeignKey(
        Experiment,
        on_delete=models.CASCADE,
        related_name="status_changes",
        verbose_name=_("experiment"),
    )
    from_status = models.CharField(
        _("from"), max_length=20, choices=ExperimentStatus.choices, blank=True
    )
    to_status = models.CharField(_("to"), max_length=20, choices=ExperimentStatus.choices)
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
        return f"{self.experiment}: {self.from_status} → {self.to_status}"


class ExperimentSite(models.Model):
    """A place in the district where the solution is installed or tried."""

    experiment = models.ForeignKey(
        Experiment, on_delete=models.CASCADE, related_name="sites", verbose_name=_("experiment")
    )
    name = models.CharField(_("name"), max_length=200)
    address = models.CharField(_("address"), max_length=300, blank=True)
    latitude = _latitude_field()
    longitude = _longitude_field()

    class Meta:
        ordering = ["experiment", "name"]
        verbose_name = _("experiment site")
        verbose_name_plural = _("experiment sites")
        constraints = [
            models.CheckConstraint(
                condition=Q(latitude__gte=LATITUDE_RANGE[0], latitude__lte=LATITUDE_RANGE[1])
                & Q(longitude__gte=LONGITUDE_RANGE[0], longitude__lte=LONGITUDE_RANGE[1]),
                name="site_location_in_ile_de_france",
                violation_error_message=_("The site must be in Île-de-France."),
            ),
        ]

    def __str__(self):
        return self.name


# An abandoned experiment's open milestones will never be done: they are not "late".
UNTRACKED_STATUSES = (ExperimentStatus.ABANDONED,)


class Milestone(models.Model):
    """A dated step of an experiment; late when past due and not done (computed)."""

    experiment = models.ForeignKey(
        Experiment,
        on_delete=models.CASCADE,
        related_name="milestones",
        verbose_name=_("experiment"),
    )
    code = models.SlugField(_("code"), max_length=60, blank=True)
    name = models.CharField(_("name"), max_length=200)
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    due_date = models.DateField(_("due date"))
    done_date = models.DateField(_("done date"), null=True, blank=True)
    owner = models.CharField(
        _("owner"), max_length=20, choices=MilestoneOwner.choices, default=MilestoneOwner.PROGRAMME
    )
    evidence = models.TextField(
        _("evidence"), blank=True, help_text=_("What shows it is done: a document, a link, a note.")
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["experiment", "due_date", "order"]
        verbose_name = _("milestone")
        verbose_name_plural = _("milestones")
        indexes = [models.Index(fields=["due_date", "done_date"], name="milestone_due_done")]

    def __str__(self):
        return self.name

    @property
    def label(self) -> str:
        """The name to show: a standard milestone nobody renamed, in the reader's language."""
        from .services.lifecycle import MILESTONE_TEMPLATE, milestone_names

        for code, name, _months, _owner in MILESTONE_TEMPLATE:
            if code == self.code and milestone_names(name)["name"] == self.name:
                return str(name)
        return self.name

    def is_late(self, today=None) -> bool:
        """Past due and not done, in an experiment that still goes on (see UNTRACKED_STATUSES)."""
        today = today or timezone.localdate()
        return (
            self.done_date is None
            and self.due_date < today
            and self.experiment.status not in UNTRACKED_STATUSES
        )


class Indicator(models.Model):
    """What an experiment measures, from a baseline toward a target."""

    experiment = models.ForeignKey(
        Experiment,
        on_delete=models.CASCADE,
        related_name="indicators",
        verbose_name=_("experiment"),
    )
    name = models.CharField(_("name"), max_length=200)
    unit = models.CharField(_("unit"), max_length=40)
    baseline = models.DecimalField(_("baseline"), max_digits=14, decimal_places=3)
    target = models.DecimalField(_("target"), max_digits=14, decimal_places=3)
    direction = models.CharField(
        _("better when"), max_length=4, choices=Direction.choices, default=Direction.UP
    )
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    history = HistoricalRecords()

    class Meta:
        ordering = ["experiment", "order", "name"]
        verbose_name = _("indicator")
        verbose_name_plural = _("indicators")
        constraints = [
            models.CheckConstraint(
                condition=(Q(direction=Direction.UP) & Q(target__gt=F("baseline")))
                | (Q(direction=Direction.DOWN) & Q(target__lt=F("baseline"))),
                name="indicator_target_in_direction",
                violation_error_message=_(
                    "The target must be above the baseline when higher is better, "
                    "below it when lower is better."
                ),
            ),
        ]

    def __str__(self):
        return f"{self.name} ({self.unit})"

    def progress(self, value) -> float | None:
        """Share of the way from baseline to target (0 = baseline, 1 = target reached)."""
        if value is None or self.target == self.baseline:
            return None
        return float((Decimal(value) - self.baseline) / (self.target - self.baseline))


class Measurement(models.Model):
    """A dated value of an indicator, with where it comes from."""

    indicator = models.ForeignKey(
        Indicator,
        on_delete=models.CASCADE,
        related_name="measurements",
        verbose_name=_("indicator"),
    )
    measured_on = models.DateField(_("measured on"))
    value = models.DecimalField(_("value"), max_digits=14, decimal_places=3)
    source = models.CharField(_("source"), max_length=300, blank=True)
    report = models.ForeignKey(
        "ProgressReport",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="measurements",
        verbose_name=_("progress report"),
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("recorded by"),
    )
    recorded_at = models.DateTimeField(_("recorded at"), default=timezone.now)
    history = HistoricalRecords()

    class Meta:
        ordering = ["indicator", "measured_on", "pk"]
        verbose_name = _("measurement")
        verbose_name_plural = _("measurements")
        indexes = [models.Index(fields=["indicator", "measured_on"], name="measurement_by_date")]

    def __str__(self):
        return f"{self.indicator}: {self.value} ({self.measured_on})"


def report_photo_path(instance, filename):
    """Never trust the uploaded name."""
    return f"experiments/{instance.report.experiment.uuid}/{uuid.uuid4().hex}"


class ProgressReport(models.Model):
    """What the experimenter did over a period, submitted once, commented by staff and town."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    experiment = models.ForeignKey(
        Experiment,
        on_delete=models.CASCADE,
        related_name="progress_reports",
        verbose_name=_("experiment"),
    )
    period_start = models.DateField(_("period from"))
    period_end = models.DateField(_("period to"))
    status = models.CharField(
        _("status"), max_length=20, choices=ReportStatus.choices, default=ReportStatus.DRAFT
    )
    work_done = models.TextField(_("what was done"), max_length=10000, blank=True)
    difficulties = models.TextField(_("difficulties"), max_length=10000, blank=True)
    next_steps = models.TextField(_("next steps"), max_length=10000, blank=True)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("author"),
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)

    class Meta:
        ordering = ["experiment", "-period_end"]
        verbose_name = _("progress report")
        verbose_name_plural = _("progress reports")
        constraints = [
            models.CheckConstraint(
                condition=Q(period_end__gte=F("period_start")),
                name="report_period_in_order",
                violation_error_message=_("The period must end after it starts."),
            ),
            models.CheckConstraint(
                condition=Q(status=ReportStatus.DRAFT) | Q(submitted_at__isnull=False),
                name="report_submitted_has_date",
                violation_error_message=_("A submitted report has a submission date."),
            ),
        ]

    def __str__(self):
        return f"{self.experiment} – {self.period_start} → {self.period_end}"

    def get_absolute_url(self):
        return reverse("experiments:report_detail", kwargs={"uuid": self.uuid})


class ReportPhoto(models.Model):
    report = models.ForeignKey(
        ProgressReport,
        on_delete=models.CASCADE,
        related_name="photos",
        verbose_name=_("progress report"),
    )
    file = models.FileField(
        _("photo"), upload_to=report_photo_path, storage=get_private_storage, max_length=300
    )
    caption = models.CharField(_("caption"), max_length=200, blank=True)
    content_type = models.CharField(_("type"), max_length=100)
    size = models.PositiveIntegerField(_("size (bytes)"))
    uploaded_at = models.DateTimeField(_("uploaded at"), default=timezone.now)

    class Meta:
        ordering = ["report", "uploaded_at"]
        verbose_name = _("photo")
        verbose_name_plural = _("photos")

    def __str__(self):
        return self.caption or str(self.pk)


class ReportComment(models.Model):
    """Paris&Co staff and the town comment on a submitted report."""

    report = models.ForeignKey(
        ProgressReport,
        on_delete=models.CASCADE,
        related_name="comments",
        verbose_name=_("progress report"),
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("author"),
    )
    body = models.TextField(_("comment"), max_length=5000)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        ordering = ["report", "created_at"]
        verbose_name = _("comment")
        verbose_name_plural = _("comments")

    def __str__(self):
        return f"{self.author} – {self.created_at:%Y-%m-%d}"


_SCORE = [MinValueValidator(0), MaxValueValidator(5)]


class Evaluation(models.Model):
    """The final evaluation on the programme's grid, with its outcome."""

    experiment = models.OneToOneField(
        Experiment,
        on_delete=models.CASCADE,
        related_name="evaluation",
        verbose_name=_("experiment"),
    )
    utility = models.PositiveSmallIntegerField(
        _("utility"), null=True, blank=True, validators=_SCORE
    )
    sustainable_development = models.PositiveSmallIntegerField(
        _("sustainable development"), null=True, blank=True, validators=_SCORE
    )
    sobriety = models.PositiveSmallIntegerField(
        _("sobriety"), null=True, blank=True, validators=_SCORE
    )
    resilience = models.PositiveSmallIntegerField(
        _("resilience"), null=True, blank=True, validators=_SCORE
    )
    quality_of_life = models.PositiveSmallIntegerField(
        _("quality of life for residents"), null=True, blank=True, validators=_SCORE
    )
    feasibility = models.PositiveSmallIntegerField(
        _("feasibility"), null=True, blank=True, validators=_SCORE
    )
    user_feedback = models.PositiveSmallIntegerField(
        _("user feedback"), null=True, blank=True, validators=_SCORE
    )
    conclusion = models.TextField(_("conclusion"), blank=True)
    outcome = models.CharField(_("outcome"), max_length=20, choices=Outcome.choices, blank=True)
    buyer = models.CharField(
        _("buyer"),
        max_length=200,
        blank=True,
        help_text=_("When contracted: the town or other buyer."),
    )
    evaluated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("evaluated by"),
    )
    evaluated_on = models.DateField(_("evaluated on"), null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("final evaluation")
        verbose_name_plural = _("final evaluations")
        constraints = [
            models.CheckConstraint(
                condition=~Q(outcome=Outcome.CONTRACTED) | ~Q(buyer=""),
                name="evaluation_contract_has_buyer",
                violation_error_message=_("Name the buyer of a contracted solution."),
            ),
        ]

    def __str__(self):
        return str(self.experiment)


class OutcomeUpdate(models.Model):
    """After the programme (alumni): what became of the solution, dated."""

    experiment = models.ForeignKey(
        Experiment,
        on_delete=models.CASCADE,
        related_name="outcome_updates",
        verbose_name=_("experiment"),
    )
    recorded_on = models.DateField(_("recorded on"), default=timezone.localdate)
    outcome = models.CharField(_("outcome"), max_length=20, choices=Outcome.choices)
    buyer = models.CharField(_("buyer"), max_length=200, blank=True)
    note = models.TextField(_("note"), blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("recorded by"),
    )

    class Meta:
        ordering = ["experiment", "-recorded_on", "-pk"]
        verbose_name = _("outcome after the programme")
        verbose_name_plural = _("outcomes after the programme")

    def __str__(self):
        return f"{self.experiment}: {self.get_outcome_display()} ({self.recorded_on})"


class ProgrammeEvent(models.Model):
    """Webinars, information meetings, community meetings, training, site walks."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    edition = models.ForeignKey(
        "municipalities.Edition",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="events",
        verbose_name=_("edition"),
    )
    kind = models.CharField(_("kind"), max_length=30, choices=EventKind.choices)
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"))
    place = models.CharField(_("place"), max_length=300, blank=True)
    online_url = models.URLField(_("online link"), blank=True)
    audience = models.CharField(
        _("audience"), max_length=20, choices=EventAudience.choices, default=EventAudience.PUBLIC
    )
    municipalities = models.ManyToManyField(
        "municipalities.Municipality",
        blank=True,
        related_name="events",
        verbose_name=_("municipalities concerned"),
    )
    capacity = models.PositiveIntegerField(
        _("capacity"), null=True, blank=True, help_text=_("Empty: no limit.")
    )

    class Meta:
        ordering = ["starts_at"]
        verbose_name = _("programme event")
        verbose_name_plural = _("programme events")
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=F("starts_at")),
                name="event_ends_after_start",
                violation_error_message=_("The event must end after it starts."),
            ),
            models.CheckConstraint(
                condition=~Q(place="") | ~Q(online_url=""),
                name="event_has_place_or_link",
                violation_error_message=_("Give a place or an online link."),
            ),
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("experiments:event_detail", kwargs={"uuid": self.uuid})


class EventRegistration(models.Model):
    event = models.ForeignKey(
        ProgrammeEvent,
        on_delete=models.CASCADE,
        related_name="registrations",
        verbose_name=_("event"),
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="event_registrations",
        verbose_name=_("user"),
    )
    name = models.CharField(_("name"), max_length=200)
    email = models.EmailField(_("email"))
    organisation = models.CharField(_("organisation"), max_length=200, blank=True)
    language = models.CharField(
        _("language"), max_length=5, choices=settings.LANGUAGES, default="fr"
    )
    status = models.CharField(
        _("status"),
        max_length=20,
        choices=RegistrationStatus.choices,
        default=RegistrationStatus.REGISTERED,
    )
    registered_at = models.DateTimeField(_("registered at"), default=timezone.now)
    cancelled_at = models.DateTimeField(_("cancelled at"), null=True, blank=True)
    attended = models.BooleanField(_("attended"), null=True, blank=True)
    cancel_token = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)

    class Meta:
        ordering = ["event", "registered_at", "pk"]
        verbose_name = _("event registration")
        verbose_name_plural = _("event registrations")
        constraints = [
            models.UniqueConstraint(
                "event",
                models.functions.Lower("email"),
                name="registration_unique_email_per_event",
                violation_error_message=_("This email is already registered for this event."),
            ),
        ]

    def __str__(self):
        return f"{self.name} – {self.event}"
