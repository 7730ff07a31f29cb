from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class CallKind(models.TextChoices):
    MUNICIPALITIES = "municipalities", _("Call for interest to municipalities (AMI)")
    EXPERIMENTERS = "experimenters", _("Call for experimenters")


class CallState(models.TextChoices):
    """Computed from the clock and the call's dates, never stored."""

    UPCOMING = "upcoming", _("Upcoming")
    OPEN = "open", _("Open")
    CLOSED = "closed", pgettext_lazy("call state", "Closed")


class KeyDateKind(models.TextChoices):
    INFORMATION_MEETING = "information_meeting", _("Information meeting")
    WEBINAR = "webinar", _("Webinar")
    JURY = "jury", _("Selection committee")
    ANNOUNCEMENT = "announcement", _("Announcement of the results")
    OTHER = "other", _("Other")


class ApplicationStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted")
    ELIGIBLE = "eligible", _("Eligible")
    INELIGIBLE = "ineligible", _("Ineligible")
    UNDER_REVIEW = "under_review", _("Under review")
    SHORTLISTED = "shortlisted", _("Shortlisted")
    SELECTED = "selected", _("Selected")
    WAITING_LIST = "waiting_list", _("Waiting list")
    REJECTED = "rejected", _("Rejected")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class LegalForm(models.TextChoices):
    """The kinds of organisation the programme welcomes."""

    STARTUP = "startup", _("Startup")
    SME = "sme", _("SME")
    ASSOCIATION = "association", _("Association")
    LARGE_GROUP = "large_group", _("Large group")
    COOPERATIVE = "cooperative", _("Cooperative")
    SCHOOL = "school", _("School or university")
    CITIZEN = "citizen", _("Citizen or group of citizens")
    DESIGNER = "designer", _("Designer")
    OTHER = "other", _("Other")


class Maturity(models.TextChoices):
    CONCEPT = "concept", _("Concept, nothing built yet")
    PROTOTYPE = "prototype", _("Prototype, not yet on the market")
    PILOT = "pilot", _("Tested in a first pilot, not yet on the market")
    MARKETED = "marketed", _("Already on the market")


class AttachmentKind(models.TextChoices):
    PRESENTATION = "presentation", _("Presentation (PDF)")
    IMAGE = "image", _("Image")
    COUNCIL_DECISION = "council_decision", _("Council decision (PDF)")


class Opinion(models.TextChoices):
    FAVOURABLE = "favourable", _("Favourable")
    RESERVED = "reserved", _("Reserved")
    UNFAVOURABLE = "unfavourable", _("Unfavourable")


class PreRegistrationStatus(models.TextChoices):
    PENDING = "pending", _("Waiting for confirmation")
    CONFIRMED = "confirmed", _("Confirmed")
