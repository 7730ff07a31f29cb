from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class ExperimentStatus(models.TextChoices):
    PLANNED = "planned", _("Planned")
    PREPARING = "preparing", _("Preparing")
    RUNNING = "running", _("Running")
    EVALUATING = "evaluating", _("Evaluating")
    ENDED = "ended", pgettext_lazy("experiment status", "Ended")
    SUSPENDED = "suspended", _("Suspended")
    ABANDONED = "abandoned", _("Abandoned")


class MilestoneOwner(models.TextChoices):
    EXPERIMENTER = "experimenter", _("Experimenter")
    MUNICIPALITY = "municipality", _("Municipality")
    PROGRAMME = "programme", _("Paris&Co")


class Direction(models.TextChoices):
    UP = "up", _("Higher is better")
    DOWN = "down", _("Lower is better")


class ReportStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted")


class Outcome(models.TextChoices):
    STOPPED = "stopped", _("Stopped")
    TO_IMPROVE = "to_improve", _("To improve")
    READY_TO_SCALE = "ready_to_scale", _("Ready to scale")
    CONTRACTED = "contracted", _("Contracted with the town or another buyer")


class EventKind(models.TextChoices):
    WEBINAR = "webinar", _("Webinar")
    INFORMATION_MEETING = "information_meeting", _("Information meeting")
    COMMUNITY_MEETING = "community_meeting", _("Community meeting of experimenters")
    TRAINING = "training", _("“Pass Expé” training module")
    SITE_WALK = "site_walk", _("Site walk with residents (marche sensible)")


class EventAudience(models.TextChoices):
    PUBLIC = "public", _("Public")
    EXPERIMENTERS = "experimenters", _("Experimenters")
    MUNICIPALITIES = "municipalities", _("Municipalities")


class RegistrationStatus(models.TextChoices):
    REGISTERED = "registered", _("Registered")
    WAITING_LIST = "waiting_list", _("Waiting list")
    CANCELLED = "cancelled", _("Cancelled")


# The final evaluation grid: the programme's five criteria, plus feasibility and user feedback.
EVALUATION_CRITERIA = (
    ("utility", _("Utility")),
    ("sustainable_development", _("Sustainable development")),
    ("sobriety", _("Sobriety")),
    ("resilience", _("Resilience")),
    ("quality_of_life", _("Quality of life for residents")),
    ("feasibility", _("Feasibility")),
    ("user_feedback", _("User feedback")),
)
